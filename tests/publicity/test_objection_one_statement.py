"""The filing of an objection in one statement (audit.recorded): the same rows as the ORM way.

On PostgreSQL ``file_objection`` reads the notice under its share lock and writes the objection,
its historical record and its audit row in one statement; on SQLite the ORM way. Both are run
here against each other, on whichever database the pass uses.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.chain import verify
from audit.log import Action, record
from audit.models import AuditEvent, ChainHead
from audit.recorded import create_recorded, insert_recorded
from publicity import services
from publicity.models import Notice, Objection
from publicity.recent import recent_notices

from .helpers import unit_notice

pytestmark = pytest.mark.django_db
FACTS = "该同志事迹材料中查办案件的数量与实际情况不符，请予核实。"
AUDIT = {"username": "公众（实名异议人）", "detail": {"变更": "受理异议"}}
ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def notice(campaign, users, org):
    return unit_notice(campaign, org("渝北区知识产权保护中心"), users["unit_yubei"])


def _file(notice, *, name="王某某", contact="023-61234567", client="c1", entry_id=None) -> Objection:
    entry_id = entry_id or notice.entries.first().pk
    return services.file_objection(
        entry=entry_id, notice_id=notice.pk, name=name, contact=contact, facts=FACTS, client=client
    )


def _the_orm_way(notice, **values) -> Objection:
    objection = Objection(notice=notice, entry=notice.entries.first(), **values)
    with transaction.atomic():
        objection.save(force_insert=True)
        record(Action.STATE_CHANGE, obj=objection, object_repr=f"异议{objection.receipt_code}", **AUDIT)
    return objection


def _history(objection) -> dict:
    row = objection.history.get().__dict__
    return {
        k: v
        for k, v in row.items()
        if k not in ("_state", "id", "history_id", "history_date", "receipt_code", "created_at")
    }


def _event(objection) -> AuditEvent:
    return AuditEvent.objects.get(object_type="publicity.objection", object_id=str(objection.pk))


def test_the_filing_writes_the_rows_the_orm_way_writes(notice):
    filed = _file(notice)
    other = _the_orm_way(notice, objector_name="王某某", objector_contact="023-61234567", facts=FACTS)

    assert _history(filed) == _history(other)
    assert _history(filed)["history_type"] == "+" and _history(filed)["history_user_id"] is None
    ours, theirs = _event(filed), _event(other)
    for name in ("username", "role", "action", "object_type", "outcome", "client_ip", "user_id_value"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.object_id == str(filed.pk) and ours.object_repr == f"异议{filed.receipt_code}"
    assert ours.detail == {"变更": "受理异议", "公示": notice.pk}
    assert AuditEvent.objects.order_by("-id").first().pk == theirs.pk  # both on the chain, in order
    assert verify().ok  # PostgreSQL's hash of the row, with the new id in it, is row_hash's
    assert ChainHead.objects.get(pk=1).last_hash == theirs.hash


def test_the_filed_objection_reads_back_with_its_contact_encrypted_at_rest(notice):
    filed = _file(notice, contact="13800001111")

    again = Objection.objects.get(pk=filed.pk)
    assert again.objector_contact == "13800001111" and again.receipt_code == filed.receipt_code
    assert again.created_at == filed.created_at and again.status == Objection.Status.RECEIVED
    with connection.cursor() as cursor:
        cursor.execute("SELECT objector_contact FROM publicity_objection WHERE id = %s", [filed.pk])
        assert "13800001111" not in cursor.fetchone()[0]
    assert filed._state.adding is False and filed.pk == again.pk


def test_on_postgresql_one_statement_writes_the_objection_its_history_and_its_audit_row(notice):
    entry_id = _file(notice, client="warm").entry_id  # the chain has its head from here on
    recent_notices.clear()
    with CaptureQueriesContext(connection) as ctx:
        _file(notice, entry_id=entry_id)
    statements = [q["sql"].lstrip().split()[0].upper() for q in ctx.captured_queries]
    statements = [s for s in statements if s not in ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT")]
    if ON_POSTGRESQL:
        assert statements == ["SELECT", "WITH"]
    else:  # the ORM way: the notice, the objection, its history, the chain head and the audit row
        assert "INSERT" in statements and "WITH" not in statements


def test_a_failed_insert_leaves_no_history_no_audit_row_and_the_chain_head_where_it_was(notice):
    first = _file(notice)
    head = ChainHead.objects.get(pk=1).last_hash
    events, histories = AuditEvent.objects.count(), Objection.history.count()

    clash = Objection(
        notice=notice,
        entry=notice.entries.first(),
        receipt_code=first.receipt_code,
        objector_name="李某",
        objector_contact="023-1",
        facts=FACTS,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        create_recorded(clash, Action.STATE_CHANGE, object_repr="异议", **AUDIT)

    assert Objection.objects.count() == 1
    assert (AuditEvent.objects.count(), Objection.history.count()) == (events, histories)
    assert ChainHead.objects.get(pk=1).last_hash == head
    assert verify().ok


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the one-statement path is PostgreSQL's")
def test_with_no_chain_head_yet_the_orm_way_files_it_and_starts_the_chain(notice):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_chainhead")
    filed = _file(notice)

    assert Objection.objects.filter(pk=filed.pk).exists()
    assert _event(filed).hash == ChainHead.objects.get(pk=1).last_hash
    assert filed.history.count() == 1


def test_post_save_receivers_of_an_objection_are_the_ones_the_statement_stands_in_for():
    """A receiver added for objections is not called by the one-statement filing: this fails so
    that whoever adds one decides (audit.recorded)."""
    sync, async_ = post_save._live_receivers(Objection)
    names = sorted(
        f"{getattr(r, '__module__', '')}.{getattr(r, '__qualname__', r)}" for r in [*sync, *async_]
    )
    # simple-history's record (written by the statement); core.versions (no DATA bump on create:
    # DATA_LATER_ON_CREATE, the sweep moves it).
    assert names == ["core.versions.model_changed", "simple_history.models.HistoricalRecords.post_save"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="on SQLite the notice is locked from the read to the write")
def test_a_notice_closed_between_the_read_and_the_statement_refuses_the_filing_and_counts_it_once(notice, monkeypatch):
    """The rules are checked on the notice as read; the statement writes only if it is still so
    (publicity.services._still_as_read), else the filing goes again under the lock and is refused."""
    entry_id = _file(notice, client="warm").entry_id  # the chain has its head
    counted = []

    def close_meanwhile(client):  # runs between the read and the write
        counted.append(client)
        Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.CLOSED)

    monkeypatch.setattr(services, "check_rate", close_meanwhile)
    events, histories, objections = AuditEvent.objects.count(), Objection.history.count(), Objection.objects.count()
    head = ChainHead.objects.get(pk=1).last_hash

    with pytest.raises(services.PublicityError) as refused:
        _file(notice, entry_id=entry_id, client="c2")

    assert refused.value.code == "window" and "不再受理异议" in refused.value.message
    assert counted == ["c2"]  # the rate is counted once, not again by the locked retry
    assert (Objection.objects.count(), Objection.history.count(), AuditEvent.objects.count()) == (
        objections, histories, events,
    )
    assert ChainHead.objects.get(pk=1).last_hash == head


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the guarded statement is PostgreSQL's")
def test_a_false_guard_writes_nothing(notice):
    _file(notice, client="warm")
    before = (Objection.objects.count(), Objection.history.count(), AuditEvent.objects.count())
    objection = Objection(
        notice=notice, entry=notice.entries.first(), objector_name="李某", objector_contact="023-1", facts=FACTS
    )

    assert insert_recorded(objection, Action.STATE_CHANGE, guard="1 = %s", guard_params=[2], **AUDIT) is False
    assert objection.pk is None and objection._state.adding
    assert (Objection.objects.count(), Objection.history.count(), AuditEvent.objects.count()) == before
    assert insert_recorded(objection, Action.STATE_CHANGE, guard="1 = %s", guard_params=[1], **AUDIT) is True
    assert Objection.objects.filter(pk=objection.pk).exists() and verify().ok


def test_on_sqlite_insert_recorded_writes_nothing_and_create_recorded_the_orm_way(notice):
    if ON_POSTGRESQL:
        pytest.skip("SQLite's side")
    objection = Objection(
        notice=notice, entry=notice.entries.first(), objector_name="李某", objector_contact="023-1", facts=FACTS
    )
    assert insert_recorded(objection, Action.STATE_CHANGE, **AUDIT) is False and objection.pk is None
    create_recorded(objection, Action.STATE_CHANGE, object_repr="异议", **AUDIT)
    assert _event(objection).hash == ChainHead.objects.get(pk=1).last_hash and objection.history.count() == 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the notice as read seconds ago: PostgreSQL's filing")
def test_a_second_filing_takes_the_notice_as_read_and_writes_in_one_statement(notice):
    entry_id = _file(notice, client="warm").entry_id
    with CaptureQueriesContext(connection) as ctx:
        filed = _file(notice, entry_id=entry_id, client="c2")
    statements = [q["sql"].lstrip().split()[0].upper() for q in ctx.captured_queries]
    assert [s for s in statements if s not in ("SAVEPOINT", "RELEASE")] == ["WITH"]
    assert Objection.objects.get(pk=filed.pk).notice_id == notice.pk and verify().ok


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the notice as read seconds ago: PostgreSQL's filing")
def test_a_notice_closed_since_it_was_read_refuses_the_filing(notice):
    entry_id = _file(notice, client="warm").entry_id  # this process now holds the notice as open
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.CLOSED)
    before = (Objection.objects.count(), Objection.history.count(), AuditEvent.objects.count())

    with pytest.raises(services.PublicityError) as refused:
        _file(notice, entry_id=entry_id, client="c2")

    assert refused.value.code == "window"
    assert (Objection.objects.count(), Objection.history.count(), AuditEvent.objects.count()) == before


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the notice as read seconds ago: PostgreSQL's filing")
def test_a_notice_opened_since_it_was_read_as_not_yet_open_accepts_the_filing(notice):
    """A refusal is never made on the copy: the filing reads the notice again first."""
    entry_id = notice.entries.first().pk
    later = timezone.now() + dt.timedelta(days=2)
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.SCHEDULED, opens_at=later)
    with pytest.raises(services.PublicityError) as refused:
        _file(notice, entry_id=entry_id, client="c1")
    assert refused.value.code == "window" and "尚未开始" in refused.value.message
    assert recent_notices.get((entry_id, notice.pk)) is not None  # held as not yet open

    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.OPEN, opens_at=timezone.now() - dt.timedelta(hours=1))
    filed = _file(notice, entry_id=entry_id, client="c2")
    assert Objection.objects.filter(pk=filed.pk).exists()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the statement's guard: PostgreSQL's filing")
def test_the_guard_refuses_an_entry_of_another_notice_even_if_a_copy_says_otherwise(notice, campaign, users, org):
    """The copy is keyed by entry and notice; should one ever be wrong, the statement still checks."""
    other = unit_notice(campaign, org("渝北区知识产权保护中心"), users["unit_yubei"])
    stranger = other.entries.first().pk
    entry_id = _file(notice, client="warm").entry_id
    recent_notices.put((stranger, notice.pk), recent_notices.get((entry_id, notice.pk)))
    before = Objection.objects.count()

    with pytest.raises(services.PublicityError) as refused:
        _file(notice, entry_id=stranger, client="c2")
    assert refused.value.code == "entry" and Objection.objects.count() == before


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the one statement is PostgreSQL's")
def test_the_statement_stays_within_psycopgs_cache_of_converted_queries(notice, monkeypatch):
    """psycopg converts a query once and caches it only up to 4096 bytes and 50 parameters; above
    that it parses the statement again on every filing (a tenth of the request's CPU, issue 8). The
    history copies the row's columns from what the INSERT returns instead of taking them again."""
    from psycopg import _queries

    _file(notice, client="warm")  # the chain has its head from here on
    sent = []
    real = _queries.PostgresQuery.convert  # the statement's parameters are bound by the server

    def convert(self, query, params):
        sent.append((query, params))
        return real(self, query, params)

    monkeypatch.setattr(_queries.PostgresQuery, "convert", convert)
    filed = _file(notice, contact="13800001111")
    (query, params), = [(q, p) for q, p in sent if "publicity_historicalobjection" in str(q)]
    assert len(query.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH
    assert len(params) <= _queries.MAX_CACHED_STATEMENT_PARAMS
    # the history holds what the row holds, the contact as the row stores it
    history = Objection.history.get(id=filed.pk)
    assert (history.objector_name, history.facts, history.notice_id, history.entry_id) == (
        "王某某", FACTS, notice.pk, filed.entry_id)
    assert history.created_at == filed.created_at and history.status == Objection.Status.RECEIVED


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the one statement is PostgreSQL's")
def test_the_statement_is_prepared_once_per_connection_and_then_only_executed(notice):
    """Parsing and planning the statement were half of PostgreSQL's time per filing (issue 8): it is
    prepared on the connection's first filing and every later filing executes the prepared statement."""

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%INSERT INTO \"publicity_historicalobjection\"%"],
            )
            return [row[0] for row in cursor.fetchall()]

    first = _file(notice, client="warm")  # the chain has its head from here on
    recent_notices.clear()
    second = _file(notice, client="c2", entry_id=first.entry_id)
    third = _file(notice, client="c3", name="李某某", contact="13800001111", entry_id=first.entry_id)
    assert len(prepared()) == 1, "one prepared statement, however many filings"
    # the prepared statement wrote every row, its history and its audit row, with their own values
    assert Objection.objects.filter(pk__in=[first.pk, second.pk, third.pk]).count() == 3
    assert Objection.objects.get(pk=third.pk).objector_contact == "13800001111"
    assert Objection.history.get(id=third.pk).objector_name == "李某某"
    assert _event(third).object_id == str(third.pk) and _event(second).object_id == str(second.pk)
    assert verify().ok
