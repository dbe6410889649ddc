import os
import socket

from celery import shared_task
from django.conf import settings

from .models import WorkerHeartbeat


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
