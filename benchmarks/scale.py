#!/usr/bin/env python3
"""Performance at national scale, measured (issue 8).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/awards_scale REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python benchmarks/scale.py --size national [--duration 15] [--connections 20] [--workers 4]

Starts the real stack on this machine — PostgreSQL and Redis (already running), gunicorn with several
workers and a Celery worker — on a database holding the generated campaign (``manage.py generate_scale``
is run first when the campaign is missing, and the Chongqing size beside it for the query comparison),
then drives it with wrk from a second process on loopback, bounded in time:

- requests/s and p50/p95/p99 latency of a unit's nomination list, a district's screening queue, the
  office queue, the proposed list with live caps, the office dashboard, a public notice page (cold:
  one client, the public cache moved on before every request; cached: wrk) and an objection POST
  (rate limiting on: one client address per request through the trusted proxy header), and of the
  same server's /healthz in the same run; each figure also as a ratio to /healthz;
- SQL queries per request of each page at the Chongqing and the benchmarked size (they must be equal);
- the deadline surge (``--surge``): the unit users open their unit's publicity for 60 s — errors,
  quota overruns, p95;
- document throughput (``--documents``): approval-form PDFs per second with 1 and 2 worker
  processes, and the 300-nominee package time (manage.py benchmark_documents).

Staff sessions are created here, server-side, for each benchmark user (no login flow for the load
tool), marked as past the TOTP second factor (accounts.policy.mark_verified). Prints one
table and writes it as JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

STAFF_PAGES = ("unit_list", "screening_queue", "office_queue", "proposed_list", "dashboard")
GOALS = {"staff_ratio": 0.3, "staff_p95_ms": 150, "notice_cached_ratio": 0.8, "objection_ratio": 0.2}


def server_env(args, var_dir: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "0", "VAR_DIR": var_dir,
           "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "TRUSTED_PROXIES": "1",
           "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret-key-not-for-production-8c1e0f"),
           "PYTHONPATH": str(ROOT)}
    # One Redis database may serve benchmark databases in turn: the cached grants, policy and pages
    # (core.versions) are keyed by user and object ids, which each database numbers from 1.
    database = urllib.parse.urlparse(os.environ.get("DATABASE_URL", "")).path.strip("/")
    env.setdefault("APP_CACHE_PREFIX", f"{database}:")
    return env


def setup_django(env: dict) -> None:
    os.environ.update({k: v for k, v in env.items() if k not in ("PYTHONPATH",)})
    import django

    django.setup()


def ensure_database() -> None:
    """CREATE DATABASE on a new machine: DATABASE_URL may name one that does not exist yet."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    name = connection.settings_dict["NAME"]
    # Django's own way to a server-level connection (as when it creates the test database).
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
            print(f"created database {name}", flush=True)


def ensure_data(size: str, seed: int) -> None:
    from django.core.management import call_command

    from awards.models import Campaign
    from core.scale import slug_for

    ensure_database()
    call_command("migrate", "--noinput", verbosity=0)
    first = True
    for key in dict.fromkeys([size, "chongqing"]):
        if not Campaign.objects.filter(slug=slug_for(key)).exists():
            started = time.monotonic()
            args = ["generate_scale", "--size", key, "--seed", str(seed)] + (["--with-demo"] if first else [])
            call_command(*args)
            print(f"generated {key} in {time.monotonic() - started:.0f} s", flush=True)
        first = False


def make_sessions(usernames: list[str], per_user: int = 1) -> list[str]:
    """Sessions created server-side, as a completed (two-factor) login leaves them: Cookie header values."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.policy import mark_started, mark_verified
    from orgs.models import User

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    backend = "accounts.backends.CachedModelBackend"
    cookies = []
    for user in User.objects.filter(username__in=usernames).order_by("username"):
        for _ in range(per_user):
            store = store_class()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = backend
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            mark_started(store)
            mark_verified(store)  # the second factor passed (accounts.policy), as after a TOTP login
            store.set_expiry(4 * 3600)
            store.create()
            cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    return cookies


class Stack:
    """gunicorn (N workers), a Celery worker and beat, each in its own process group, stopped by pid."""

    def __init__(self, env: dict, port: int, workers: int, log_dir: Path, *, threads: int = 1, backlog: int = 2048,
                 timeout: int = 120):
        self.env, self.port, self.workers, self.log_dir = env, port, workers, log_dir
        self.threads, self.backlog, self.timeout = threads, backlog, timeout
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        from gunicorn import config as gunicorn_config

        no_ctl = ["--no-control-socket"] if hasattr(gunicorn_config, "ControlSocket") else []
        # gthread: a worker waiting on a row lock or the database (the deadline surge: every unit of a
        # district locks the district's quota row) leaves its other threads serving; the accepted
        # connections wait in the backlog, never refused, however many arrive at once.
        web = [str(BIN / "gunicorn"), "config.wsgi", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
               "--worker-class", "gthread" if self.threads > 1 else "sync", "--threads", str(self.threads),
               "--backlog", str(self.backlog), "--keep-alive", "5",
               "--error-logfile", str(self.log_dir / "gunicorn.log"), "--timeout", str(self.timeout), *no_ctl]
        worker = [str(BIN / "celery"), "-A", "config", "worker", "--pool=solo", "-l", "warning"]
        # Beat as in production: the publicity sweep (every SWEEP_SECONDS) tells the staff of the
        # objections the load files, and its work is measured with the rest.
        beat = [str(BIN / "celery"), "-A", "config", "beat", "-l", "warning", "-s", str(self.log_dir / "beat-schedule")]
        for cmd, name in ((web, "web"), (worker, "worker"), (beat, "beat")):
            log = open(self.log_dir / f"{name}.out", "w")  # noqa: SIM115 - closed with the process
            self.procs.append(subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.procs[0].poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log_dir / 'gunicorn.log'}")
            try:
                if get(self.port, "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc):
        import signal

        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def wrk(port: int, path: str, *, duration: int, connections: int, threads: int, cookies=(), method="GET",
        body: str = "", forward=False, paths=()) -> dict:
    env = {**os.environ, "BENCH_COOKIES": "\n".join(cookies), "BENCH_METHOD": method, "BENCH_BODY": body,
           "BENCH_FORWARD": "1" if forward else "0", "BENCH_PATHS": "\n".join(paths)}
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "30s",
           "-s", str(ROOT / "benchmarks" / "wrk.lua"), f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + 120, check=True).stdout
    drain(port)
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    errors = sum(data[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return {"rps": data["requests"] / seconds, "p50_ms": data["p50_us"] / 1000, "p95_ms": data["p95_us"] / 1000,
            "p99_ms": data["p99_us"] / 1000, "requests": data["requests"], "errors": errors,
            "connections": connections, "seconds": round(seconds, 1)}


def drain(port: int, limit: float = 180) -> None:
    """Wait until the workers have finished what wrk left queued (sync workers finish every accepted request)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            started = time.perf_counter()
            if get(port, "/healthz")[0] == 200 and time.perf_counter() - started < 0.5:
                return
        except OSError:
            time.sleep(1)


def cold_notice(port: int, path: str, runs: int) -> dict:
    """The public notice page rendered afresh each time: the public cache version moves on first."""
    from publicity.services import bump_public_version

    times = []
    for _ in range(runs):
        bump_public_version()
        started = time.perf_counter()
        status, _body = get(port, path)
        times.append(time.perf_counter() - started)
        assert status == 200, status
    times.sort()

    def pct(p):
        return times[min(len(times) - 1, int(round(p / 100 * (len(times) - 1))))] * 1000

    return {"rps": 1 / statistics.mean(times), "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "requests": runs, "errors": 0, "connections": 1, "seconds": round(sum(times), 1)}


def objection_body(t) -> tuple[str, str]:
    from benchmarks.pagequeries import started_token

    token = "benchcsrf0123456789abcdefghijklm"[:32].ljust(32, "x")
    body = urllib.parse.urlencode({
        "csrfmiddlewaretoken": token, "entry": t["entry"].pk, "name": "王某某", "contact": "023-61234567",
        "facts": "该同志事迹材料与实际情况不符，请予核实。", "website": "", "started": started_token(t["final"].pk),
    })
    return f"csrftoken={token}", body


def surge(port: int, campaign, t, *, duration: int, users: int, threads: int) -> dict:
    """The deadline: every unit user presses 报送 (send to the district) on their own unit's page at once.

    The first press of each unit moves its nominations that passed the unit publicity on (under the row
    locks of nominations.services.submit_unit); the next ones are refused with a message (200). Measured:
    no server error or timeout, and no quota overrun in the campaign afterwards.
    """
    from django.urls import reverse

    from awards.models import Quota
    from nominations.models import QUOTA_STATUSES, Nomination, Status
    from orgs.models import User

    names = t["unit_users"][:users]
    unit_users = list(User.objects.filter(username__in=names).order_by("username"))
    cookies = make_sessions(names)  # in the same (username) order
    token = "surgecsrf0123456789abcdefghijklm"[:32]
    paths = [reverse("nominations:unit_ranking", args=[campaign.slug, u.organisation_id]) for u in unit_users]
    ready_before = Nomination.objects.filter(campaign=campaign, status=Status.UNIT_READY,
                                             unit__in=[u.organisation_id for u in unit_users]).count()
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "action": "submit"})
    result = wrk(port, paths[0], duration=duration, connections=users, threads=threads, method="POST", body=body,
                 cookies=[f"{c}; csrftoken={token}" for c in cookies], paths=paths)
    overruns = 0
    for quota in Quota.objects.filter(campaign=campaign):
        for category in ("collective", "individual"):
            used = Nomination.objects.filter(quota=quota, category=category, status__in=QUOTA_STATUSES).count()
            overruns += used > quota.max_for(category)
    result["quota_overruns"] = overruns
    result["users"] = len(unit_users)
    result["unit_ready_before"] = ready_before
    result["unit_ready_after"] = Nomination.objects.filter(campaign=campaign, status=Status.UNIT_READY,
                                                           unit__in=[u.organisation_id for u in unit_users]).count()
    return result


def documents(env: dict) -> dict:
    out = {}
    manage = [sys.executable, str(ROOT / "manage.py"), "benchmark_documents", "--runs", "3"]
    for processes, package in ((1, 20), (2, 20), (2, 300)):
        started = time.perf_counter()
        text = subprocess.run([*manage, "--package", str(package), "--processes", str(processes)], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True, timeout=1800).stdout
        line = next(x for x in text.splitlines() if "压缩包" in x)
        seconds = float(line.split(" MB, ")[1].split(" s ")[0])
        out[f"package_{package}_{processes}p_s"] = seconds
        if package != 300:
            out[f"pdf_per_s_{processes}_workers"] = round(package / seconds, 2)
        out.setdefault("one_pdf", next(x for x in text.splitlines() if "PDF median" in x))
        print(f"documents: {package} nominees, {processes} process(es): {seconds:.1f} s "
              f"(wall {time.perf_counter() - started:.0f} s)", flush=True)
    return out


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "python": platform.python_version(),
            "note": "shared machine: its cores may be busy with other work; read the ratios"}


def table(report: dict) -> str:
    rows = [f"| page | req/s | hello beside it | ratio | p50 ms | p95 ms | p99 ms | errors | queries (CQ / {report['size']}) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    q = report["queries"]
    for name, r in report["pages"].items():
        queries = f"{q['chongqing'].get(name, '—')} / {q[report['size']].get(name, '—')}" if name in q["chongqing"] else "—"
        beside = (f"{r['rps_min']:.0f}–{r['rps_max']:.0f} ({r['runs']} runs)" if "runs" in r
                  else f"{r['hello_rps']:.1f}" if "hello_rps" in r else "—")
        rows.append(f"| {name} | {r['rps']:.1f} | {beside} | {r.get('ratio', 1):.2f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
                    f"{r['p99_ms']:.0f} | {r['errors']} | {queries} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("national", "chongqing"), default="national")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=15, help="seconds per page")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-threads", type=int, default=4, help="threads per gunicorn worker (gthread; 1: sync workers)")
    parser.add_argument("--backlog", type=int, default=2048, help="gunicorn's listen backlog")
    parser.add_argument("--port", type=int, default=0, help="0: a free port on 127.0.0.1")
    parser.add_argument("--cold-runs", type=int, default=20)
    parser.add_argument("--surge", action="store_true")
    parser.add_argument("--surge-duration", type=int, default=60)
    parser.add_argument("--surge-users", type=int, default=200)
    parser.add_argument("--surge-only", action="store_true", help="only the surge (to compare server settings)")
    parser.add_argument("--documents", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--pages", default="", help="only these pages, comma-separated (a quick look; goals not judged)")
    parser.add_argument("--queries-only", action="store_true", help="only the SQL queries per page at both sizes")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        parser.error("set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs on the real stack")
    if not shutil.which("wrk"):
        parser.error("wrk is missing: apt-get install -y wrk")
    if not args.port:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            args.port = sock.getsockname()[1]
    var_dir = tempfile.mkdtemp(prefix="bench-scale-")
    env = server_env(args, var_dir)
    setup_django(env)
    ensure_data(args.size, args.seed)
    from publicity.tasks import sweep_notices

    # What beat's first sweep would do during the first pages is done now: the windows of a freshly
    # generated set that opened or closed meanwhile, the objections filed by earlier runs (cpu.py).
    swept = sweep_notices.apply().get()
    print(f"swept before measuring: {len(swept['opened'])} notices opened, {len(swept['closed'])} closed, "
          f"{swept['told']} objection reminders", flush=True)

    from awards.models import Campaign
    from benchmarks.pagequeries import page_queries, targets
    from core.scale import slug_for

    campaign = Campaign.objects.select_related("root").get(slug=slug_for(args.size))
    queries = {"chongqing": page_queries(Campaign.objects.get(slug=slug_for("chongqing")))}
    queries[args.size] = page_queries(campaign)
    if args.queries_only:
        out = args.out or ROOT / "benchmarks" / "results" / f"queries-{args.size}-{dt.date.today():%Y%m%d}.json"
        out.write_text(json.dumps({"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "queries": queries,
                                   "equal": queries["chongqing"] == queries[args.size]}, indent=2) + "\n")
        print(json.dumps(queries, indent=1), "\nequal:", queries["chongqing"] == queries[args.size], "\nwritten:", out)
        return 0
    t = targets(campaign)
    staff = {
        "unit_list": make_sessions([t["unit_user"].username], args.connections),
        "screening_queue": make_sessions([t["screener"].username], args.connections),
    }
    office = make_sessions([t["office"].username], args.connections)
    urls = t["urls"]
    report = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "size": args.size, "seed": args.seed,
              "machine": machine(), "gunicorn_workers": args.workers, "gunicorn_threads": args.worker_threads,
              "load_average": os.getloadavg(), "connections": args.connections,
              "duration_s": args.duration, "campaign": campaign.slug, "pages": {}, "queries": queries}
    run = dict(duration=args.duration, connections=args.connections, threads=args.threads)
    if args.surge_only:
        with Stack(env, args.port, args.workers, Path(var_dir), threads=args.worker_threads, backlog=args.backlog):
            s = surge(args.port, campaign, t, duration=args.surge_duration, users=args.surge_users, threads=args.threads)
        print(f"surge ({args.workers} workers x {args.worker_threads} threads, load {os.getloadavg()[0]:.1f}): "
              f"{s['requests']} requests, {s['errors']} errors, {s['quota_overruns']} quota overruns, "
              f"p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms")
        return 0
    with Stack(env, args.port, args.workers, Path(var_dir), threads=args.worker_threads, backlog=args.backlog):
        cookie, body = objection_body(t)
        for path in ("/healthz", urls["notice"], urls["office_queue"]):  # warm up every worker
            wrk(args.port, path, duration=2, connections=args.workers * 2, threads=1,
                cookies=office if "reviews" in path else ())
        # and its objection form: its first filing imports the cipher and builds the URL reverser
        wrk(args.port, urls["objection"], duration=2, connections=args.workers * 2, threads=1, cookies=[cookie],
            method="POST", body=body, forward=True)
        pages = report["pages"]
        # The machine is shared and its speed drifts within a run (hello has swung 2x): each page is
        # measured between two hello runs and reported as a ratio to their mean, not to one far-off figure.
        hellos = [wrk(args.port, "/healthz", **run)]
        measures = [(name, urls[name], dict(cookies=staff.get(name, office))) for name in STAFF_PAGES] + [
            ("notice_cached", urls["notice"], {}),
            ("objection_post", urls["objection"], dict(cookies=[cookie], method="POST", body=body, forward=True)),
        ]
        if args.pages:
            quick = {name: wrk(args.port, path, **options, **run) for name, path, options in measures
                     if name in args.pages.split(",")}
            print(json.dumps({name: {k: r[k] for k in ("rps", "p95_ms", "errors")} for name, r in quick.items()}
                             | {"hello": hellos[0]["rps"]}))
            return 0
        pages["notice_cold"] = cold_notice(args.port, urls["notice"], args.cold_runs)
        for name, path, options in measures:
            pages[name] = wrk(args.port, path, **options, **run)
            hellos.append(wrk(args.port, "/healthz", **run))
            pages[name]["hello_rps"] = round(statistics.mean([hellos[-2]["rps"], hellos[-1]["rps"]]), 1)
            pages[name]["ratio"] = round(pages[name]["rps"] / pages[name]["hello_rps"], 3)
            print(f"{name}: {pages[name]['rps']:.1f} req/s (hello {pages[name]['hello_rps']:.1f}), "
                  f"ratio {pages[name]['ratio']:.2f}, p95 {pages[name]['p95_ms']:.0f} ms", flush=True)
        rps = [h["rps"] for h in hellos]
        pages["hello (/healthz)"] = {**hellos[0], "rps": round(statistics.mean(rps), 1), "rps_min": min(rps),
                                     "rps_max": max(rps), "runs": len(rps), "ratio": 1}
        pages["notice_cold"]["ratio"] = round(pages["notice_cold"]["rps"] / pages["hello (/healthz)"]["rps"], 3)
        pages = report["pages"] = {k: pages[k] for k in ["hello (/healthz)", *STAFF_PAGES, "notice_cold",
                                                          "notice_cached", "objection_post"]}
        if args.surge:
            report["surge"] = surge(args.port, campaign, t, duration=args.surge_duration, users=args.surge_users,
                                    threads=args.threads)
    if args.documents:
        report["documents"] = documents(env)
    staff_ok = all(pages[n]["ratio"] >= GOALS["staff_ratio"] and pages[n]["p95_ms"] < GOALS["staff_p95_ms"] for n in STAFF_PAGES)
    report["goals"] = {
        "staff_pages": staff_ok,
        "notice_cached": pages["notice_cached"]["ratio"] >= GOALS["notice_cached_ratio"],
        "objection_post": pages["objection_post"]["ratio"] >= GOALS["objection_ratio"],
        "queries_equal": queries["chongqing"] == queries[args.size],
    }
    report["table"] = table(report)
    print()
    print(f"{report['date']} · {args.size} · {report['machine']['cpu']} ({report['machine']['cores']} cores, shared)")
    print(report["table"])
    if "surge" in report:
        s = report["surge"]
        print(f"surge: {s['connections']} users, {s['seconds']} s: {s['requests']} requests, {s['errors']} errors, "
              f"{s['quota_overruns']} quota overruns, p95 {s['p95_ms']:.0f} ms")
    if "documents" in report:
        print("documents:", json.dumps(report["documents"], ensure_ascii=False))
    print("goals:", json.dumps(report["goals"]))
    out = args.out or ROOT / "benchmarks" / "results" / f"scale-{args.size}-{dt.date.today():%Y%m%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
