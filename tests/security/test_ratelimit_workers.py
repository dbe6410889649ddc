"""The login rate limit holds across two gunicorn worker processes.

A real ``gunicorn --workers 2`` on a free port, on the test database and the same shared cache as
the settings (the embedded file cache under VAR_DIR, or Redis when REDIS_URL is set). Ten login
POSTs on fresh connections, several at a time so both workers serve some, against a limit of six
per address: exactly six are answered and four refused with the Chinese 429 page. gunicorn's
access log (``%(p)s``: the worker's pid) shows that both workers served.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
LIMIT = 6
SENT = 10
START_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


@pytest.fixture
def gunicorn(tmp_path):
    port = _free_port()
    access_log = tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base", DATABASE_URL=_test_database_url(), VAR_DIR=str(settings.VAR_DIR),
        LOGIN_RATE_PER_ADDRESS=str(LIMIT), LOGIN_RATE_PER_USERNAME="1000", LOGIN_RATE_WINDOW_SECONDS="600", RATE_LIMIT_PREFIX=uuid.uuid4().hex[:12],
        PYTHONUNBUFFERED="1",
    )
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}",
           "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s %(m)s %(U)s", "--timeout", "60"]
    out = tmp_path / "gunicorn.out"
    with open(out, "wb") as log:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not come up:\n{out.read_text(errors='replace')}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        yield port, access_log, out
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _request(port, method, path, body=None, headers=None):
    """One request on a fresh connection (Connection: close), as separate browsers would send them."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_the_login_limit_holds_across_two_gunicorn_workers(gunicorn):
    port, access_log, out = gunicorn
    status, headers, page = _request(port, "GET", "/login/")
    assert status == 200
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def attempt(i: int):
        body = urlencode({"username": f"nobody{i}", "password": "Wrong@2026x", "csrfmiddlewaretoken": token})
        return _request(port, "POST", "/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"})

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(attempt, range(SENT)))

    codes = sorted(status for status, _, _ in results)
    assert codes == [200] * LIMIT + [429] * (SENT - LIMIT), f"{codes}\n{out.read_text(errors='replace')}"
    refused = next(body for status, _, body in results if status == 429)
    assert "操作过于频繁" in refused
    assert "请稍后再试" in refused

    deadline = time.monotonic() + 10
    while access_log.read_text().count("POST /login/") < SENT and time.monotonic() < deadline:
        time.sleep(0.1)
    posts = [line.split() for line in access_log.read_text().splitlines() if " POST /login/" in line]
    assert len(posts) == SENT
    workers = {pid for pid, *_ in posts}
    assert len(workers) == 2, f"one worker served every request: {posts}"
    # Each worker refused or answered by the one shared count, not by a count of its own.
    assert sorted(code for _, code, *_ in posts) == [str(c) for c in codes]
