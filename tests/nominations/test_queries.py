"""The nomination list and the screening queue run a fixed number of queries, whatever their length.

Rows are made with bulk_create, with everything a row shows: appraisals, honours, leaders,
justifications, events, a unit notice with objections, consultations, a division.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import Category
from awards.selectors import quota_holder_for
from nominations.models import (
    Appraisal,
    Consultation,
    Event,
    Honour,
    Justification,
    Leader,
    Nomination,
    Status,
)
from orgs.models import Level
from orgs.services import ensure_organisation
from publicity.models import Notice, NoticeEntry, Objection

from .builders import BRIEF, DEEDS

pytestmark = pytest.mark.django_db


def make_many(campaign, unit, actor, n: int, status: str) -> list[Nomination]:
    quota = quota_holder_for(campaign, unit)
    sub = next(s for s in quota.sub_quotas.all() if unit.is_under(s.organisation))
    division = ensure_organisation(name="执法科", parent=unit, level=Level.DIVISION)
    noms = []
    for i in range(n):
        common = dict(campaign=campaign, unit=unit, quota=quota, sub_quota=sub, status=status, deeds=DEEDS[: 300 + i],
                      brief_deeds=BRIEF, created_by=actor, unit_rank=i + 1)
        if i % 3 == 0:
            noms.append(Nomination(category=Category.COLLECTIVE, organisation=division if i % 2 else unit,
                                   collective_nature="public_institution", head_name="李主任", **common))
        else:
            noms.append(Nomination(category=Category.INDIVIDUAL, name=f"批量{i}号", rank_grade="section_staff",
                                   years_in_field=Decimal("2"), division=division if i % 2 else None,
                                   prior_same_commendation="2020年市级表彰" if i % 4 == 0 else "", **common))
    noms = Nomination.objects.bulk_create(noms)
    Appraisal.objects.bulk_create([
        Appraisal(nomination=nom, year=campaign.year - 5 + k, result="competent")
        for nom in noms if nom.category == Category.INDIVIDUAL for k in range(5)
    ])
    Honour.objects.bulk_create([Honour(nomination=nom, year=2021, level="county", title="区级先进") for nom in noms[::2]])
    Leader.objects.bulk_create([Leader(nomination=nom, name="王局长") for nom in noms if nom.category == Category.COLLECTIVE])
    Justification.objects.bulk_create([
        Justification(nomination=nom, rule="deeds_length", warning="事迹材料字数", text="说明理由十个字以上的文字", author=actor, author_org=unit)
        for nom in noms[::2]
    ])
    Event.objects.bulk_create([Event(nomination=nom, to_status=status, actor=actor, reason="批量") for nom in noms])
    now = timezone.now()
    notice = Notice.objects.create(
        campaign=campaign, scope="unit", issuer=unit, title="单位公示", intro="正文", how_to_object="异议方式", contact="023",
        working_days=5, opens_at=now - dt.timedelta(days=10), closes_at=now - dt.timedelta(days=3), status="closed", opened_by=actor,
    )
    entries = NoticeEntry.objects.bulk_create([
        NoticeEntry(notice=notice, nomination=nom, position=i, category=nom.category, name=nom.display_name, brief_deeds=BRIEF)
        for i, nom in enumerate(noms, start=1)
    ])
    for k, entry in enumerate(entries[::3]):
        Objection.objects.create(notice=notice, entry=entry, objector_name="甲", objector_contact="1", facts="事实",
                                 status="not_upheld" if k % 2 else "received")
    Consultation.objects.bulk_create([
        Consultation(nomination=nom, department="personnel", answer="no_objection", answered_on=dt.date.today(), recorded_by=actor)
        for nom in noms[::2]
    ])
    return noms


# Queries of one request, the same with 5 and with 50 rows (measured; a change here means a query
# was added or removed — check that it is not one per row):
#   the request: unread notifications (the session, the user, the policy, roles and scope roots come
#   from the shared cache; the session is not written within a minute of its last mark);
#   the campaigns the user sees (+ categories, stages);
#   per open campaign and unit: quota holder, unit procedures, the nominations, and one per prefetch:
#   appraisals, honours, the unit's nominations (same-division rule), justifications (+ authors),
#   notice entries with their notices and objection counts (one query, counted by the database), consultations.
UNIT_LIST_QUERIES = 15
# The unit's own page adds access_campaign (campaign + categories, caps, forms, stages) and the
# quota holder check, and drops the campaign list.
UNIT_DESK_QUERIES = 18
# The queue: the quota (+ stages), the nominations and the eight prefetches above,
# the party-group decisions, the units for the filter, notifications, the base template's organisation.
QUEUE_QUERIES = 13


@pytest.mark.parametrize("n", [5, 500])
def test_unit_list_runs_the_same_queries_for_5_and_500_nominations(client, login, campaign, yubei, django_assert_num_queries, n):
    staff = login("unit_yubei")
    make_many(campaign, yubei, staff, n, Status.DRAFT)
    url = reverse("nominations:index")
    assert client.get(url).status_code == 200  # warm the per-process caches (content types, templates)
    with django_assert_num_queries(UNIT_LIST_QUERIES):
        response = client.get(url)
    assert sum(len(desk.rows) for desk, _ in response.context["desks"]) == n
    assert response.content.decode().count("data-nomination=") == n


@pytest.mark.parametrize("n", [5, 500])
def test_unit_desk_runs_the_same_queries_for_5_and_500_nominations(client, login, campaign, yubei, django_assert_num_queries, n):
    staff = login("unit_yubei")
    make_many(campaign, yubei, staff, n, Status.DRAFT)
    url = reverse("nominations:unit_desk", args=[campaign.slug, yubei.pk])
    assert client.get(url).status_code == 200
    with django_assert_num_queries(UNIT_DESK_QUERIES):
        response = client.get(url)
    assert len(response.context["desk"].rows) == n


@pytest.mark.parametrize("n", [5, 500])
def test_screening_queue_runs_the_same_queries_for_5_and_500_nominations(client, login, campaign, yubei, users, django_assert_num_queries, n):
    make_many(campaign, yubei, users["unit_yubei"], n, Status.SUBMITTED)
    login("district_yubei")
    quota = quota_holder_for(campaign, yubei)
    url = reverse("nominations:screening_queue", args=[quota.pk])
    assert client.get(url).status_code == 200
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url)
    assert len(response.context["rows"]) == n
    assert response.content.decode().count("data-nomination=") == n


def test_a_row_counts_its_objections_without_loading_them(login, campaign, yubei):
    """Issue 8: a nominee may draw thousands of objections; the list counts them in the database and
    never loads one (each would decrypt its objector's contact)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from nominations import selectors

    staff = login("unit_yubei")
    noms = make_many(campaign, yubei, staff, 3, Status.DRAFT)
    entry = NoticeEntry.objects.get(nomination=noms[0])  # one objection from make_many, received
    Objection.objects.bulk_create([
        Objection(notice=entry.notice, entry=entry, objector_name="乙", objector_contact="2", facts="事实", status=status,
                  receipt_code=f"CODE{i:08d}")
        for i, status in enumerate(["upheld", "not_upheld", "not_upheld", "investigating", "received"] * 40)
    ])

    with CaptureQueriesContext(connection) as queries:
        rows = {row.pk: row for row in selectors.unit_rows(campaign, yubei)}

    assert rows[noms[0].pk].objections == {"total": 201, "open": 81, "upheld": 40, "not_upheld": 80}
    assert rows[noms[1].pk].objections == {"total": 0, "open": 0, "upheld": 0, "not_upheld": 0}
    assert not [q for q in queries.captured_queries if "objector_contact" in q["sql"]]
