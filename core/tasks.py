import logging
import os
import socket
import time

from celery import Task, shared_task
from celery.exceptions import Retry
from celery.signals import worker_ready
from django.conf import settings
from django.db import IntegrityError

from . import runs
from .models import ReliabilityProbe, TaskFailure, WorkerHeartbeat

log = logging.getLogger(__name__)


class ReliableTask(Task):
    """Acknowledged late, rejected back to the queue if the worker dies, retried with backoff,
    and recorded as a ``TaskFailure`` for staff once the retries are spent.

    Each run a worker takes is a ``TaskRun`` (core.runs): a run finished already is not done again
    when its message comes twice, and a run whose worker was killed is sent again. Every task
    must still be idempotent: a worker can die after the work committed and before the run is
    marked done. Time limits: the settings' defaults, or ``soft_time_limit``/``time_limit`` on
    the task; core.checks keeps them under Redis's visibility timeout.
    """

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (Exception,)
    max_retries = 5
    retry_backoff = True
    retry_backoff_max = 300
    track_runs = True

    def __call__(self, *args, **kwargs):
        if self.request.called_directly:
            return super().__call__(*args, **kwargs)
        token = runs.begin(self)
        if token is runs.SKIP:
            return None
        try:
            result = self.run(*args, **kwargs)
        except Retry:
            runs.finish(token, runs.TaskRun.Status.RETRY)
            raise
        except BaseException:
            runs.finish(token, runs.TaskRun.Status.FAILED)
            raise
        runs.finish(token, runs.TaskRun.Status.DONE)
        return result

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        TaskFailure.objects.create(task=self.name, task_id=task_id or "", arguments=kwargs or {}, error=repr(exc)[:2000])
        log.error("task %s failed past its retries: %r", self.name, exc)


@shared_task(acks_late=True, ignore_result=True)
def record_heartbeat(*, source: str, token: str = "") -> None:
    """Idempotent per token: a redelivered message writes nothing twice."""
    if token and WorkerHeartbeat.objects.filter(token=token).exists():
        return
    WorkerHeartbeat.objects.create(
        source=source,
        token=token,
        hostname=socket.gethostname(),
        pid=os.getpid(),
        broker=settings.CELERY_BROKER_URL.split("://", 1)[0],
    )


@shared_task(base=ReliableTask, ignore_result=True, track_runs=False, soft_time_limit=50, time_limit=60)
def recover_task_runs() -> list[str]:
    """Beat: send again the runs left behind by dead workers (core.runs)."""
    return runs.recover() if runs.recovery_enabled() else []


@shared_task(base=ReliableTask, ignore_result=True, track_runs=False, soft_time_limit=240, time_limit=300)
def purge_task_runs() -> int:
    """Beat, daily: drop the records of runs finished long ago (core.runs.purge_finished)."""
    return runs.purge_finished()


@worker_ready.connect
def _recover_at_worker_start(sender=None, **kwargs) -> None:
    """A worker restarted after a crash sends again what the dead one was doing on this host."""
    if not runs.recovery_enabled():
        return
    try:
        sent = runs.recover(local_only=True)
    except Exception:  # never keep a worker from starting
        log.exception("recovering task runs at worker start failed")
        return
    if sent:
        log.warning("sent again %d task(s) left by a dead worker: %s", len(sent), ", ".join(sent))


@shared_task(base=ReliableTask, ignore_result=True, soft_time_limit=50, time_limit=60)
def reliability_probe(*, key: str, seconds: float = 3.0) -> None:
    """Operations probe (and the kill -9 test): marks ``started`` per delivery, works a while, then
    marks ``done`` once per key (a unique constraint), however often it is delivered."""
    ReliabilityProbe.objects.create(key=key, phase="started", pid=os.getpid())
    time.sleep(seconds)
    try:
        ReliabilityProbe.objects.create(key=key, phase="done", pid=os.getpid())
    except IntegrityError:
        log.info("probe %s was done already", key)
