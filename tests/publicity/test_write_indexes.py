"""The indexes every public objection writes (issue 8): each one serves a query, none is a copy.

Django gives a CharField with unique=/db_index= a second, pattern-matching index on PostgreSQL, and
simple-history copies every index of the model onto its historical table; both cost each filing.
"""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's catalogue"),
]


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0].split(" USING ")[1] for row in cursor.fetchall()}


@pytest.mark.parametrize("table", ["audit_auditevent", "publicity_objection", "publicity_historicalobjection"])
def test_no_pattern_matching_copies(table):
    assert not [i for i in _indexes(table) if "pattern_ops" in i]


def test_the_objections_history_is_indexed_by_object_user_and_date_only():
    assert _indexes("publicity_historicalobjection") == {
        "btree (history_id)", "btree (id)", "btree (history_date)", "btree (history_user_id)",
    }


def test_the_trail_and_the_objections_keep_their_unique_codes_and_lookups():
    assert {"btree (hash)", "btree (username)", "btree (action)", "btree (at)"} <= _indexes("audit_auditevent")
    assert {"btree (receipt_code)", "btree (status)", "btree (entry_id)", "btree (notice_id)"} <= _indexes(
        "publicity_objection"
    )
