#!/usr/bin/env python3
"""CPU and SQL queries per request of the benchmarked pages, in one process, without the load tool.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/awards_scale REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python benchmarks/cpu.py [--size chongqing] [--requests 200] [--pages unit_list,dashboard] [--sql]

The same settings as the gunicorn of benchmarks/scale.py (DEBUG off, the same SECRET_KEY, Redis cache)
and the same sessions (made server-side past the second factor), driven through Django's WSGI handler
(the test Client, CSRF checks on). For each page: milliseconds of wall time and of this process's CPU
per request (median over ``--requests``; PostgreSQL's own CPU is in the wall time only), and the SQL
queries of one request (``--sql`` prints them). The campaign must exist (scale.py generates it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("hello", "unit_list", "screening_queue", "office_queue", "proposed_list", "dashboard", "notice_cached",
         "objection_post", "surge_submit")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("national", "chongqing"), default="chongqing")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--sql", action="store_true", help="print the SQL of one request of each page")
    parser.add_argument("--profile", default="", help="a page name: cProfile its requests, print the top 30")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        parser.error("set DATABASE_URL (PostgreSQL) and REDIS_URL, as for benchmarks/scale.py")

    from benchmarks.scale import make_sessions, objection_body, server_env, setup_django

    env = server_env(args, os.environ.get("VAR_DIR") or str(ROOT / "var"))
    setup_django(env)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from awards.models import Campaign
    from benchmarks.pagequeries import targets
    from core.scale import slug_for

    campaign = Campaign.objects.get(slug=slug_for(args.size))
    t = targets(campaign)
    urls = t["urls"]
    cookie_of = {
        "unit_list": make_sessions([t["unit_user"].username])[0],
        "screening_queue": make_sessions([t["screener"].username])[0],
    }
    office_cookie = make_sessions([t["office"].username])[0]
    # The deadline surge (scale.py --surge): a unit user presses 报送 again and again (the first press
    # moves the unit's nominations on; the last unit user's, not the one of the unit list).
    from django.urls import reverse

    from orgs.models import User

    surge_user = User.objects.get(username=t["unit_users"][-1])
    surge_url = reverse("nominations:unit_ranking", args=[campaign.slug, surge_user.organisation_id])
    surge_cookie = make_sessions([surge_user.username])[0] + "; csrftoken=surgecsrf0123456789abcdefghijklm"
    csrf_cookie, objection = objection_body(t)
    import random

    counter = iter(range(random.randrange(10**6), 10**9))  # fresh addresses: the per-address limits persist

    def request(client: Client, name: str):
        if name == "hello":
            return client.get("/healthz")
        if name == "surge_submit":
            return client.generic("POST", surge_url, "csrfmiddlewaretoken=surgecsrf0123456789abcdefghijklm&action=submit",
                                  "application/x-www-form-urlencoded", HTTP_COOKIE=surge_cookie)
        if name == "notice_cached":
            return client.get(urls["notice"])
        if name == "objection_post":
            n = next(counter)
            address = f"198.{18 + n // 62500 % 2}.{n // 250 % 250}.{n % 250 + 1}"  # one client address per request, as wrk sends
            return client.generic("POST", urls["objection"], objection, "application/x-www-form-urlencoded",
                                  HTTP_COOKIE=csrf_cookie, HTTP_X_FORWARDED_FOR=address)
        return client.get(urls[name], HTTP_COOKIE=cookie_of.get(name, office_cookie))

    expected = {"objection_post": (302,)}
    print(f"{args.size}: {args.requests} requests per page, DEBUG={int(bool(env.get('DEBUG') == '1'))}")
    print(f"{'page':<16} {'wall ms':>8} {'cpu ms':>8} {'queries':>8}")
    for name in [p for p in args.pages.split(",") if p]:
        client = Client(enforce_csrf_checks=True)
        for _ in range(3):  # warm: first-request caches of the process, the page's own caches
            response = request(client, name)
        assert response.status_code in expected.get(name, (200,)), (name, response.status_code)
        connection.queries_log.clear()  # request_started empties the log: start it empty
        with CaptureQueriesContext(connection) as ctx:
            request(client, name)
        captured = list(ctx.captured_queries)  # read from the connection's log, which later requests empty
        walls, cpus = [], []
        profiler = None
        if args.profile == name:
            import cProfile

            # PROFILE_CPU=1: this process's CPU time, not the wall clock (waits on the database drop out)
            profiler = cProfile.Profile(time.process_time) if os.environ.get("PROFILE_CPU") else cProfile.Profile()
            profiler.enable()
        for _ in range(args.requests):
            wall, cpu = time.perf_counter(), time.process_time()
            response = request(client, name)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        if profiler is not None:
            import pstats

            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("PROFILE_LINES", 40)))
            if os.environ.get("PROFILE_CALLERS"):  # a regular expression: who calls the matching functions
                stats.print_callers(os.environ["PROFILE_CALLERS"])
        assert response.status_code in expected.get(name, (200,)), (name, response.status_code)
        print(f"{name:<16} {statistics.median(walls) * 1000:8.1f} {statistics.mean(cpus) * 1000:8.1f} "
              f"{len(captured):8d}", flush=True)
        if args.sql:
            for q in captured:
                print("     ", q["sql"][:220])
    return 0


if __name__ == "__main__":
    sys.exit(main())
