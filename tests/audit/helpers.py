"""Helpers for the audit tests: a request being served, a clean trail, the trigger out of the way."""

from __future__ import annotations

import contextlib
import datetime as dt
from unittest import mock

from django.db import connection
from django.test import RequestFactory
from simple_history.models import HistoricalRecords

from audit.log import record
from audit.models import AuditEvent

FIELDS = ("at", "username", "role", "action", "object_type", "object_id", "object_repr", "outcome", "client_ip")


@contextlib.contextmanager
def serving(user, ip: str = "10.20.30.40"):
    """What simple-history's middleware does for a real request: services see the request being served."""
    request = RequestFactory().get("/", REMOTE_ADDR=ip)
    request.user = user
    HistoricalRecords.context.request = request
    try:
        yield request
    finally:
        del HistoricalRecords.context.request


def assert_complete(row: AuditEvent) -> None:
    missing = [name for name in FIELDS if not getattr(row, name)]
    assert not missing, f"{row.action} #{row.pk}: empty {missing}"


def clear_trail() -> None:
    """Empty the trail inside the test's transaction (rolled back after it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE audit_auditevent, audit_chainhead")
        else:
            cursor.execute("DELETE FROM audit_auditevent")
            cursor.execute("DELETE FROM audit_chainhead")


def drop_trigger() -> None:
    """What an attacker with database access would do first; rolled back with the test."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_append_only ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_append_only")


def record_at(when: dt.datetime, **kwargs) -> AuditEvent:
    with mock.patch("audit.log.timezone.now", return_value=when):
        return record(kwargs.pop("action", "security"), username=kwargs.pop("username", "tester"), **kwargs)


def audit_row_queries() -> int:
    """Statements one audit row costs inside a transaction (audit.log.record): on PostgreSQL one (lock
    the chain head, insert the row hashed there, move the head); elsewhere three (the head locked,
    the insert, the head update)."""
    return 1 if connection.vendor == "postgresql" else 3
