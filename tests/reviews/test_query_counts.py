"""The office queue, the proposed list with live caps and the dashboard run a constant number of
queries whatever the number of nominations (issue 5: "for 50 or 5,000 nominations").

The rows are made with ``bulk_create`` (Nomination, Review, and what the pages prefetch:
justifications, consultations, votes, materials) so that 5,000 rows take a moment to build.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import CapRule, Quota, Stage, StageKey
from core.demo import LIVE_SLUG
from nominations.models import Consultation, Justification, Nomination, Status, Submission
from orgs.models import Level, Organisation
from reviews.models import CapDecision, FormalMaterial, Outcome, Review, Vote
from tests.audit.helpers import audit_row_queries

pytestmark = pytest.mark.django_db

# Queries per page, each a literal so that a new N+1 shows as a changed number. Every page pays 7:
# the campaign with its categories, caps, forms and stages, and for HTML pages the user's
# organisation (header) and the reminder count (the session, the user, the security policy and the
# user's roles come from the shared cache, read once per change; the session is written once a minute).
# Then the page's own reads:
#   initial (+9 = 16): the quota holders for the filter; the counts per category and outcome (the
#       queue is paged, 50 rows a page); the page's review ids (a narrow sort); the page's reviews with nomination, units and quota holder; justifications; consultations; appraisals; honours; the units' nominations (warnings).
#   comprehensive (+7 = 14): every passed review as a narrow row (order, counts, caps, conflicts);
#       members' roles; votes; cap decisions; the shown rows with nomination, units and quota holder
#       (one page of 50 per category); meetings; the caps again for the decision form's choices.
#   dashboard (+8 = 15): cap decisions; every quota of the campaign (values); the nominations at the
#       office as narrow rows with their review's outcomes and cap flags; submissions; justifications;
#       closed district notices; final notices with objection counts; materials of the proposed.
#       (+1 when some nominee was cancelled or revoked: those, as objects.)
#   re_review (+4 = 11): the ids in order (paged, 50 a page); the page's reviews; materials;
#       party-group meetings.
#   decision (+3 = 10): reviews; cap decisions; meetings.
#   comprehensive_export (5 + 6 = 11) and final_export (5 + 3 = 8): no header, the same reads; and
#       the export's audit row (tests/audit/helpers.audit_row_queries, added below).
EXPECTED = {
    "initial": 16,
    "comprehensive": 14,
    "dashboard": 15,
    "re_review": 11,
    "decision": 10,
    "comprehensive_export": 11,
    "final_export": 8,
}


def _units(campaign):
    """Units and divisions across many districts and departments, each with its quota holder."""
    holders = list(Quota.objects.filter(campaign=campaign, parent__isnull=True).select_related("organisation"))
    orgs = Organisation.objects.filter(path__startswith=campaign.root.path, level__in=(Level.UNIT, Level.DIVISION, Level.DISTRICT))
    out = []
    for org in orgs:
        holder = next((q for q in holders if org.path.startswith(q.organisation.path)), None)
        if holder is not None:
            out.append((org, holder))
    return out


def build(campaign, users, size: int) -> list[Review]:
    office = users["office"]
    units = _units(campaign)
    noms = []
    for i in range(size):
        unit, quota = units[i % len(units)]
        collective = i % 3 == 0
        noms.append(Nomination(
            campaign=campaign, quota=quota, unit=unit, status=Status.FORWARDED,
            category="collective" if collective else "individual",
            organisation=unit if collective else None, name="" if collective else f"推荐{i}号",
            rank_grade="" if collective else ("division" if i % 7 == 1 else "section_staff"),
            brief_deeds="简要事迹", created_by=office,
        ))
    noms = Nomination.objects.bulk_create(noms)
    reviews = Review.objects.bulk_create([
        Review(
            campaign=campaign, nomination=n, quota_id=n.quota_id, category=n.category, submitter_rank=i + 1,
            initial=Outcome.PASSED if i % 4 else Outcome.PENDING, police_answer="no_objection" if i % 2 else "",
            proposed=i % 4 == 1, proposed_rank=i if i % 4 == 1 else None, approve_votes=2, eligible_voters=3,
            re_review=Outcome.PASSED if i % 8 == 1 else Outcome.PENDING,
        )
        for i, n in enumerate(noms)
    ])
    Justification.objects.bulk_create([
        Justification(nomination=n, rule="division_level", warning="各单位原则上不推荐处级干部", text="确需推荐，理由充分。",
                      author=users["district_yubei"], author_org=users["district_yubei"].organisation)
        for n in noms[::5]
    ])
    Consultation.objects.bulk_create([
        Consultation(nomination=n, department="personnel", answer="no_objection", answered_on=dt.date(2026, 10, 1), recorded_by=office)
        for n in noms[::3]
    ])
    Vote.objects.bulk_create([Vote(review=r, member=users["member_liu"], choice="approve") for r in reviews[::2]])
    FormalMaterial.objects.bulk_create([
        FormalMaterial(review=r, kind="approval_form", file="reviews/formal/x.pdf", copies=3, uploaded_by=office)
        for r in reviews if r.proposed
    ])
    Submission.objects.bulk_create([
        Submission(campaign=campaign, quota=q, submitted_by=office) for q in {quota for _u, quota in units[:10]}
    ])
    cap = campaign.caps.get(counts=CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS)
    CapDecision.objects.create(campaign=campaign, cap=cap, allowed_count=40, meeting="领导小组会议", held_on=dt.date(2026, 11, 1),
                               reason="处级干部比例经领导小组研究同意突破。", recorded_by=office)
    now = timezone.now()
    Stage.objects.filter(campaign=campaign, key__in=(StageKey.SUBMISSION, StageKey.INITIAL_REVIEW)).update(started_at=now, closed_at=now)
    Stage.objects.filter(campaign=campaign, key=StageKey.COMPREHENSIVE_REVIEW).update(started_at=now)
    return reviews


# Issue 5: the same number of queries for 50 and for 5,000 nominations.
@pytest.mark.parametrize("size", [50, 5000])
def test_office_pages_run_a_constant_number_of_queries(client, campaign, users, django_assert_num_queries, size):
    build(campaign, users, size)
    client.force_login(users["office"])
    client.get("/")  # the policy and the office's grants, read once into the shared cache (orgs.policy, orgs.permissions)
    responses = {}

    for page, expected in EXPECTED.items():
        with django_assert_num_queries(expected + (audit_row_queries() if page.endswith("_export") else 0)):
            responses[page] = client.get(reverse(f"reviews:{page}", args=[LIVE_SLUG]))

    assert {page: r.status_code for page, r in responses.items()} == dict.fromkeys(EXPECTED, 200)
    # ... and they did show every row.
    queue = responses["initial"].context["groups"]
    listed = responses["comprehensive"].context["data"]
    dashboard = responses["dashboard"].context["data"]
    assert sum(g.total for g in queue) == size
    assert sum(g.shown for g in queue) == min(size, 50)
    assert sum(g.total for g in listed.categories) == sum(1 for i in range(size) if i % 4)
    assert all(len(g.rows) <= 100 for g in listed.categories)
    assert dashboard.total("submitted") == size
    assert dashboard.total("proposed") == sum(1 for i in range(size) if i % 4 == 1)
    division = next(u for u in listed.uses if u.cap.counts == CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS)
    assert division.decision is not None and division.allowed == 40
