"""Many writers at once append to one unbroken chain (PostgreSQL: one statement per row, audit.log)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from audit.chain import verify
from audit.log import Action, record
from audit.models import AuditEvent, ChainHead

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_writers_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL (SQLite writes one at a time anyway)")
    record(Action.SECURITY, username="测试", detail={"event": "first"})  # the head exists
    before = ChainHead.objects.get(pk=1).count
    errors = []

    def writer(n):
        try:
            for i in range(10):
                with transaction.atomic():
                    event = record(Action.SECURITY, username=f"并发{n}", detail={"event": "concurrent", "i": i, "文字": "异议"})
                    assert event.pk and len(event.hash) == 64
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ChainHead.objects.get(pk=1).count == before + 60
    assert AuditEvent.objects.filter(detail__event="concurrent").count() == 60
    verdict = verify()
    assert verdict.ok, verdict.message  # every hash computed by PostgreSQL matches audit.chain.row_hash
    # Each row follows the one before it: no two writers read the same head.
    assert AuditEvent.objects.values("prev_hash").distinct().count() == AuditEvent.objects.count()
