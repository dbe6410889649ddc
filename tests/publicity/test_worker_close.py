"""A real Celery worker and beat close a window whose instant passed while they were down.

The worker and beat run as separate processes on the test database and the same broker as the
test (the filesystem folder of the embedded default, or Redis when ``REDIS_URL`` is set), with the
sweeper every 2 seconds. The window closes once, whichever of the ETA task and the sweeper runs
first, and closing it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from publicity import services, tasks
from publicity.models import Notice

from .helpers import bulk_notice

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PROJECT = Path(settings.BASE_DIR)
CLOSE_WITHIN = 60  # seconds, from starting the worker


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env() -> dict:
    env = os.environ.copy()
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "VAR_DIR": str(settings.VAR_DIR),
        "CELERY_FS_DIR": str(settings.CELERY_FS_DIR),
        "SWEEP_SECONDS": "2",
        "PYTHONPATH": str(PROJECT),
        "LOG_LEVEL": "INFO",
    })
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    return env


def _purge_broker() -> None:
    """Nothing left over from earlier tests may reach this worker."""
    if settings.REDIS_URL:
        from django.core.cache import cache

        cache.clear()  # the cache shares the Redis database with the broker
        return
    for sub in ("out", "processed"):
        folder = Path(settings.CELERY_FS_DIR) / sub
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)


class Processes:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, *args: str) -> None:
        log = self.workdir / f"{name}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=self.workdir, env=_env(), stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.running.append((name, proc, log))

    def stop(self) -> None:
        for _name, proc, _log in self.running:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _name, proc, _log in self.running:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)

    def logs(self) -> str:
        return "\n".join(f"--- {name} ---\n{log.read_text(errors='replace')[-6000:]}" for name, _p, log in self.running)


@pytest.fixture
def processes(tmp_path):
    procs = Processes(tmp_path)
    yield procs
    procs.stop()


def _wait_for_status(notice: Notice, status: str, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        notice.refresh_from_db()
        if notice.status == status:
            return time.monotonic() - start
        time.sleep(0.25)
    raise AssertionError(f"notice {notice.pk} still {notice.status} after {timeout} s")


def test_worker_started_after_the_instant_closes_the_window_exactly_once(campaign, users, org, processes, tmp_path):
    _purge_broker()
    unit = org("渝北区知识产权保护中心")
    instant = timezone.now() + dt.timedelta(seconds=3)
    notice = bulk_notice(campaign, unit, users["unit_yubei"], entries=3, closes_at=instant)
    # The ETA task is queued now, while no worker runs; the sweeper is the other path.
    assert tasks.schedule_notice(notice.pk) == ["close"]
    # A window whose ETA message was lost (a worker restart on the filesystem broker): only the sweeper can close it.
    lost = bulk_notice(campaign, unit, users["unit_yubei"], entries=1, closes_at=instant)
    version = services.public_version()

    time.sleep(max(0.0, (instant - timezone.now()).total_seconds()) + 1.5)
    for n in (notice, lost):
        n.refresh_from_db()
        assert n.status == Notice.Status.OPEN  # the instant passed with nobody to close it

    started = time.monotonic()
    processes.start("worker", "worker", "--pool=solo", "--loglevel=INFO", "-n", f"publicity-{uuid.uuid4().hex[:8]}@%h",
                    "--without-mingle", "--without-gossip")
    processes.start("beat", "beat", "--loglevel=INFO", "-s", str(tmp_path / f"beat-{uuid.uuid4().hex}"))
    try:
        _wait_for_status(notice, Notice.Status.CLOSED, CLOSE_WITHIN)
        took = time.monotonic() - started
        _wait_for_status(lost, Notice.Status.CLOSED, CLOSE_WITHIN - took)
    except AssertionError:
        pytest.fail(processes.logs())
    took_lost = time.monotonic() - started
    print(f"closed {took:.1f} s (ETA message queued) and {took_lost:.1f} s (sweeper only) after starting worker and beat")

    # Let the other path (the ETA task or further sweeps) run too: still one close.
    time.sleep(5)
    notice.refresh_from_db()
    closed_at, outcome = notice.closed_at, notice.outcome
    assert closed_at is not None and closed_at >= instant
    assert notice.history.filter(history_change_reason="close").count() == 1, processes.logs()
    assert lost.history.filter(history_change_reason="close").count() == 1, processes.logs()
    assert outcome["clean"] == list(notice.entries.order_by("position").values_list("nomination_id", flat=True))
    assert services.public_version() != version  # the worker moved the public pages on

    assert services.close_notice(notice.pk) is False
    notice.refresh_from_db()
    assert (notice.status, notice.closed_at, notice.outcome) == (Notice.Status.CLOSED, closed_at, outcome)
    assert notice.history.filter(history_change_reason="close").count() == 1
