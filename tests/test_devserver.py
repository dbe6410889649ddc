"""README command (a), end to end: ``python3 dev.py up`` serves the site and every demo login works.

Starts the real thing — migrate, load_demo, collectstatic, then gunicorn + Celery worker + beat —
on a fresh SQLite database and broker folder in a temporary ``VAR_DIR``, over HTTP with urllib.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

import pyotp
import pytest

from core.demo import DEMO_PASSWORD
from tests.totp import secret_from_page

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120
# Settings that would point the server away from its own fresh embedded database and broker.
FOREIGN_ENV = {
    "DATABASE_URL", "REDIS_URL", "CELERY_FS_DIR", "MEDIA_ROOT", "STATIC_ROOT", "PORT",
    "DJANGO_SETTINGS_MODULE", "CELERY_TASK_ALWAYS_EAGER", "PYTEST_CURRENT_TEST",
}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_with_env(marker: str) -> list[int]:
    """Pids of live processes whose environment holds ``marker`` (our VAR_DIR)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if marker.encode() in (entry / "environ").read_bytes().split(b"\0"):
                status = (entry / "status").read_text()
                if "\nState:\tZ" not in status:
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture
def devserver(tmp_path):
    """``(base_url, output_text, process, var_dir)`` of a running ``dev.py up``."""
    var_dir = tmp_path / "var"
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_ENV}
    env.update(VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    output = tmp_path / "up.out"
    python = shutil.which("python3") or sys.executable
    with open(output, "wb") as out:
        process = subprocess.Popen(
            [python, "dev.py", "up", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while f"is running at {base}/" not in output.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dev.py up did not come up:\n{output.read_text(errors='replace')}")
            time.sleep(0.3)
        yield base, output.read_text(), process, var_dir
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _parse_logins(text: str) -> tuple[str, list[str]]:
    head = re.search(r"演示账号（密码均为 (\S+)）：\n((?:  \S+ +.*\n)+)", text)
    assert head, text
    return head.group(1), [line.split()[0] for line in head.group(2).splitlines()]


def test_dev_py_up_serves_the_site_and_every_demo_login(devserver):
    base, text, process, var_dir = devserver
    password, usernames = _parse_logins(text)
    assert password == DEMO_PASSWORD
    assert {"admin", "office", "unit_yubei", "auditor"} <= set(usernames)
    assert "身份验证器（TOTP）" in text  # the login list says a second factor comes after the password
    child_pids = [int(pid) for pid in re.findall(r"^  (?:web|worker|beat) +pid (\d+)", text, re.M)]
    assert len(child_pids) == 3, text
    assert f"{base}/healthz" in text

    opener = build_opener()
    with opener.open(f"{base}/healthz", timeout=10) as response:
        assert response.status == 200 and b'"ok": true' in response.read()
    with opener.open(f"{base}/login/", timeout=10) as response:
        assert response.status == 200
        login_page = response.read().decode()
    assert "登录" in login_page
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', login_page)
    assert stylesheet, "the login page links no stylesheet"
    with opener.open(base + stylesheet.group(1), timeout=10) as response:
        assert response.status == 200

    for username in usernames:
        browser = build_opener(HTTPCookieProcessor(CookieJar()))
        with browser.open(f"{base}/login/", timeout=10) as response:
            form = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token, "next": ""})
        with browser.open(f"{base}/login/", data=data.encode(), timeout=30) as response:
            assert response.status == 200
            # A fresh database: every demo user enrols an authenticator at the first login.
            assert response.geturl() == f"{base}/account/2fa/enrol/?next=%2F", f"{username} did not get past the password"
            enrol = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', enrol).group(1)
        code = pyotp.TOTP(secret_from_page(enrol)).now()
        data = urlencode({"code": code, "next": "/", "csrfmiddlewaretoken": token})
        with browser.open(f"{base}/account/2fa/enrol/", data=data.encode(), timeout=30) as response:
            assert response.status == 200
            assert response.geturl() == f"{base}/", f"{username} did not get past the second factor"
            home = response.read().decode()
        assert "待办事项" in home, username

    # Stop it the way Ctrl-C / a service manager would, and nothing may be left behind.
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    for pid in child_pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    if Path("/proc/self/environ").exists():
        assert _processes_with_env(f"VAR_DIR={var_dir}") == []
    for name in ("web", "worker", "beat"):
        assert (var_dir / "log" / f"{name}.log").stat().st_size > 0
