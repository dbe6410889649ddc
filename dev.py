#!/usr/bin/env python3
"""Bootstrap and run the 评选表彰系统 with nothing but Python 3.11+.

    python3 dev.py up [--port 8000]   migrate, load the demo, run web + worker + beat
    python3 dev.py test [pytest args]  run the whole test suite
    python3 dev.py lint [ruff args]    ruff check

The first run creates ``.venv`` and installs the project into it; later runs reinstall only when
``pyproject.toml`` has changed (its hash is kept in ``.venv/.pyproject.sha256``). Everything after
the bootstrap runs inside the virtualenv. Only the standard library is used at the top level.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".pyproject.sha256"


def sh(*cmd, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, **kwargs)


def bootstrap() -> None:
    """Create the virtualenv and install the project when pyproject.toml changed; enter the venv."""
    if not (BIN / "python").exists():
        print(f"dev.py: creating {VENV}", flush=True)
        if sh(sys.executable, "-m", "venv", VENV).returncode != 0:
            sys.exit("dev.py: could not create the virtualenv (on Debian/Ubuntu: apt-get install python3-venv)")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        print('dev.py: installing the project into .venv (pip install -e ".[test]")', flush=True)
        sh(BIN / "python", "-m", "pip", "install", "-q", "-e", ".[test]", check=True)
        STAMP.write_text(digest + "\n")
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(BIN / "python", [str(BIN / "python"), str(Path(__file__).resolve()), *sys.argv[1:]])


# --- up ---------------------------------------------------------------------------------------


def manage(*args: str, capture: bool = False) -> str:
    result = sh(BIN / "python", "manage.py", *args, check=True, capture_output=capture, text=True)
    return result.stdout if capture else ""


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def stop(children: dict[str, subprocess.Popen], grace: float = 20.0) -> None:
    for proc in children.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + grace
    for name, proc in children.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"dev.py: {name} did not stop in {grace:.0f} s, killing it", flush=True)
        # Whatever is left in the child's process group (gunicorn workers, say) goes too.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()


def up(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dev.py up")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    port = parser.parse_args(argv).port
    if port_open(port):
        print(f"dev.py: port {port} is already in use; choose another with --port or PORT", file=sys.stderr)
        return 1
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var")).resolve()
    log_dir = var_dir / "log"
    log_dir.mkdir(parents=True, exist_ok=True)

    ensure_system_packages(RUN_PACKAGES)
    manage("migrate", "--noinput")
    logins = manage("load_demo", capture=True)
    manage("collectstatic", "--noinput", "-v0")

    from gunicorn import config as gunicorn_config  # inside the venv by now

    # Newer gunicorns open a control socket in ~/.gunicorn, shared by every instance: not here.
    no_ctl = ["--no-control-socket"] if hasattr(gunicorn_config, "ControlSocket") else []
    commands = {
        "web": [BIN / "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
                "--access-logfile", "-", "--error-logfile", "-", *no_ctl],
        "worker": [BIN / "celery", "-A", "config", "worker", "--pool=solo", "-l", "info"],
        "beat": [BIN / "celery", "-A", "config", "beat", "-l", "info"],
    }
    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    for name, cmd in commands.items():
        with open(log_dir / f"{name}.log", "ab") as log:
            # Own session: Ctrl-C reaches dev.py only, which then stops each child in order.
            children[name] = subprocess.Popen([str(c) for c in cmd], cwd=ROOT, stdout=log,
                                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                              start_new_session=True)

    deadline = time.monotonic() + 60
    while not stopping and not port_open(port) and time.monotonic() < deadline:
        if any(p.poll() is not None for p in children.values()):
            break
        time.sleep(0.2)

    failed = None
    if port_open(port) and all(p.poll() is None for p in children.values()):
        url = f"http://127.0.0.1:{port}/"
        print("", "=" * 72, f"评选表彰系统 is running at {url}", f"  health:  {url}healthz (public)",
              f"  login:   {url}login/", "", logins.rstrip(), "", "Processes and logs:", sep="\n")
        for name, proc in children.items():
            print(f"  {name:<7} pid {proc.pid:<8} {log_dir / (name + '.log')}")
        print("Press Ctrl-C to stop.", "=" * 72, sep="\n", flush=True)
    elif not stopping:
        failed = f"web (port {port} never opened)"

    while not stopping and failed is None:
        for name, proc in children.items():
            if proc.poll() is not None:
                failed = f"{name} (exit code {proc.returncode})"
        time.sleep(0.5)

    if failed:
        print(f"dev.py: {failed} stopped; stopping the others. See the logs in {log_dir}", file=sys.stderr)
    else:
        print("dev.py: stopping web, worker and beat ...", flush=True)
    stop(children)
    print("dev.py: all processes stopped.", flush=True)
    return 1 if failed else 0


# --- test -------------------------------------------------------------------------------------


# Debian packages the system needs: Pango and the CJK fonts for the PDF forms (WeasyPrint), HarfBuzz's
# subsetter (an 18x faster PDF), and for the tests Chromium and poppler (reading PDFs back).
RUN_PACKAGES = ("fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0")
TEST_PACKAGES = (*RUN_PACKAGES, "chromium", "poppler-utils")


def ensure_system_packages(packages: tuple[str, ...]) -> None:
    """Install the Debian packages that are missing, when we can (root + apt-get); else say what is missing."""
    if not shutil.which("dpkg-query"):
        return

    def installed(pkg: str) -> bool:
        query = sh("dpkg-query", "-W", "-f=${Status}", pkg, capture_output=True, text=True)
        return query.stdout == "install ok installed"

    missing = [pkg for pkg in packages if not installed(pkg)]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"dev.py: {' '.join(missing)} not installed (need root + apt-get); PDFs may lack CJK glyphs and browser tests will skip")
        return
    print(f"dev.py: installing {' '.join(missing)} with apt-get", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = f"apt-get update -qq && apt-get install -y -qq {' '.join(missing)}"
    if subprocess.run(cmd, shell=True, env=env).returncode != 0:
        print("dev.py: apt-get failed; browser tests will skip", file=sys.stderr)


def test_workers(argv: list[str]) -> list[str]:
    """pytest-xdist options: one test process per core (at most 4; ``TEST_WORKERS=0`` runs serially).

    Each worker has its own VAR_DIR and Redis database (config.settings.base); a test file stays on
    one worker (``--dist loadfile``), so a module's browser, live server or Celery worker is started once.
    """
    if any(arg == "-n" or arg.startswith(("-n", "--numprocesses", "--dist")) for arg in argv):
        return []
    workers = int(os.environ.get("TEST_WORKERS", min(4, os.cpu_count() or 1)))
    return ["-n", str(workers), "--dist", "loadfile"] if workers > 1 else []


def test(argv: list[str]) -> int:
    ensure_system_packages(TEST_PACKAGES)
    code = sh(BIN / "pytest", *test_workers(argv), *argv).returncode
    if code == 5:
        print("dev.py: pytest collected no tests; that is a failure", file=sys.stderr)
    return code


def lint(argv: list[str]) -> int:
    return sh(BIN / "ruff", "check", *(argv or ["."])).returncode


def main() -> int:
    commands = {"up": up, "test": test, "lint": lint}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    bootstrap()
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
