"""Retention of the audit trail: rows are kept at least six months, then purged daily.

等保2.0 三级 (GB/T 22239-2019 8.1.4.3 安全审计) with 网络安全法 第二十一条: 网络日志留存不少于六个月.
``AUDIT_RETENTION_DAYS`` may lengthen the period, never shorten it below ``FLOOR_DAYS``: the
system check refuses a smaller setting, and the purge ignores one all the same.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEvent, ChainHead

FLOOR_DAYS = 180  # six months; the PostgreSQL trigger (migration 0002) holds the same floor
DEFAULT_DAYS = 180


def retention_days() -> int:
    return max(int(getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_DAYS)), FLOOR_DAYS)


def purge(*, now: dt.datetime | None = None) -> int:
    """Remove the oldest rows past the period; the chain stays verifiable from its new anchor.

    Only a prefix of the chain goes (every row before the first one still inside the period), so
    what remains is contiguous; the hash of the last removed row becomes the anchor.
    """
    from .log import Action, record

    now = now or timezone.now()
    days = retention_days()
    cutoff = now - dt.timedelta(days=days)
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        first_kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values("id", "prev_hash").first()
        doomed = models.QuerySet(model=AuditEvent).filter(at__lt=cutoff)
        if first_kept is not None:
            doomed = doomed.filter(id__lt=first_kept["id"])
            anchor = first_kept["prev_hash"]
        else:
            anchor = head.last_hash
        # The model's own manager refuses deletes; the retention purge is the one exception.
        removed = doomed._raw_delete(connection.alias)
        if removed:
            ChainHead.objects.filter(pk=1).update(anchor_hash=anchor)
    record(
        Action.AUDIT, object_type="audit.auditevent", object_repr="审计日志保存期限清理",
        detail={"清理条数": removed, "保存天数": days, "清理早于": cutoff.isoformat(), "链锚": anchor},
        username="系统（定时任务）", role="",
    )
    return removed
