"""Background work of nominations: thin tasks that fetch by id and call the module that does it."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import translation

from core.tasks import ReliableTask

from . import imports

log = logging.getLogger(__name__)


@shared_task(base=ReliableTask, bind=True, ignore_result=True, soft_time_limit=600, time_limit=720)
def run_import(self, *, job_id: int) -> str | None:
    """Validate and import one uploaded Excel file (``ImportJob``), all rows or none.

    Idempotent: a job already done (or refused) is not run again. An unexpected error rolls back
    and is retried; once the retries are spent the job is marked failed so the page stops waiting.
    """
    try:
        with translation.override(settings.LANGUAGE_CODE):
            job = imports.run_job(job_id)
    except Exception:
        if self.request.called_directly or self.request.retries >= self.max_retries:
            imports.mark_crashed(job_id)
        log.exception("import job %s raised", job_id)
        raise
    return job.status if job else None
