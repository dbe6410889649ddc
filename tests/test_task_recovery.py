"""A task whose worker is killed mid-way (kill -9 of its process group) is done exactly once after restart.

A real prefork worker (concurrency 1) runs ``core.tasks.reliability_probe`` on the test database
and the configured broker; the test kills the pool process and the main process with SIGKILL
while the probe sleeps, starts a new worker, and waits for the probe to finish.

Two mechanisms bring the task back, tested separately:

- ``recovery`` (both brokers): the new worker finds the ``TaskRun`` of a dead process on its host
  and sends the message again (core.runs). The only way on kombu's filesystem transport, which
  deletes the message file when a worker takes it.
- ``broker`` (Redis only): with recovery off, Redis hands the unacknowledged message out again once
  the visibility timeout (8 s here, via ``CELERY_VISIBILITY_TIMEOUT``) has passed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from core.models import ReliabilityProbe, TaskRun
from core.runs import is_alive
from core.tasks import reliability_probe

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PROJECT = Path(settings.BASE_DIR)
READY = 60
DONE_WITHIN = 90


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def purge_broker() -> None:
    if settings.REDIS_URL:
        from django.core.cache import cache

        cache.clear()  # the cache shares the Redis database with the broker
        return
    for sub in ("out", "processed"):
        folder = Path(settings.CELERY_FS_DIR) / sub
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)


class Worker:
    def __init__(self, name: str, queue: str, workdir: Path, extra_env: dict) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"CELERY_TASK_ALWAYS_EAGER", "PYTEST_CURRENT_TEST"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DATABASE_URL=database_url(),
            VAR_DIR=str(settings.VAR_DIR),
            CELERY_FS_DIR=str(settings.CELERY_FS_DIR),
            PYTHONPATH=str(PROJECT),
            **extra_env,
        )
        self.log = workdir / f"{name}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
             "-l", "info", "-Q", queue, "-n", f"{name}-{queue}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=PROJECT, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: kill -9 reaches the pool process too
        )  # fmt: skip
        deadline = time.monotonic() + READY
        while " ready." not in self.text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the worker did not start:\n{self.text()}")
            time.sleep(0.2)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture
def workers():
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def wait_for(predicate, timeout: float, what: str, logs) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what} not within {timeout} s\n{logs()}")
        time.sleep(0.2)
    return time.monotonic() - start


@pytest.mark.parametrize("mechanism", ["recovery", "broker"])
def test_a_task_killed_with_its_worker_is_done_exactly_once_after_restart(mechanism, workers, tmp_path):
    if mechanism == "broker" and not settings.REDIS_URL:
        pytest.skip(
            "kombu's filesystem transport deletes a message when a worker takes it: only the recovery brings it back"
        )
    purge_broker()
    queue = f"kill-{uuid.uuid4().hex[:10]}"
    env = {"TASK_RECOVERY": "1" if mechanism == "recovery" else "0"}
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
        if mechanism == "broker":
            env.update(CELERY_VISIBILITY_TIMEOUT="8", CELERY_RESTORE_INTERVAL="1")
    key = uuid.uuid4().hex

    def logs() -> str:
        return "\n".join(f"--- {w.log.name} ---\n{w.text()[-5000:]}" for w in workers)

    workers.append(Worker("first", queue, tmp_path, env))
    first = workers[0]
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # this test is about the real path, whatever else is set
    try:
        result = reliability_probe.apply_async(kwargs={"key": key, "seconds": 4}, queue=queue)
    finally:
        celery_app.conf.task_always_eager = eager
    wait_for(
        lambda: ReliabilityProbe.objects.filter(key=key, phase="started").exists(),
        30,
        "the probe did not start",
        logs,
    )

    started = ReliabilityProbe.objects.get(key=key, phase="started")
    run = TaskRun.objects.get(task_id=result.id)
    assert started.pid == run.pid != first.proc.pid  # the pool process, not the main one
    assert (run.status, run.worker_pid, run.deliveries, run.queue) == ("started", first.proc.pid, 1, queue)
    first.kill9()
    wait_for(lambda: not is_alive(run.pid, run.pid_started), 5, "the pool process outlived SIGKILL", logs)
    assert not is_alive(run.worker_pid, run.worker_started)
    assert not ReliabilityProbe.objects.filter(key=key, phase="done").exists(), (
        "the probe was not killed mid-way"
    )

    restarted = time.monotonic()
    workers.append(Worker("second", queue, tmp_path, env))
    took = wait_for(
        lambda: ReliabilityProbe.objects.filter(key=key, phase="done").exists(),
        DONE_WITHIN,
        "the probe was not done after the restart",
        logs,
    )
    print(
        f"{mechanism} on {'redis' if settings.REDIS_URL else 'filesystem'}: done {took:.1f} s after the second "
        f"worker was ready, {time.monotonic() - restarted:.1f} s after starting it"
    )

    time.sleep(6)  # let any further delivery (a redelivery, a second recovery) arrive: still once
    assert ReliabilityProbe.objects.filter(key=key, phase="done").count() == 1
    assert ReliabilityProbe.objects.filter(key=key, phase="started").count() == 2, logs()  # killed + finished
    run.refresh_from_db()
    second = workers[1]
    done = ReliabilityProbe.objects.get(key=key, phase="done")
    assert done.pid != started.pid and run.worker_pid == second.proc.pid
    assert (run.status, run.deliveries) == (TaskRun.Status.DONE, 2)
    if mechanism == "recovery":
        assert run.recoveries == 1 and "sent again 1 task(s) left by a dead worker" in second.text()
    else:
        assert run.recoveries == 0 and run.recovered_at is None  # Redis redelivered it, nobody re-sent it
