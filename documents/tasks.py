"""Thin tasks: keyword-only ids, fetch, call the service (STYLE.md 7)."""

from __future__ import annotations

from celery import shared_task

from core.tasks import ReliableTask


# The longest task: a whole campaign's forms (hundreds of PDFs) on a busy worker.
@shared_task(base=ReliableTask, ignore_result=True, soft_time_limit=1500, time_limit=1800)
def build_document_batch(*, batch_id: int) -> None:
    """Build one batch's ZIP. Idempotent: a batch is one content version (same content hash, same
    row), and a batch already built is left as it is; a second build replaces the file, never adds one."""
    from .services import build_batch

    build_batch(batch_id)


@shared_task(base=ReliableTask, ignore_result=True)
def purge_downloaded_batches(*, days: int = 7) -> int:
    """Free the disk: files of batches downloaded more than ``days`` ago (they can be built again)."""
    import datetime as dt

    from .services import purge_downloaded

    return purge_downloaded(older_than=dt.timedelta(days=days))
