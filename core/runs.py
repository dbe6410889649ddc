"""Runs of reliable tasks: recorded when a worker starts one, sent again when that worker died.

Why: tasks are acknowledged late, so a worker killed mid-task (kill -9, power loss) leaves its
message unacknowledged. Redis hands it out again after the visibility timeout. kombu's filesystem
transport (the embedded default) cannot: it deletes the message file when a worker takes it and
keeps the unacknowledged message only in that worker's memory (``QoS._delivered``), restored on a
clean shutdown but gone with a killed process. So every run of a ``ReliableTask`` is a ``TaskRun``
row, and ``recover`` sends again the runs whose process is gone:

- on the same host, a run whose process no longer exists (pid and its /proc start time), checked
  when a worker starts and by beat every two minutes;
- from another host, a run silent for longer than its hard time limit plus the retry delay.

A run may so be delivered twice (Redis redelivers it too): ``begin`` does nothing for a run that is
done or running in a live process, and every task is idempotent anyway (docs in each task).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import TaskFailure, TaskRun

log = logging.getLogger(__name__)

SKIP = object()
UNTRACKED = object()
MAX_RECOVERIES = 3  # a task killed by its own hard time limit every time is given up, not looped
GRACE = dt.timedelta(seconds=60)


def _stat(pid: int | None) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state first); [] when gone or not on Linux."""
    if not pid:
        return []
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rpartition(")")[2].split()
    except OSError:
        return []


def process_token(pid: int | None) -> str:
    """The start time of a process (field 22 of /proc/<pid>/stat): a reused pid has another."""
    fields = _stat(pid)
    return fields[19] if len(fields) > 19 else ""


def is_alive(pid: int | None, token: str) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    fields = _stat(pid)
    if fields and fields[0] in ("Z", "X"):
        return False  # killed, not yet reaped (an orphaned pool process under a PID 1 that does not reap)
    current = fields[19] if len(fields) > 19 else ""
    return not (token and current and current != token)  # a new process that reuses the pid


def _worker_pid() -> int:
    """The worker's main process: the parent of a prefork pool process, itself in the solo pool."""
    from billiard.process import current_process

    return os.getpid() if current_process().name == "MainProcess" else os.getppid()


def hard_limit(task_name: str) -> dt.timedelta:
    from config.celery import app

    task = app.tasks.get(task_name)
    seconds = (task and task.time_limit) or app.conf.task_time_limit or 3600
    return dt.timedelta(seconds=seconds)


def begin(task):
    """Record that this process runs the current message; ``SKIP`` if it is done or running elsewhere."""
    request = task.request
    if request.called_directly or request.is_eager or not request.id or not getattr(task, "track_runs", True):
        return UNTRACKED
    me, host = os.getpid(), socket.gethostname()
    worker = _worker_pid()
    now = timezone.now()
    delivery = request.delivery_info or {}
    with transaction.atomic():
        run = TaskRun.objects.select_for_update().filter(task_id=request.id).first()
        if run is None:
            try:
                with transaction.atomic():
                    run = TaskRun.objects.create(
                        task_id=request.id, task=task.name, status=TaskRun.Status.STARTED
                    )
            except IntegrityError:
                run = TaskRun.objects.select_for_update().get(task_id=request.id)
        elif run.status == TaskRun.Status.DONE:
            log.info("task %s %s is done already: not run again", task.name, request.id)
            return SKIP
        elif (
            run.status == TaskRun.Status.STARTED
            and run.pid != me
            and run.retries
            == (request.retries or 0)  # a retry message may start before its sender marks the run
            and (
                is_alive(run.pid, run.pid_started)
                if run.hostname == host
                else now - run.updated_at < hard_limit(task.name)
            )
        ):
            log.info(
                "task %s %s runs in process %s on %s: not run twice",
                task.name,
                request.id,
                run.pid,
                run.hostname,
            )
            return SKIP
        run.task = task.name
        run.kwargs = request.kwargs or {}
        run.queue = delivery.get("routing_key") or run.queue
        run.status = TaskRun.Status.STARTED
        run.hostname, run.pid, run.pid_started = host, me, process_token(me)
        run.worker_pid, run.worker_started = worker, process_token(worker)
        run.retries = request.retries or 0
        run.deliveries += 1
        run.started_at, run.finished_at = now, None
        run.save()
    return run.task_id


def finish(token, status: str) -> None:
    if token in (UNTRACKED, SKIP):
        return
    finished = timezone.now() if status != TaskRun.Status.RETRY else None
    TaskRun.objects.filter(task_id=token).update(
        status=status, finished_at=finished, updated_at=timezone.now()
    )


def _orphaned(run: TaskRun, *, host: str, now: dt.datetime, local_only: bool) -> bool:
    if run.recovered_at and run.started_at and run.recovered_at > run.started_at:
        # Sent again and not started since: give that message time before sending another.
        return now - run.recovered_at > hard_limit(run.task) + GRACE
    if run.hostname == host:
        if run.status == TaskRun.Status.STARTED:
            return not is_alive(run.pid, run.pid_started)
        # Waiting to retry: the retry message (an ETA) is held by the worker's main process.
        return not is_alive(run.worker_pid, run.worker_started)
    if local_only:
        return False
    from core.tasks import ReliableTask

    return (
        now - run.updated_at
        > hard_limit(run.task) + dt.timedelta(seconds=ReliableTask.retry_backoff_max) + GRACE
    )


def recover(*, local_only: bool = False, now: dt.datetime | None = None) -> list[str]:
    """Send again every run left behind by a dead worker; return their task ids."""
    from config.celery import app

    now = now or timezone.now()
    host = socket.gethostname()
    sent = []
    for run in TaskRun.objects.filter(status__in=(TaskRun.Status.STARTED, TaskRun.Status.RETRY)).order_by(
        "pk"
    ):
        if not _orphaned(run, host=host, now=now, local_only=local_only):
            continue
        if run.recoveries >= MAX_RECOVERIES or run.task not in app.tasks:
            if TaskRun.objects.filter(pk=run.pk, updated_at=run.updated_at).update(
                status=TaskRun.Status.LOST, finished_at=now
            ):
                TaskFailure.objects.create(
                    task=run.task,
                    task_id=run.task_id,
                    arguments=run.kwargs,
                    error=f"执行该任务的进程已退出，已重新发送{run.recoveries}次仍未完成，不再自动重试。",
                )
            continue
        # Claimed by its updated_at: two sweeps at once send it once.
        if not TaskRun.objects.filter(pk=run.pk, updated_at=run.updated_at).update(
            recoveries=run.recoveries + 1, recovered_at=now, updated_at=now
        ):
            continue
        options = {"queue": run.queue} if run.queue else {}
        app.send_task(run.task, kwargs=run.kwargs, task_id=run.task_id, **options)
        log.warning(
            "task %s %s was left by a dead process %s on %s: sent again",
            run.task,
            run.task_id,
            run.pid,
            run.hostname,
        )
        sent.append(run.task_id)
    return sent


def recovery_enabled() -> bool:
    return getattr(settings, "TASK_RECOVERY", True)


def purge_finished(*, now: dt.datetime | None = None) -> int:
    """Delete the runs that finished (done) more than ``TASK_RUN_RETENTION_DAYS`` ago; return how many.

    A run only guards against a second delivery of its message, which Redis makes within its
    visibility timeout (hours): a month later the row guards nothing, and a beat every 30 s would
    otherwise leave ~3,000 rows a day. Failed and given-up runs stay: staff read them beside their
    TaskFailure.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.TASK_RUN_RETENTION_DAYS)
    deleted, _ = TaskRun.objects.filter(status=TaskRun.Status.DONE, finished_at__lt=cutoff).delete()
    return deleted
