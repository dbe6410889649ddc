"""Writes for the documents: asking for a batch, and building it.

A batch is keyed by its content version (``selectors.content_hash``): asking again while nothing
changed returns the batch already made (or being made); a changed record gives a new version and
so a new batch. Building is a task (``documents.tasks.build_document_batch``) queued on commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from awards.models import Campaign, Category, Quota
from nominations.models import Nomination
from orgs.models import User

from . import selectors
from .forms import collective_approval, consultation, individual_approval, summary
from .forms.common import safe_filename
from .models import DocumentBatch

log = logging.getLogger(__name__)


@dataclass
class Planned:
    """One file of a batch: its path in the ZIP, the records it prints (read once, shared by the
    PDF and the DOCX of a form) and the function that renders them."""

    name: str
    context: Callable[[], dict]
    render: Callable[[dict], bytes]

    def make(self) -> bytes:
        return self.render(self.context())


def _once(fn: Callable[[], dict]) -> Callable[[], dict]:
    """A context computed when the first of its files is made, then shared by its PDF and DOCX."""
    cache: list[dict] = []

    def get() -> dict:
        if not cache:
            cache.append(fn())
        return cache[0]

    return get


def approval_module(nom: Nomination):
    return collective_approval if nom.category == Category.COLLECTIVE else individual_approval


def nomination_files(nom: Nomination, folder: str) -> list[Planned]:
    """Every approval form as PDF and DOCX, and the consultation form, for one nominee."""
    form = approval_module(nom)
    approval_ctx = _once(lambda: form.context(nom))
    consult_ctx = _once(lambda: consultation.context(nom))
    rank = f"{nom.rank:02d}_" if nom.rank else ""
    base = f"{folder}{safe_filename(str(Category(nom.category).label))}/{rank}{safe_filename(nom.display_name)}/"
    files = []
    for ctx, module in ((approval_ctx, form), (consult_ctx, consultation)):
        for ext in ("pdf", "docx"):
            files.append(Planned(base + _form_filename(module, nom, ext), ctx, getattr(module, ext)))
    return files


def _form_filename(module, nom: Nomination, ext: str) -> str:
    from .forms.common import approval_title, form_meta

    if module is consultation:
        meta = form_meta(nom.campaign, consultation.KEY)
    else:
        meta = form_meta(nom.campaign, module.KEY, title=approval_title(nom.campaign, nom.category))
    return meta.filename(nom.display_name, ext=ext)


def summary_files(campaign: Campaign, nominations: list[Nomination], quota: Quota | None, *, folder: str = "",
                  formats=("xlsx", "docx", "pdf")) -> list[Planned]:
    ctx = _once(lambda: summary.context(campaign, nominations, quota=quota))
    who = quota.organisation.name if quota else campaign.office.name
    meta = summary.form_meta(campaign, summary.KEY)
    return [Planned(folder + meta.filename(who, ext=ext), ctx, getattr(summary, ext)) for ext in formats]


def plan(batch: DocumentBatch) -> list[Planned]:
    campaign = selectors.campaign_for_documents(batch.campaign_id)
    if batch.quota_id:
        noms = selectors.package_nominations(batch.quota)
        files = summary_files(campaign, noms, batch.quota)
        for nom in noms:
            files += nomination_files(nom, "")
        return files
    noms = selectors.office_nominations(campaign)
    files = summary_files(campaign, noms, None)
    by_quota: dict[int, list[Nomination]] = {}
    for nom in noms:
        by_quota.setdefault(nom.quota_id, []).append(nom)
    for quota in selectors.office_quotas(campaign):
        mine = by_quota.get(quota.pk)
        if not mine:
            continue
        folder = f"{safe_filename(quota.organisation.name)}/"
        files += summary_files(campaign, mine, quota, folder=folder, formats=("xlsx",))
        for nom in mine:
            files += nomination_files(nom, folder)
    return files


def batch_nominations(campaign: Campaign, quota: Quota | None) -> list[Nomination]:
    return selectors.package_nominations(quota) if quota else selectors.office_nominations(campaign)


def request_batch(*, campaign: Campaign, quota: Quota | None, actor: User) -> DocumentBatch:
    """The batch for the records as they are now: the existing one if nothing changed, else a new one."""
    from .tasks import build_document_batch

    digest = selectors.content_hash(campaign, quota, batch_nominations(campaign, quota))
    key = selectors.scope_key(quota)
    with transaction.atomic():
        batch = DocumentBatch.objects.select_for_update().filter(campaign=campaign, scope_key=key, content_hash=digest).first()
        if batch is not None:
            if batch.status == DocumentBatch.Status.FAILED or (batch.status == DocumentBatch.Status.DONE and not _file_exists(batch)):
                # A failed build, or a file purged after its download: build this version again.
                batch.status, batch.done, batch.message = DocumentBatch.Status.QUEUED, 0, ""
                batch.save(update_fields=["status", "done", "message"])
                transaction.on_commit(lambda: build_document_batch.delay(batch_id=batch.pk))
            return batch
        try:
            with transaction.atomic():
                batch = DocumentBatch.objects.create(
                    scope=DocumentBatch.Scope.QUOTA if quota else DocumentBatch.Scope.OFFICE,
                    campaign=campaign, quota=quota, scope_key=key, content_hash=digest, created_by=actor,
                )
        except IntegrityError:
            # Someone asked for the same version at the same moment: theirs is ours.
            return DocumentBatch.objects.get(campaign=campaign, scope_key=key, content_hash=digest)
        transaction.on_commit(lambda: build_document_batch.delay(batch_id=batch.pk))
    return batch


def _file_exists(batch: DocumentBatch) -> bool:
    return bool(batch.file) and batch.file.storage.exists(batch.file.name)


# Rendering is CPU-bound (font subsetting, layout): a large package is rendered by a few forked
# processes, the ZIP written by this one in the planned order. Small packages stay in-process.
PARALLEL_MIN_FILES = 24
PROGRESS_SECONDS = 0.5
_PLANNED: list[Planned] = []


def batch_processes() -> int:
    from django.conf import settings

    return int(getattr(settings, "DOCUMENTS_BATCH_PROCESSES", min(2, os.cpu_count() or 1)))


_INHERITED: list = []


def _forget_connections() -> None:
    """In a forked renderer: never use the parent's database connection, and never close it either.

    Closing it here would roll back the parent's transaction (SQLite) or end its session (a
    PostgreSQL Terminate message on the shared socket); the handle is kept referenced, and the
    process leaves through ``os._exit`` without finalisers.
    """
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        _INHERITED.append(conn.connection)
        conn.connection = None


def _render_planned(index: int) -> bytes:
    return _PLANNED[index].make()


def render_files(files: list[Planned], *, processes: int | None = None) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) for every planned file, in order; in ``processes`` forked processes when worth it."""
    global _PLANNED
    processes = batch_processes() if processes is None else processes
    if processes <= 1 or len(files) < PARALLEL_MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
        for planned in files:
            yield planned.name, planned.make()
        return
    from concurrent.futures import ProcessPoolExecutor

    for planned in files:
        planned.context()  # every database read here, before the fork
    _PLANNED = files
    try:
        with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_forget_connections) as pool:
            yield from zip((p.name for p in files), pool.map(_render_planned, range(len(files)), chunksize=2), strict=True)
    finally:
        _PLANNED = []


def build_batch(batch_id: int, *, processes: int | None = None) -> DocumentBatch | None:
    """Render every file of the batch into one ZIP, recording progress after each file. Idempotent."""
    batch = DocumentBatch.objects.select_related("campaign__root", "campaign__office", "quota__organisation").filter(pk=batch_id).first()
    if batch is None:
        log.warning("document batch %s is gone", batch_id)
        return None
    if batch.status == DocumentBatch.Status.DONE and _file_exists(batch):
        return batch
    files = plan(batch)
    DocumentBatch.objects.filter(pk=batch.pk).update(
        status=DocumentBatch.Status.RUNNING, total=len(files), done=0, started_at=timezone.now(), message="",
    )
    try:
        with tempfile.TemporaryFile() as tmp:
            # Stored, not deflated: PDF, DOCX and XLSX are compressed already.
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
                reported = time.monotonic()
                for i, (name, data) in enumerate(render_files(files, processes=processes), start=1):
                    zf.writestr(name, data)
                    # Progress for the page polled every second: a write per file (1,200 for a
                    # large package) cost the build seconds, so at most every PROGRESS_SECONDS.
                    if time.monotonic() - reported >= PROGRESS_SECONDS:
                        DocumentBatch.objects.filter(pk=batch.pk).update(done=i)
                        reported = time.monotonic()
            size = tmp.tell()
            tmp.seek(0)
            batch.refresh_from_db()
            who = batch.quota.organisation.name if batch.quota_id else "领导小组办公室"
            if batch.file:
                batch.file.delete(save=False)
            batch.file.save(f"{safe_filename(who)}_{batch.content_hash[:12]}.zip", File(tmp), save=False)
    except Exception as exc:
        DocumentBatch.objects.filter(pk=batch.pk).update(status=DocumentBatch.Status.FAILED, message=f"生成失败：{exc}"[:300])
        raise
    batch.status, batch.size, batch.finished_at = DocumentBatch.Status.DONE, size, timezone.now()
    batch.done = batch.total = len(files)
    batch.save(update_fields=["file", "status", "size", "finished_at", "done", "total"])
    return batch


def record_download(batch: DocumentBatch) -> None:
    """The first download is recorded: from then on the file may be purged (it can be built again)."""
    if batch.downloaded_at is None:
        DocumentBatch.objects.filter(pk=batch.pk, downloaded_at__isnull=True).update(downloaded_at=timezone.now())


def purge_downloaded(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete the files of batches downloaded long ago; the rows stay (the history of who asked when)."""
    cutoff = timezone.now() - older_than
    n = 0
    for batch in DocumentBatch.objects.filter(downloaded_at__lt=cutoff).exclude(file=""):
        batch.file.delete(save=False)
        DocumentBatch.objects.filter(pk=batch.pk).update(file="")
        n += 1
    return n


def batch_filename(batch: DocumentBatch) -> str:
    who = batch.quota.organisation.name if batch.quota_id else "领导小组办公室"
    stamp = timezone.localtime(batch.finished_at or batch.created_at).strftime("%Y%m%d%H%M")
    return f"{safe_filename(batch.campaign.title)}_{safe_filename(who)}_推荐材料_{stamp}.zip"
