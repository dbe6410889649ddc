"""Reads of the audit trail for the auditor's pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import permissions
from .models import AuditEvent

PAGE_SIZE = 50


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def events(scopes, filters: dict):
    """The rows the auditor may read, narrowed by the cleaned filter form; newest first."""
    qs = AuditEvent.objects.filter(permissions.visible_q(scopes))
    if filters.get("start"):
        qs = qs.filter(at__gte=_day_start(filters["start"]))
    if filters.get("end"):
        qs = qs.filter(at__lt=_day_start(filters["end"] + dt.timedelta(days=1)))
    if filters.get("username"):
        qs = qs.filter(username__icontains=filters["username"].strip())
    for name in ("action", "outcome"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("object_type"):
        qs = qs.filter(object_type__icontains=filters["object_type"].strip())
    if filters.get("object_id"):
        qs = qs.filter(object_id=filters["object_id"].strip())
    if filters.get("client_ip"):
        qs = qs.filter(client_ip__startswith=filters["client_ip"].strip())
    return qs.order_by("-id")


def described_filters(filters: dict) -> dict:
    """The filters as recorded in the export's own audit row (dates as text)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}
