"""The caps' SQL predicates count exactly whom the Python ones count (reviews/caps.py, issue 8).

The proposed list and the dashboard count caps in SQL (``caps.cap_flags``) while a change to the list is
checked in Python (``caps.check_caps``): the two forms must agree on every kind of nominee. Built here:
every category × every body (organs, their internal bodies, the host unit's divisions, units, none) ×
rank grades × 以专业技术人员身份推荐, with and without a host unit.
"""

import itertools

import pytest

from awards.models import CapRule, Category, Quota
from nominations.models import Nomination, Rank, Status
from orgs.models import Kind, Level
from orgs.services import ensure_organisation
from reviews import caps
from reviews.models import Review

pytestmark = pytest.mark.django_db


def _bodies(root):
    organ = ensure_organisation(name="测试市级机关", parent=root, level=Level.DEPARTMENT, kind=Kind.MUNICIPAL_ORGAN)
    host = ensure_organisation(name="测试主办单位", parent=root, level=Level.DEPARTMENT, kind=Kind.HOST_UNIT)
    other_dept = ensure_organisation(name="测试其他部门", parent=root, level=Level.DEPARTMENT, kind=Kind.GOVERNMENT)
    district = ensure_organisation(name="测试区县", parent=root, level=Level.DISTRICT, kind=Kind.GOVERNMENT)
    return host, [
        organ, host, other_dept, district,
        ensure_organisation(name="测试机关处室", parent=organ, level=Level.DIVISION, kind=Kind.MUNICIPAL_ORGAN),
        ensure_organisation(name="测试机关处室（其他性质）", parent=organ, level=Level.DIVISION, kind=Kind.OTHER),
        ensure_organisation(name="测试主办单位处室", parent=host, level=Level.DIVISION, kind=Kind.HOST_UNIT),
        ensure_organisation(name="测试机关直属单位", parent=organ, level=Level.UNIT, kind=Kind.PUBLIC_INSTITUTION),
        ensure_organisation(name="测试主办单位直属单位", parent=host, level=Level.UNIT, kind=Kind.PUBLIC_INSTITUTION),
        ensure_organisation(name="测试部门处室", parent=other_dept, level=Level.DIVISION, kind=Kind.MUNICIPAL_ORGAN),
        ensure_organisation(name="测试区县单位", parent=district, level=Level.UNIT, kind=Kind.PRIVATE),
        ensure_organisation(name="测试区县科室", parent=district, level=Level.DIVISION, kind=Kind.IP_ADMIN),
    ]


def _agree(campaign):
    noms = list(Nomination.objects.filter(campaign=campaign).select_related("unit__parent", "organisation__parent"))
    assert len(noms) > 100
    for counts in CapRule.Counts.values:
        python = {n.pk for n in noms if caps.PREDICATES[counts](n, campaign)}
        condition = caps.SQL_PREDICATES[counts](campaign, "")
        sql = set() if condition is None else set(Nomination.objects.filter(campaign=campaign).filter(condition).values_list("pk", flat=True))
        assert sql == python, counts
        # Reached from a review, as the proposed list does.
        via = caps.SQL_PREDICATES[counts](campaign, "nomination__")
        reviewed = set() if via is None else set(Review.objects.filter(campaign=campaign).filter(via).values_list("nomination_id", flat=True))
        assert reviewed == {pk for pk in python if pk in set(Review.objects.filter(campaign=campaign).values_list("nomination_id", flat=True))}
    # The flags as values() annotations, and the body's kind.
    flags = caps.cap_flags(campaign, list(campaign.caps.all()))
    rows = {r["pk"]: r for r in Nomination.objects.filter(campaign=campaign).values("pk", kind=caps.body_field("kind"), **flags)}
    for n in noms:
        assert rows[n.pk]["kind"] == caps._body(n).kind
        for cap in campaign.caps.all():
            assert bool(rows[n.pk][caps.flag_name(cap)]) == caps.PREDICATES[cap.counts](n, campaign), (n, cap.counts)
    return noms


def test_sql_predicates_count_whom_the_python_predicates_count(campaign, users):
    host, bodies = _bodies(campaign.root)
    quota = Quota.objects.filter(campaign=campaign, parent__isnull=True).first()
    ranks = [Rank.SECTION_STAFF, Rank.RESEARCHER_34, Rank.DIVISION, Rank.DIVISION_DEPUTY, Rank.BUREAU, ""]
    made = []
    for unit, body, rank, professional, category in itertools.product(
        bodies[:6] + bodies[-2:], [*bodies, None], ranks, (False, True), Category.values,
    ):
        if category == Category.INDIVIDUAL and body is not None:
            continue  # an individual stands for the unit: the body does not matter
        made.append(Nomination(
            campaign=campaign, quota=quota, unit=unit, category=category, status=Status.FORWARDED,
            organisation=body if category == Category.COLLECTIVE else None, rank_grade=rank if category == Category.INDIVIDUAL else "",
            as_professional=professional, name="测试", created_by=users["office"],
        ))
    made = Nomination.objects.bulk_create(made)
    Review.objects.bulk_create([
        Review(campaign=campaign, nomination=n, quota_id=n.quota_id, category=n.category, submitter_rank=i + 1)
        for i, n in enumerate(made[::3])
    ])
    # Every cap kind on the campaign, so that the flags cover each.
    for counts in CapRule.Counts.values:
        if not campaign.caps.filter(counts=counts).exists():
            campaign.caps.create(label=counts, counts=counts, base=CapRule.Base.ALL_AWARDS, percent=10, mode=CapRule.Mode.ABSOLUTE)

    campaign.host_unit = host
    campaign.save(update_fields=["host_unit"])
    noms = _agree(campaign)
    # Each predicate counts somebody and leaves somebody out: the comparison is not vacuous.
    for counts in CapRule.Counts.values:
        hits = sum(1 for n in noms if caps.PREDICATES[counts](n, campaign))
        assert 0 < hits < len(noms), counts

    campaign.host_unit = None
    campaign.save(update_fields=["host_unit"])
    _agree(campaign)
