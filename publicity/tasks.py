"""Windows open and close at their instants; reminders go to the responsible staff.

Two paths close a window, and both call the idempotent ``close_notice`` (it locks the row and does
nothing if the notice is closed already), so the window closes exactly once whichever runs first,
or if a message is delivered twice:

- a task queued with an ETA at the closing instant, so the window closes at the instant;
- a sweeper that beat runs every ``SWEEP_SECONDS`` (30 by default): it closes every window whose
  instant has passed — including all that passed while the worker or beat was down — and queues
  the ETA task of every instant that comes within ``PUBLICITY_ETA_HORIZON`` seconds.

ETA tasks are queued only for instants near at hand: a window lasts a week, and an ETA message
held that long is redelivered by Redis after its visibility timeout (one hour here) and lost
with the worker's memory if it restarts. The sweeper queues it when the instant comes within
reach; the cache remembers what was queued so each instant is queued once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.notify import notify, notify_each
from core.tasks import ReliableTask
from core.versions import DATA, bump
from orgs.models import Role, User

from . import services
from .models import Notice, Objection, Scope

log = logging.getLogger(__name__)

ETA_HORIZON = dt.timedelta(seconds=int(getattr(settings, "PUBLICITY_ETA_HORIZON", 1800)))


def _queue_at(task, *, notice_id: int, what: str, instant: dt.datetime, now: dt.datetime) -> bool:
    if instant - now > ETA_HORIZON:
        return False  # the sweeper queues it when it comes within reach
    key = f"publicity:eta:{what}:{notice_id}:{int(instant.timestamp())}"
    if not cache.add(key, 1, int(ETA_HORIZON.total_seconds()) * 2):
        return False  # already queued
    try:
        task.apply_async(kwargs={"notice_id": notice_id}, eta=max(instant, now))
    except Exception:  # the broker is away: the sweeper closes the window when it is back
        cache.delete(key)
        log.warning("could not queue %s of notice %s", what, notice_id, exc_info=True)
        return False
    return True


def schedule_notice(notice_id: int, *, now: dt.datetime | None = None) -> list[str]:
    """Queue the opening and closing tasks of a notice whose instants are near at hand."""
    now = now or timezone.now()
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None or notice.status == Notice.Status.CLOSED:
        return []
    queued = []
    if notice.status == Notice.Status.SCHEDULED and _queue_at(
        open_notice_task, notice_id=notice_id, what="open", instant=notice.opens_at, now=now
    ):
        queued.append("open")
    if _queue_at(close_notice_task, notice_id=notice_id, what="close", instant=notice.closes_at, now=now):
        queued.append("close")
    return queued


def _wait_for(instant: dt.datetime) -> None:
    # A timer may fire a few milliseconds early; the close must not be lost to that.
    early = (instant - timezone.now()).total_seconds()
    if 0 < early <= 5:
        time.sleep(early + 0.01)


@shared_task(base=ReliableTask, ignore_result=True)
def open_notice_task(*, notice_id: int) -> bool:
    notice = Notice.objects.filter(pk=notice_id).only("opens_at").first()
    if notice is None:
        log.info("notice %s is gone", notice_id)
        return False
    _wait_for(notice.opens_at)
    return services.start_notice(notice_id)


@shared_task(base=ReliableTask, ignore_result=True)
def close_notice_task(*, notice_id: int) -> bool:
    notice = Notice.objects.filter(pk=notice_id).only("closes_at").first()
    if notice is None:
        log.info("notice %s is gone", notice_id)
        return False
    _wait_for(notice.closes_at)
    closed = services.close_notice(notice_id)
    if closed:
        log.info("notice %s closed", notice_id)
    return closed


@shared_task(base=ReliableTask, ignore_result=True, track_runs=False)  # periodic: the next sweep is the retry
def sweep_notices() -> dict:
    """Catch up on every instant that passed; queue the ETA tasks of those coming within reach; tell
    the staff of new objections."""
    now = timezone.now()
    to_open, to_close = services.due_notices(now)
    opened = [pk for pk in to_open if services.start_notice(pk)]
    closed = [pk for pk in to_close if services.close_notice(pk)]
    queued = [pk for pk in services.upcoming_notices(now, ETA_HORIZON) if schedule_notice(pk, now=now)]
    if opened or closed:
        log.info("sweep opened %s closed %s", opened, closed)
    return {"opened": opened, "closed": closed, "queued": queued, "told": tell_staff_of_objections()}


# Who answers for a notice: the level that issued it (DESIGN §3). A unit's window also concerns
# the district or department that screens it; the office is not paged for every unit.
RESPONSIBLE_ROLES = {
    Scope.UNIT: (Role.UNIT_STAFF, Role.SCREENER),
    Scope.DISTRICT: (Role.SCREENER,),
    Scope.FINAL: (Role.OFFICE,),
}


def responsible_staff(notice: Notice):
    """Active users holding a responsible role over the issuer (their scope is the issuer or above it)."""
    ancestors = [int(x) for x in notice.issuer.path.strip("/").split("/") if x]
    return User.objects.filter(
        is_active=True,
        role_assignments__revoked_at__isnull=True,
        role_assignments__role__in=RESPONSIBLE_ROLES.get(notice.scope, (Role.OFFICE,)),
        role_assignments__scope_id__in=ancestors,
    ).distinct().order_by("pk")


def tell_staff_of_objections(*, batch: int = 500) -> int:
    """Every objection not yet told to its responsible staff, in batches, then the objections marked
    told. Each staff member gets one reminder per notice and batch (sent once: core.notify): of the
    objection itself when there is one (key ``objection:<pk>``, linking to it), a digest when several
    came in (key ``objections:<notice>:<first pk>-<last pk>``, linking to the notice's objection list):
    a surge of filings on a notice is one message to read, not hundreds (issue 8: it also cost the
    sweep a tenth of the machine under the objection load). Returns the number of reminders sent.

    Run by every sweep (beat, every SWEEP_SECONDS): filing an objection queues nothing and leaves the
    staff pages' cache alone, so the public form stays light under a surge; staff hear of it, and see
    it counted on their pages, within the sweep interval. Rows another sweep is telling are skipped
    (SKIP LOCKED on PostgreSQL). Only what the reminder shows is read: not the objector's encrypted
    name and contact.
    """
    told = 0
    while True:
        with transaction.atomic():
            rows = list(
                Objection.objects.filter(staff_notified_at__isnull=True)
                .select_related("notice__issuer", "entry")
                .only("pk", "receipt_code", "created_at", "notice__id", "notice__title", "notice__scope",
                      "notice__issuer__path", "entry__id", "entry__name")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("created_at", "pk")[:batch]
            )
            if not rows:
                return told
            by_notice: dict[int, list[Objection]] = {}
            for objection in rows:
                by_notice.setdefault(objection.notice_id, []).append(objection)
            messages = []
            for objections in by_notice.values():
                staff = list(responsible_staff(objections[0].notice))
                messages += [(user, *_reminder_of(objections)) for user in staff]
            told += notify_each(messages)
            Objection.objects.filter(pk__in=[o.pk for o in rows]).update(staff_notified_at=timezone.now())
            # The staff pages' objection counts move on with the reminders (core.versions.DATA_LATER_ON_CREATE).
            bump(DATA)


DIGEST_CODES_SHOWN = 5


def _reminder_of(objections: list[Objection]) -> tuple[str, str, str]:
    """The key, text and link of the reminder of a notice's new objections (oldest first)."""
    first = objections[0]
    if len(objections) == 1:
        return (f"objection:{first.pk}", f"收到对“{first.entry.name}”的异议（回执码 {first.receipt_code}），请及时核查。",
                f"/publicity/objections/{first.pk}/")
    codes = "、".join(o.receipt_code for o in objections[:DIGEST_CODES_SHOWN])
    more = "等" if len(objections) > DIGEST_CODES_SHOWN else ""
    return (f"objections:{first.notice_id}:{first.pk}-{objections[-1].pk}",
            f"公示“{first.notice.title}”新收到{len(objections)}条异议（回执码 {codes}{more}），请及时核查。",
            f"/publicity/objections/?notice={first.notice_id}")


@shared_task(base=ReliableTask, ignore_result=True)
def send_reminders(*, now: str | None = None) -> int:
    """Windows closing within a day; objections waiting for assignment; investigations due before the close.

    Each reminder has a key, and ``notify`` sends a key once per user: the hourly run, a retry or a
    redelivered message never sends it twice.
    """
    moment = dt.datetime.fromisoformat(now) if now else timezone.now()
    sent = 0
    soon = moment + dt.timedelta(days=1)
    closing = Notice.objects.filter(status=Notice.Status.OPEN, closes_at__gt=moment, closes_at__lte=soon)
    for notice in closing.select_related("issuer"):
        last = timezone.localtime(notice.closes_at - dt.timedelta(seconds=1))
        sent += notify(
            responsible_staff(notice), key=f"closing:{notice.pk}",
            text=f"公示“{notice.title}”将于{last.month}月{last.day}日24时截止，请及时办结异议。",
            url=f"/publicity/notices/{notice.pk}/",
        )
    waiting = Objection.objects.filter(
        Q(status=Objection.Status.RECEIVED, created_at__lte=moment - dt.timedelta(hours=4))
        | Q(status__in=Objection.OPEN_STATUSES, notice__closes_at__gt=moment, notice__closes_at__lte=soon)
    ).select_related("notice__issuer", "entry")
    for objection in waiting:
        what = "待分派核查" if objection.status == Objection.Status.RECEIVED else "核查须在公示截止前办结"
        sent += notify(
            responsible_staff(objection.notice), key=f"objection-due:{objection.pk}:{objection.status}",
            text=f"异议 {objection.receipt_code}（{objection.entry.name}）{what}。",
            url=f"/publicity/objections/{objection.pk}/",
        )
    return sent
