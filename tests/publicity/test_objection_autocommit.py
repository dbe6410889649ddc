"""The public filing in autocommit on PostgreSQL (issue 8): one statement is its own transaction, so
the audit chain's head is held for that statement alone; a notice being closed meanwhile is waited
for and then refuses the filing."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from audit.chain import verify
from audit.models import AuditEvent
from publicity import services
from publicity.models import Notice, Objection
from publicity.recent import recent_notices

from .helpers import unit_notice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="autocommit filing: PostgreSQL's"),
]
FACTS = "该同志事迹材料中查办案件的数量与实际情况不符，请予核实。"


@pytest.fixture
def notice(campaign, users, org):
    return unit_notice(campaign, org("渝北区知识产权保护中心"), users["unit_yubei"])


def _file(notice, entry_id, client):
    return services.file_objection(
        entry=entry_id, notice_id=notice.pk, name="王某某", contact="023-61234567", facts=FACTS, client=client
    )


def test_the_filing_runs_two_statements_and_no_transaction(notice):
    entry_id = notice.entries.first().pk
    _file(notice, entry_id, "warm")  # the chain has its head
    assert connection.get_autocommit() and not connection.in_atomic_block

    recent_notices.clear()  # the notice read afresh (a second filing takes it as read: one statement)
    with CaptureQueriesContext(connection) as ctx:
        filed = _file(notice, entry_id, "c1")

    assert [q["sql"].lstrip().split()[0].upper() for q in ctx.captured_queries] == ["SELECT", "WITH"]
    assert "FOR SHARE" not in ctx.captured_queries[0]["sql"]  # the read takes no lock ...
    assert "FOR SHARE" in ctx.captured_queries[1]["sql"]  # ... the write takes it, before the head
    assert Objection.objects.get(pk=filed.pk).history.count() == 1
    assert AuditEvent.objects.filter(object_type="publicity.objection", object_id=str(filed.pk)).exists()
    assert verify().ok


def test_a_filing_waits_for_a_notice_being_closed_and_is_then_refused(notice):
    entry_id = notice.entries.first().pk
    _file(notice, entry_id, "warm")
    locked, errors = threading.Event(), []

    def close_slowly():
        try:
            with transaction.atomic():
                Notice.objects.select_for_update().get(pk=notice.pk)
                Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.CLOSED)
                locked.set()
                time.sleep(0.5)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    closer = threading.Thread(target=close_slowly)
    closer.start()
    assert locked.wait(10)
    started = time.monotonic()
    with pytest.raises(services.PublicityError) as refused:
        _file(notice, entry_id, "c2")  # read while still open; written only after the close commits
    waited = time.monotonic() - started
    closer.join()

    assert errors == []
    assert refused.value.code == "window"
    assert waited >= 0.3  # it waited for the closing transaction rather than slipping past it
    assert Objection.objects.filter(notice=notice).count() == 1 and verify().ok
