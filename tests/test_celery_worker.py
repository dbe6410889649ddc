"""A real Celery worker, in its own process, takes a task from the broker and writes to the test database.

Runs on whatever the settings use: the embedded default (SQLite file + kombu's filesystem
transport) or PostgreSQL + Redis when ``DATABASE_URL`` / ``REDIS_URL`` are set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from core.models import WorkerHeartbeat
from core.tasks import record_heartbeat

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60
TASK_TIMEOUT = 30


def _test_database_url() -> str:
    """The URL of the database the tests run on (pytest-django has already created it)."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """``(process, queue)``: a solo-pool worker consuming only a queue unique to this run."""
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_TASK_ALWAYS_EAGER", "DATABASE_URL", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=database_url,
        VAR_DIR=str(settings.VAR_DIR),
        CELERY_FS_DIR=str(settings.CELERY_FS_DIR),
    )
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    cmd = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "info",
        "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while " ready." not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield process, queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_worker_process_runs_the_task_on_the_configured_broker(celery_worker, transactional_db):
    process, queue = celery_worker
    token = uuid.uuid4().hex
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # this test is about the real path, whatever else is set
    try:
        record_heartbeat.apply_async(kwargs={"source": "test", "token": token}, queue=queue)
    finally:
        celery_app.conf.task_always_eager = eager

    deadline = time.monotonic() + TASK_TIMEOUT
    heartbeat = None
    while heartbeat is None and time.monotonic() < deadline:
        assert process.poll() is None, "the worker died"
        heartbeat = WorkerHeartbeat.objects.filter(token=token).first()
        if heartbeat is None:
            time.sleep(0.2)

    assert heartbeat is not None, f"no heartbeat with token {token} within {TASK_TIMEOUT} s"
    assert heartbeat.source == "test"
    assert heartbeat.pid == process.pid
    assert heartbeat.pid != os.getpid()
    assert heartbeat.broker == ("redis" if os.environ.get("REDIS_URL") else "filesystem")
