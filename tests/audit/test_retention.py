"""Kept at least six months; the daily purge removes only what is past the period (网络安全法 第二十一条)."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.utils import timezone

from audit import tasks
from audit.chain import verify
from audit.models import Action, AuditEvent, ChainHead
from audit.retention import purge

from .helpers import clear_trail, record_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def aged():
    """Rows of 400, 200, 181, 179 and 10 days, oldest first (as the trail grows)."""
    clear_trail()
    now = timezone.now()
    return {days: record_at(now - dt.timedelta(days=days), detail={"days": days}) for days in (400, 200, 181, 179, 10)}


def _ages():
    return sorted((r.detail.get("days") for r in AuditEvent.objects.exclude(action=Action.AUDIT)), reverse=True)


def test_default_period_is_180_days():
    assert django_settings.AUDIT_RETENTION_DAYS == 180


def test_purge_removes_only_rows_past_the_period(aged, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    assert purge() == 3
    assert _ages() == [179, 10]
    # The chain still verifies from its new anchor, the hash of the last row removed.
    assert ChainHead.objects.get().anchor_hash == aged[181].hash
    assert verify().ok
    note = AuditEvent.objects.filter(action=Action.AUDIT).latest("id")
    assert (note.detail["清理条数"], note.detail["保存天数"], note.detail["链锚"]) == (3, 180, aged[181].hash)
    assert verify().checked == 3  # 179, 10 and the purge's own row


def test_longer_period_keeps_more(aged, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    assert purge() == 1
    assert _ages() == [200, 181, 179, 10]
    assert verify().ok


def test_misconfigured_short_period_never_removes_a_row_younger_than_180_days(aged, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    purge()
    assert _ages() == [179, 10]
    assert verify().ok


def test_purge_twice_changes_nothing_the_second_time(aged, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    assert purge() == 3
    assert purge() == 0
    assert _ages() == [179, 10]
    assert verify().ok


def test_system_check_refuses_less_than_six_months(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    errors = [e for e in run_checks() if e.id == "audit.E001"]
    assert len(errors) == 1 and "至少保存180天" in errors[0].msg
    settings.AUDIT_RETENTION_DAYS = 180
    assert not [e for e in run_checks() if e.id == "audit.E001"]


def test_beat_runs_the_purge_daily(aged, settings):
    entry = django_settings.CELERY_BEAT_SCHEDULE["audit-retention"]
    assert (entry["task"], entry["schedule"]) == ("audit.tasks.purge_expired", 86400.0)
    assert tasks.purge_expired.run() == 3
    assert _ages() == [179, 10]
