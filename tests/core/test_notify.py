"""Reminders sent in batches (core.notify.notify_each): once per user and key, found by index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Notification
from core.notify import notify_each
from orgs.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(demo):
    return list(User.objects.order_by("pk")[:2])


def test_each_reminder_is_sent_once_per_user_and_key(users):
    a, b = users
    assert notify_each([(a, "objection:1", "收到异议", "/x/"), (b, "objection:1", "收到异议", "/x/")]) == 2
    assert notify_each([(a, "objection:1", "收到异议", "/x/"), (a, "objection:2", "收到异议", "/y/")]) == 1
    assert sorted(Notification.objects.values_list("user__username", "key")) == sorted([
        (a.username, "objection:1"), (a.username, "objection:2"), (b.username, "objection:1"),
    ])
    assert notify_each([]) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_check_for_reminders_sent_already_is_an_index_lookup_by_user(users):
    """It read every reminder ever sent (a sequential scan per batch) when it looked by key alone."""
    user = users[0]
    with CaptureQueriesContext(connection) as ctx:
        notify_each([(user, f"objection:{n}", "收到异议", "") for n in range(3)])
    check = next(q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a small table: ask whether an index can serve
        cursor.execute("EXPLAIN " + check.replace("%", "%%"))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert "Seq Scan" not in plan and any("user_id" in line for line in conditions), plan  # not a full scan
