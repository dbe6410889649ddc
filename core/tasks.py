import logging
import os
import socket

from celery import Task, shared_task
from django.conf import settings

from .models import TaskFailure, WorkerHeartbeat

log = logging.getLogger(__name__)


class ReliableTask(Task):
    """Acknowledged late, rejected back to the queue if the worker dies, retried with backoff,
    and recorded as a ``TaskFailure`` for staff once the retries are spent."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (Exception,)
    max_retries = 5
    retry_backoff = True
    retry_backoff_max = 300

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
