"""The daily retention purge (beat: ``audit-retention`` in CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from core.tasks import ReliableTask


@shared_task(base=ReliableTask, ignore_result=True)
def purge_expired() -> int:
    """Idempotent: a second run the same day finds nothing past the period."""
    from .retention import purge

    return purge()
