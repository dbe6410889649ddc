"""The trail is append-only at the database, not only in the ORM (等保2.0 三级 安全审计 c)."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.chain import verify
from audit.log import Action, record
from audit.models import AuditEvent

from .helpers import clear_trail, record_at

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger is PostgreSQL's")


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_raw_update_of_an_audit_row_is_refused():
    row = record(Action.SECURITY, username="tester", detail={"x": 1})
    with pytest.raises(DatabaseError, match="只能追加"):
        _raw("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ['{"x": 2}', row.pk])
    assert AuditEvent.objects.get(pk=row.pk).detail == {"x": 1}
    assert verify().ok


def test_orm_update_and_delete_are_refused():
    row = record(Action.SECURITY, username="tester")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=row.pk).update(username="other")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=row.pk).delete()
    with pytest.raises(PermissionError):
        row.delete()
    row.username = "other"
    with pytest.raises(PermissionError):
        row.save()


@postgres_only
def test_raw_delete_of_a_recent_row_is_refused_on_postgresql():
    row = record(Action.SECURITY, username="tester")
    with pytest.raises(DatabaseError, match="只能追加"):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [row.pk])
    # 179 days: still inside the floor of six months.
    young = record_at(timezone.now() - dt.timedelta(days=179))
    with pytest.raises(DatabaseError, match="只能追加"):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [young.pk])
    assert AuditEvent.objects.filter(pk__in=[row.pk, young.pk]).count() == 2


@postgres_only
def test_raw_delete_past_the_floor_is_allowed_on_postgresql():
    """The retention purge needs it; nothing younger than 180 days can go."""
    clear_trail()
    old = record_at(timezone.now() - dt.timedelta(days=181))
    assert _raw("DELETE FROM audit_auditevent WHERE id = %s", [old.pk]) == 1
