"""Task runs (core.runs): a finished run is not done again, a run left by a dead process is sent
again, and the task time limits stay under Redis's visibility timeout (core.checks)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess

import pytest
from django.utils import timezone

from config.celery import app
from core import runs
from core.checks import check_task_limits, task_limits
from core.models import TaskFailure, TaskRun
from core.tasks import record_heartbeat

pytestmark = pytest.mark.django_db


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_every_task_has_limits_under_the_redis_visibility_timeout(settings):
    limits = task_limits()
    assert {"documents.tasks.build_document_batch", "nominations.tasks.run_import", "core.tasks.reliability_probe",
            "publicity.tasks.close_notice_task", "core.tasks.record_heartbeat"} <= set(limits)  # fmt: skip
    assert all(hard and soft and soft < hard for soft, hard in limits.values()), limits
    assert max(hard for _soft, hard in limits.values()) == 1800  # the document batch
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 7200}
    assert check_task_limits() == []
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}  # 1800 s + the 1800 s ETA horizon
    errors = check_task_limits()
    assert [e.id for e in errors] == ["core.E103"] and "build_document_batch" in errors[0].msg


def test_a_task_without_a_hard_limit_fails_the_check(monkeypatch):
    monkeypatch.setattr(record_heartbeat, "time_limit", None)
    default = app.conf.task_time_limit
    app.conf.task_time_limit = None
    try:
        errors = check_task_limits()
    finally:
        app.conf.task_time_limit = default
    assert "core.E101" in {e.id for e in errors}
    assert any("core.tasks.record_heartbeat" in e.msg for e in errors)


def _run(status="started", **kw) -> TaskRun:
    values = dict(task_id=f"t-{os.urandom(4).hex()}", task="core.tasks.reliability_probe", kwargs={"key": "k"},
                  queue="q1", status=status, hostname=socket.gethostname(), pid=dead_pid(), worker_pid=dead_pid(),
                  started_at=timezone.now(), deliveries=1)  # fmt: skip
    values.update(kw)
    return TaskRun.objects.create(**values)


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(app, "send_task", lambda name, **kw: calls.append((name, kw)))
    return calls


def test_a_run_of_a_dead_process_on_this_host_is_sent_again_once(sent):
    run = _run()
    assert runs.recover(local_only=True) == [run.task_id]
    assert sent == [
        ("core.tasks.reliability_probe", {"kwargs": {"key": "k"}, "task_id": run.task_id, "queue": "q1"})
    ]
    run.refresh_from_db()
    assert (run.status, run.recoveries) == ("started", 1) and run.recovered_at
    assert runs.recover() == []  # sent again and not started since: the message gets its time
    TaskRun.objects.filter(pk=run.pk).update(recovered_at=timezone.now() - dt.timedelta(seconds=200))
    assert runs.recover() == [run.task_id]  # past the probe's 60 s hard limit + grace


def test_live_runs_and_finished_runs_are_left_alone(sent):
    _run(pid=os.getpid())  # alive
    _run(status="done")
    _run(status="retry", worker_pid=os.getpid())  # its worker holds the retry message
    _run(hostname="other-host")  # another host, recently active
    assert runs.recover() == [] and sent == []


def test_a_silent_run_on_another_host_is_sent_again_after_its_limit(sent):
    run = _run(hostname="other-host")
    TaskRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=30))
    assert runs.recover(local_only=True) == []  # a worker starting elsewhere cannot know
    assert runs.recover() == [run.task_id]


def test_a_run_that_keeps_dying_is_given_up_for_staff(sent):
    run = _run(recoveries=runs.MAX_RECOVERIES)
    gone = _run(task="removed.task")
    assert runs.recover() == [] and sent == []
    assert set(TaskRun.objects.filter(pk__in=[run.pk, gone.pk]).values_list("status", flat=True)) == {"lost"}
    failure = TaskFailure.objects.get(task_id=run.task_id)
    assert "不再自动重试" in failure.error


def test_a_delivery_is_skipped_when_done_or_running_in_a_live_process(db):
    from core.tasks import reliability_probe

    def deliver(task_id: str, retries: int = 0):
        reliability_probe.push_request(id=task_id, called_directly=False, is_eager=False, retries=retries,
                                       delivery_info={"routing_key": "q9"}, kwargs={"key": task_id, "seconds": 0})  # fmt: skip
        try:
            return runs.begin(reliability_probe)
        finally:
            reliability_probe.pop_request()

    token = deliver("a1")
    run = TaskRun.objects.get(task_id="a1")
    assert token == "a1" and (run.status, run.pid, run.queue, run.deliveries) == (
        "started",
        os.getpid(),
        "q9",
        1,
    )
    assert deliver("a1") == "a1"  # the same process again (a retry): runs
    _run(task_id="a2", pid=os.getppid())  # another live process runs it
    assert deliver("a2") is runs.SKIP
    # Its retry message, started before the sender marked the run "retry": runs.
    assert deliver("a2", retries=1) == "a2" and TaskRun.objects.get(task_id="a2").retries == 1
    _run(task_id="a3")  # its process died: this delivery takes over
    assert deliver("a3") == "a3" and TaskRun.objects.get(task_id="a3").deliveries == 2
    runs.finish("a3", TaskRun.Status.DONE)
    assert deliver("a3") is runs.SKIP


def test_runs_finished_past_the_retention_are_purged_and_failures_stay(settings):
    from core.tasks import purge_task_runs

    settings.TASK_RUN_RETENTION_DAYS = 30
    now = timezone.now()
    old_done = _run(status="done", finished_at=now - dt.timedelta(days=31))
    recent_done = _run(status="done", finished_at=now - dt.timedelta(days=29))
    old_failed = _run(status="failed", finished_at=now - dt.timedelta(days=400))
    old_lost = _run(status="lost", finished_at=now - dt.timedelta(days=400))
    running = _run()

    assert purge_task_runs() == 1

    left = set(TaskRun.objects.values_list("pk", flat=True))
    assert old_done.pk not in left
    assert {recent_done.pk, old_failed.pk, old_lost.pk, running.pk} <= left
    assert "core.tasks.purge_task_runs" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
