"""The three real campaigns of DESIGN §2 as presets: numbers, quotas, caps, schedule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from awards.models import (
    AwardCategory,
    Campaign,
    CampaignForm,
    CapRule,
    Category,
    Quota,
    Stage,
    StageKey,
    cap_limit,
)
from awards.presets import SHANGHAI, apply_preset, load_all_presets
from tests.conftest import PRESET_SLUGS

pytestmark = pytest.mark.django_db


def _caps(campaign: Campaign) -> dict[str, tuple[int, str, Decimal]]:
    """{counts: (limit, mode, percent)} for every cap of the campaign."""
    return {cap.counts: (cap.limit(), cap.mode, cap.percent) for cap in campaign.caps.all()}


# --- 重庆 2023 --------------------------------------------------------------------------------


def test_chongqing_awards_are_50_collectives_and_50_individuals(presets):
    campaign = presets["cq-2023"]

    assert campaign.award_count(Category.COLLECTIVE) == 50
    assert campaign.award_count(Category.INDIVIDUAL) == 50
    assert campaign.award_count() == 100


def test_chongqing_each_district_and_zone_has_2_plus_2(presets, tree):
    campaign = presets["cq-2023"]
    quotas = Quota.objects.filter(campaign=campaign, organisation__in=tree.cq_districts.values())

    assert len(tree.cq_districts) == 41
    assert sorted(
        (q.organisation.name, q.collective_max, q.individual_max, q.parent_id) for q in quotas
    ) == sorted((name, 2, 2, None) for name in tree.cq_districts)


def test_chongqing_ip_administration_sub_quota_is_1_plus_1_within_its_district(presets, tree):
    campaign = presets["cq-2023"]

    for name, ip_admin in tree.cq_ip_admins.items():
        sub = Quota.objects.select_related("parent__organisation").get(
            campaign=campaign, organisation=ip_admin
        )
        assert (sub.collective_max, sub.individual_max) == (1, 1)
        assert sub.parent.organisation == tree.cq_districts[name]
    assert Quota.objects.filter(campaign=campaign, parent__isnull=False).count() == 41


def test_chongqing_each_municipal_department_has_1_plus_2(presets, tree):
    campaign = presets["cq-2023"]
    departments = [*tree.cq_departments.values(), tree.cq_host]
    quotas = Quota.objects.filter(campaign=campaign, organisation__in=departments)

    assert len(departments) == 17
    assert tree.cq_host.name == "重庆市知识产权局"
    assert sorted((q.organisation.name, q.collective_max, q.individual_max) for q in quotas) == sorted(
        (org.name, 1, 2) for org in departments
    )
    assert Quota.objects.filter(campaign=campaign, parent__isnull=True).count() == 41 + 17


def test_chongqing_caps_are_10_15_5_in_principle(presets):
    assert _caps(presets["cq-2023"]) == {
        CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS: (10, CapRule.Mode.IN_PRINCIPLE, Decimal("20")),
        CapRule.Counts.MUNICIPAL_ORGAN_BODIES: (15, CapRule.Mode.IN_PRINCIPLE, Decimal("15")),
        CapRule.Counts.HOST_UNIT_BODIES: (5, CapRule.Mode.IN_PRINCIPLE, Decimal("5")),
    }


def test_chongqing_cap_bases_are_individual_awards_and_all_awards(presets):
    bases = {cap.counts: cap.base_total() for cap in presets["cq-2023"].caps.all()}

    assert bases == {
        CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS: 50,
        CapRule.Counts.MUNICIPAL_ORGAN_BODIES: 100,
        CapRule.Counts.HOST_UNIT_BODIES: 100,
    }


def test_chongqing_forms_and_text_limits_follow_the_seed(presets):
    campaign = presets["cq-2023"]

    assert list(campaign.forms.values_list("attachment_number", "key", "copies")) == [
        ("附件3", "collective_approval", 3),
        ("附件4", "individual_approval", 3),
        ("附件5", "consultation", 1),
    ]
    assert (campaign.formal_copies, campaign.brief_deeds_max_chars, campaign.publicity_working_days) == (
        3,
        500,
        5,
    )


def test_chongqing_submission_deadline_is_the_one_in_the_notice(presets):
    stage = presets["cq-2023"].stages.get(key=StageKey.SUBMISSION)

    assert stage.deadline.astimezone(SHANGHAI).date() == dt.date(2023, 9, 30)
    assert stage.note == "依据通知"


# --- 全国 2021 --------------------------------------------------------------------------------


def test_national_awards_are_100_plus_100(presets):
    campaign = presets["national-2021"]

    assert (campaign.award_count(Category.COLLECTIVE), campaign.award_count(Category.INDIVIDUAL)) == (
        100,
        100,
    )


def test_national_quotas_sum_to_128_collectives_and_126_individuals_over_33_bodies(presets):
    quotas = list(Quota.objects.filter(campaign=presets["national-2021"]).select_related("organisation"))
    names = {q.organisation.name for q in quotas}

    assert len(quotas) == 33
    assert sum(q.collective_max for q in quotas) == 128
    assert sum(q.individual_max for q in quotas) == 126
    assert {"新疆生产建设兵团", "国家知识产权局所属单位", "重庆市", "天津市"} <= names
    assert all(q.parent_id is None for q in quotas)


def test_national_each_body_has_a_division_level_allocation(presets):
    allocations = list(
        Quota.objects.filter(campaign=presets["national-2021"]).values_list("division_level_max", flat=True)
    )

    assert len(allocations) == 33
    assert all(isinstance(n, int) and n >= 1 for n in allocations)


def test_national_cap_is_20_absolute(presets):
    assert _caps(presets["national-2021"]) == {
        CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS: (20, CapRule.Mode.ABSOLUTE, Decimal("20")),
    }


def test_national_brief_deeds_at_most_300_and_5_formal_copies(presets):
    campaign = presets["national-2021"]

    assert (campaign.brief_deeds_max_chars, campaign.formal_copies, campaign.min_years_in_field) == (
        300,
        5,
        5,
    )


def test_national_forms_are_attachments_1_to_6(presets):
    numbers = list(presets["national-2021"].forms.values_list("attachment_number", flat=True))

    assert numbers == ["附件1", "附件2", "附件3", "附件4", "附件5", "附件6"]


def test_national_stage_deadlines_are_the_ones_in_the_notice(presets):
    deadlines = {
        s.key: s.deadline.astimezone(SHANGHAI).date()
        for s in presets["national-2021"].stages.all()
        if s.note == "依据通知"
    }

    assert deadlines == {
        StageKey.CONTACT_FORM: dt.date(2021, 8, 13),
        StageKey.SUBMISSION: dt.date(2021, 8, 31),
        StageKey.FORMAL_MATERIALS: dt.date(2021, 9, 30),
    }


# --- 天津 2022 --------------------------------------------------------------------------------


def test_tianjin_awards_are_14_collectives_and_20_advanced_workers(presets):
    categories = {c.kind: (c.title, c.award_count) for c in presets["tj-2022"].categories.all()}

    assert categories == {
        Category.COLLECTIVE: ("天津市知识产权系统先进集体", 14),
        Category.INDIVIDUAL: ("天津市知识产权系统先进工作者", 20),
    }


def test_tianjin_caps_floor_15_percent_of_34_to_5_and_20_percent_of_20_to_4(presets):
    caps = _caps(presets["tj-2022"])

    assert caps[CapRule.Counts.MUNICIPAL_ORGAN_BODIES][0] == 5
    assert caps[CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS][0] == 4
    assert caps[CapRule.Counts.HOST_UNIT_BODIES][0] == 1


def test_tianjin_quotas_cover_its_16_districts(presets, tree):
    quotas = Quota.objects.filter(campaign=presets["tj-2022"], organisation__in=tree.tj_districts.values())

    assert quotas.count() == 16


# --- all presets -----------------------------------------------------------------------------




def _counts() -> dict[str, int]:
    """Rows of the three seed campaigns (the test database also holds the live demo campaign)."""
    counts = {"Campaign": Campaign.objects.filter(slug__in=PRESET_SLUGS).count()}
    for model in (AwardCategory, Quota, CapRule, Stage, CampaignForm):
        counts[model.__name__] = model.objects.filter(campaign__slug__in=PRESET_SLUGS).count()
    return counts


def test_presets_loaded_twice_give_the_same_counts(presets):
    first = _counts()

    load_all_presets()

    assert _counts() == first
    assert first == {
        "Campaign": 3,
        "AwardCategory": 6,
        "Quota": 99 + 33 + 18,
        "CapRule": 3 + 1 + 3,
        "Stage": 9 + 9 + 6,
        "CampaignForm": 3 + 6 + 3,
    }


def test_presets_reloaded_restore_an_edited_quota(presets, tree):
    campaign = presets["cq-2023"]
    Quota.objects.filter(campaign=campaign, organisation=tree.cq_districts["渝北区"]).update(collective_max=9)

    apply_preset("chongqing-2023", tree=tree)

    assert Quota.objects.get(campaign=campaign, organisation=tree.cq_districts["渝北区"]).collective_max == 2


def test_presets_are_archived_as_in_their_seed(presets):
    assert {slug: c.status for slug, c in presets.items()} == {
        "cq-2023": Campaign.Status.ARCHIVED,
        "national-2021": Campaign.Status.ARCHIVED,
        "tj-2022": Campaign.Status.ARCHIVED,
    }


@pytest.mark.parametrize(
    ("total", "percent", "expected"),
    [(34, 15, 5), (100, 15, 15), (20, 20, 4), (50, 20, 10), (0, 20, 0), (7, "14.5", 1)],
)
def test_cap_limit_floors(total, percent, expected):
    assert cap_limit(total, percent) == expected


def test_cap_limit_accepts_a_decimal_percent():
    assert cap_limit(34, Decimal("15.00")) == 5


# --- Quota.clean -----------------------------------------------------------------------------


def test_quota_clean_refuses_a_sub_quota_larger_than_its_parent(presets, tree):
    campaign = presets["cq-2023"]
    sub = Quota.objects.get(campaign=campaign, organisation=tree.cq_ip_admins["渝北区"])
    sub.individual_max = 3

    with pytest.raises(ValidationError, match="子名额不能超过所属名额"):
        sub.clean()


def test_quota_clean_refuses_a_sub_quota_outside_its_parents_subtree(presets, tree):
    campaign = presets["cq-2023"]
    sub = Quota.objects.get(campaign=campaign, organisation=tree.cq_ip_admins["渝北区"])
    sub.parent = Quota.objects.get(campaign=campaign, organisation=tree.cq_districts["沙坪坝区"])

    with pytest.raises(ValidationError, match="子名额的机构必须在所属名额机构之下"):
        sub.clean()


def test_quota_clean_refuses_a_sub_quota_under_another_campaigns_quota(presets, tree):
    rerun = apply_preset("chongqing-2023", tree=tree, slug="cq-rerun", start=dt.date(2026, 3, 2))
    sub = Quota.objects.get(campaign=presets["cq-2023"], organisation=tree.cq_ip_admins["渝北区"])
    sub.parent = Quota.objects.get(campaign=rerun, organisation=tree.cq_districts["渝北区"])

    with pytest.raises(ValidationError, match="子名额须与所属名额属于同一评选表彰活动"):
        sub.clean()


def test_quota_clean_accepts_the_preset_sub_quota(presets, tree):
    sub = Quota.objects.get(campaign=presets["cq-2023"], organisation=tree.cq_ip_admins["渝北区"])

    assert sub.clean() is None


# --- apply_preset(start=...) -------------------------------------------------------------------


def test_apply_preset_with_start_shifts_the_schedule(tree):
    start = dt.date(2026, 3, 2)

    campaign = apply_preset("chongqing-2023", tree=tree, slug="cq-2026", start=start)

    stages = list(campaign.stages.order_by("order"))
    assert (campaign.year, campaign.status) == (2026, Campaign.Status.OPEN)
    assert stages[0].opens_at == dt.datetime(2026, 3, 2, 8, 30, tzinfo=SHANGHAI)
    assert stages[1].key == StageKey.SUBMISSION
    assert stages[1].deadline == dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=SHANGHAI)


def test_apply_preset_with_start_keeps_the_deadlines_ordered(tree):
    campaign = apply_preset("national-2021", tree=tree, slug="nat-2026", start=dt.date(2026, 6, 1))

    stages = list(campaign.stages.order_by("order"))
    deadlines = [s.deadline for s in stages]
    assert deadlines == sorted(deadlines)
    assert all(s.opens_at < s.deadline for s in stages)
    for stage in stages:
        stage.full_clean()


def test_apply_preset_with_start_and_no_slug_makes_a_new_campaign_titled_with_its_year(presets, tree):
    campaign = apply_preset("tianjin-2022", tree=tree, start=dt.date(2026, 9, 1))

    assert (campaign.slug, campaign.year) == ("tj-20260901", 2026)
    assert campaign.title == "天津市知识产权系统先进集体和先进工作者评选表彰（2026年）"
    assert Campaign.objects.get(slug="tj-2022").year == 2022
    assert Campaign.objects.filter(slug__in=[*PRESET_SLUGS, "tj-20260901"]).count() == 4


def test_apply_preset_with_start_leaves_the_seed_campaign_alone(presets, tree):
    apply_preset("chongqing-2023", tree=tree, slug="cq-rerun", start=dt.date(2026, 3, 2))

    seed = Campaign.objects.get(slug="cq-2023")
    assert (seed.year, seed.status) == (2023, Campaign.Status.ARCHIVED)
    assert Campaign.objects.get(slug="cq-rerun").quotas.count() == seed.quotas.count() == 99


def test_every_preset_row_passes_its_own_validation(presets):
    seeds = {"campaign__slug__in": PRESET_SLUGS}
    rows = [
        *Campaign.objects.filter(slug__in=PRESET_SLUGS),
        *Quota.objects.filter(**seeds).select_related("organisation", "parent__organisation"),
        *CapRule.objects.filter(**seeds),
        *Stage.objects.filter(**seeds),
        *AwardCategory.objects.filter(**seeds),
        *CampaignForm.objects.filter(**seeds),
    ]

    for row in rows:
        row.full_clean()
    assert len(rows) == 3 + 150 + 7 + 24 + 6 + 12
