-- wrk script for benchmarks/scale.py: cookies, POST bodies, one client address per request, JSON summary.
--   BENCH_COOKIES   cookies separated by "\n"; each request takes the next one (one per user)
--   BENCH_PATHS     optional paths separated by "\n", one per cookie (each user on their own page)
--   BENCH_METHOD    GET (default) or POST
--   BENCH_BODY      the form body of a POST
--   BENCH_FORWARD   "1": a distinct X-Forwarded-For per request (the app trusts one proxy), so the
--                   per-client rate limit stays on without every request coming from one client
local cookies = {}
local paths = {}
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local forward = os.getenv("BENCH_FORWARD") == "1"
for line in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^\n]+") do
  table.insert(cookies, line)
end
for line in string.gmatch(os.getenv("BENCH_PATHS") or "", "[^\n]+") do
  table.insert(paths, line)
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local counter = 0

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local headers = {}
  local path = nil
  if #cookies > 0 then
    local i = ((counter + id * 7919) % #cookies) + 1
    headers["Cookie"] = cookies[i]
    if #paths > 0 then
      path = paths[i]
    end
  end
  if forward then
    -- 198.18.0.0/15 is the benchmarking range (RFC 2544): a header value only, never a destination.
    local n = id * 100000 + counter
    headers["X-Forwarded-For"] = string.format("198.18.%d.%d", math.floor(n / 250) % 250, n % 250 + 1)
  end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
