"""Windows open and close at their instants; reminders go to the responsible staff.

Two paths close a window: a task queued with an ETA at the closing instant, and a sweeper that
beat runs every minute. If the worker or beat was down at the instant, the sweeper closes the
window when they come back. Both call the idempotent ``close_notice``, so the window closes
exactly once whichever runs first, or if a message is redelivered.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from core.notify import notify
from core.tasks import ReliableTask
from orgs.models import Role, User

from . import services
from .models import Notice, Objection

log = logging.getLogger(__name__)


def schedule_notice(notice_id: int) -> None:
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        return
    if notice.status == Notice.Status.SCHEDULED:
        open_notice_task.apply_async(kwargs={"notice_id": notice_id}, eta=notice.opens_at)
    close_notice_task.apply_async(kwargs={"notice_id": notice_id}, eta=notice.closes_at)


@shared_task(base=ReliableTask, ignore_result=True)
def open_notice_task(*, notice_id: int) -> bool:
    return services.start_notice(notice_id)


@shared_task(base=ReliableTask, ignore_result=True)
def close_notice_task(*, notice_id: int) -> bool:
    closed = services.close_notice(notice_id)
    if closed:
        log.info("notice %s closed", notice_id)
    return closed


@shared_task(base=ReliableTask, ignore_result=True)
def sweep_notices() -> dict:
    """Catch up on every instant that passed (beat, every minute)."""
    to_open, to_close = services.due_notices()
    opened = [pk for pk in to_open if services.start_notice(pk)]
    closed = [pk for pk in to_close if services.close_notice(pk)]
    return {"opened": opened, "closed": closed}


def _responsible(notice: Notice):
    """Staff of the level that issued the notice (and above): unit staff, screeners, office."""
    roles = (Role.UNIT_STAFF, Role.SCREENER, Role.OFFICE)
    ancestors = [a.pk for a in notice.issuer.ancestors()]
    return User.objects.filter(
        is_active=True, role_assignments__revoked_at__isnull=True, role_assignments__role__in=roles,
        role_assignments__scope_id__in=ancestors,
    ).distinct()


@shared_task(base=ReliableTask, ignore_result=True)
def notify_objection(*, objection_id: int) -> int:
    objection = Objection.objects.select_related("notice__issuer", "entry").filter(pk=objection_id).first()
    if objection is None:
        return 0
    return notify(
        _responsible(objection.notice), key=f"objection:{objection.pk}",
        text=f"收到对“{objection.entry.name}”的异议（回执码 {objection.receipt_code}），请及时核查。",
        url=f"/publicity/objections/{objection.pk}/",
    )


@shared_task(base=ReliableTask, ignore_result=True)
def send_reminders(*, now: str | None = None) -> int:
    """Windows closing tomorrow; objections waiting for assignment; investigations due before the close."""
    moment = dt.datetime.fromisoformat(now) if now else timezone.now()
    sent = 0
    soon = moment + dt.timedelta(days=1)
    for notice in Notice.objects.filter(status=Notice.Status.OPEN, closes_at__gt=moment, closes_at__lte=soon).select_related("issuer"):
        sent += notify(
            _responsible(notice), key=f"closing:{notice.pk}",
            text=f"公示“{notice.title}”将于{timezone.localtime(notice.closes_at):%m月%d日 %H:%M}截止。",
            url=f"/publicity/notices/{notice.pk}/",
        )
    waiting = Objection.objects.filter(
        Q(status=Objection.Status.RECEIVED, created_at__lte=moment - dt.timedelta(hours=4))
        | Q(status=Objection.Status.INVESTIGATING, notice__closes_at__lte=soon)
    ).select_related("notice__issuer", "entry")
    for objection in waiting:
        what = "待分派核查" if objection.status == Objection.Status.RECEIVED else "核查须在公示截止前办结"
        sent += notify(
            _responsible(objection.notice), key=f"objection-due:{objection.pk}:{objection.status}",
            text=f"异议 {objection.receipt_code}（{objection.entry.name}）{what}。",
            url=f"/publicity/objections/{objection.pk}/",
        )
    return sent
