"""A row edited, a row removed from the middle, the last row removed: the chain says which."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.chain import verify
from audit.log import Action, record
from audit.models import AuditEvent

from .helpers import clear_trail, drop_trigger

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail():
    clear_trail()
    return [record(Action.SECURITY, username=f"user{i}", detail={"n": i}) for i in range(5)]


def _sql(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_intact_chain_verifies(trail, capsys):
    verdict = verify()
    assert (verdict.ok, verdict.checked, verdict.broken_at) == (True, 5, None)
    call_command("verify_audit")
    assert "已核验5条记录，哈希链完整" in capsys.readouterr().out


def test_edited_row_is_named(trail):
    drop_trigger()
    _sql("UPDATE audit_auditevent SET detail = %s WHERE id = %s", [json.dumps({"n": 99}), trail[2].pk])
    verdict = verify()
    assert (verdict.ok, verdict.broken_at, verdict.checked) == (False, trail[2].pk, 2)
    assert f"第{trail[2].pk}条记录的内容与其哈希不符" in verdict.message
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert caught.value.returncode == 1
    assert f"第{trail[2].pk}条" in str(caught.value)


def test_edited_row_with_rehash_is_caught_at_the_next_row(trail):
    """Whoever recomputes the edited row's own hash still breaks the link to the row after it."""
    from audit.chain import FIELDS, row_hash

    drop_trigger()
    row = trail[1]
    values = {name: getattr(row, name) for name in FIELDS} | {"username": "someone_else"}
    _sql("UPDATE audit_auditevent SET username = %s, hash = %s WHERE id = %s",
         ["someone_else", row_hash(row.prev_hash, values), row.pk])
    verdict = verify()
    assert (verdict.ok, verdict.broken_at) == (False, trail[2].pk)
    assert "不衔接" in verdict.message


def test_deleted_middle_row_is_detected(trail):
    drop_trigger()
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [trail[2].pk])
    verdict = verify()
    assert (verdict.ok, verdict.broken_at) == (False, trail[3].pk)


def test_deleted_last_row_is_detected_through_the_chain_head(trail):
    drop_trigger()
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [trail[4].pk])
    verdict = verify()
    assert (verdict.ok, verdict.broken_at) == (False, trail[3].pk)
    assert f"第{trail[3].pk}条记录之后的记录被删除" in verdict.message


def test_deleted_first_row_is_detected_through_the_anchor(trail):
    drop_trigger()
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [trail[0].pk])
    verdict = verify()
    assert (verdict.ok, verdict.broken_at) == (False, trail[1].pk)
    assert "不是按保存期限清理的" in verdict.message


def test_rows_stay_in_order_and_linked(trail):
    rows = list(AuditEvent.objects.order_by("id"))
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert rows[0].prev_hash == "0" * 64
