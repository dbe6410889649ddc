"""Every rule of DESIGN §4, each test able to fail."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from awards.models import Category, Stage, StageKey
from nominations import rules, services
from nominations.models import Consultation, Nomination, Status
from nominations.rules import RuleError
from orgs.models import Kind, Level
from orgs.services import ensure_organisation
from tests.chain.helpers import BRIEF, DEEDS, collective, individual, procedures

pytestmark = pytest.mark.django_db


def _submitted(nom):
    """Put a nomination straight into the district's queue (the unit stage is tested elsewhere)."""
    Nomination.objects.filter(pk=nom.pk).update(status=Status.SUBMITTED)
    nom.refresh_from_db()
    return nom


@pytest.fixture
def yubei(org):
    return {
        "center": org("渝北区知识产权保护中心"),
        "court": org("渝北区人民法院"),
        "soe": org("重庆渝北科创投资集团有限公司"),
        "private": org("重庆星途智能装备有限公司"),
    }


# --- quotas (重庆 三) -------------------------------------------------------------------------


def test_quota_district_refuses_third_individual(campaign, users, yubei):
    screener, staff = users["district_yubei"], users["unit_yubei"]
    a = _submitted(individual(campaign, yubei["court"], staff, seq=1))
    b = _submitted(individual(campaign, yubei["soe"], staff, seq=2, ownership="state_owned"))
    c = _submitted(individual(campaign, yubei["private"], staff, seq=3, ownership="private"))
    services.accept_nomination(a, actor=screener)
    services.accept_nomination(b, actor=screener)
    with pytest.raises(RuleError) as err:
        services.accept_nomination(c, actor=screener)
    assert str(err.value) == "渝北区已推荐先进个人2名，名额为2名。"
    c.refresh_from_db()
    assert c.status == Status.SUBMITTED


def test_quota_ip_administration_sub_quota_is_one_plus_one(campaign, users, yubei, org):
    screener, staff = users["district_yubei"], users["unit_yubei"]
    division = org("保护科")
    a = _submitted(individual(campaign, yubei["center"], staff, seq=1))
    b = _submitted(individual(campaign, division, staff, seq=2))
    assert a.sub_quota.organisation.name == "渝北区知识产权局"
    services.accept_nomination(a, actor=screener)
    with pytest.raises(RuleError, match="其中渝北区知识产权局已推荐先进个人1名，名额为1名"):
        services.accept_nomination(b, actor=screener)


def test_quota_forfeited_slot_is_not_given_back(campaign, users, yubei):
    screener, staff = users["district_yubei"], users["unit_yubei"]
    a = _submitted(individual(campaign, yubei["court"], staff, seq=1))
    b = _submitted(individual(campaign, yubei["court"], staff, seq=2))
    c = _submitted(individual(campaign, yubei["court"], staff, seq=3))
    services.accept_nomination(a, actor=screener)
    services.accept_nomination(b, actor=screener)
    # 全国 六(三)/重庆 五(三): 取消相应名额 — no backfill.
    services.cancel_nomination(a, reason="经查实未按规定程序推荐", actor=screener, forfeits_slot=True)
    with pytest.raises(RuleError, match="名额为2名"):
        services.accept_nomination(c, actor=screener)
    # A cancellation without forfeiture does give the slot back.
    services.cancel_nomination(b, reason="本人因工作调动退出", actor=screener, forfeits_slot=False)
    services.accept_nomination(c, actor=screener)
    assert rules.quota_used(a.quota, Category.INDIVIDUAL) == 2


def test_quota_national_division_level_allocation(users, demo, org):
    from awards.presets import apply_preset

    nat = apply_preset("national-2021", slug="nat-live", start=timezone.localdate() - dt.timedelta(days=2))
    province = org("江苏省")
    unit = ensure_organisation(name="南京市知识产权局", parent=province, level=Level.UNIT, kind=Kind.IP_ADMIN)
    staff = users["nat_office"]
    a = _submitted(individual(nat, unit, staff, seq=1, rank_grade="division"))
    b = _submitted(individual(nat, unit, staff, seq=2, rank_grade="researcher_12"))
    services.accept_nomination(a, actor=staff)
    with pytest.raises(RuleError, match="处级干部推荐限额为1名"):
        services.accept_nomination(b, actor=staff)


# --- collective and its leaders (重庆 二、三) ---------------------------------------------------


def test_leaders_individual_refused_when_unit_nominates_their_collective(campaign, users, yubei):
    staff = users["unit_yubei"]
    collective(campaign, yubei["center"], staff, leaders=("王建华",))
    ind = individual(campaign, yubei["center"], staff, name="王建华")
    with pytest.raises(RuleError, match="不能再推荐其班子成员王建华为先进个人"):
        rules.check_leaders(ind)


def test_leaders_collective_refused_when_its_leader_is_nominated(campaign, users, yubei):
    staff = users["unit_yubei"]
    individual(campaign, yubei["center"], staff, name="王建华")
    col = collective(campaign, yubei["center"], staff, leaders=("王建华",))
    with pytest.raises(RuleError, match="班子成员王建华"):
        rules.check_leaders(col)


def test_leaders_other_unit_may_nominate_same_name(campaign, users, yubei):
    staff = users["unit_yubei"]
    collective(campaign, yubei["center"], staff, leaders=("王建华",))
    ind = individual(campaign, yubei["court"], staff, name="王建华")
    rules.check_leaders(ind)  # no error: another unit


# --- division-level individuals per unit (重庆 三) ----------------------------------------------


def _ready(nom):
    Nomination.objects.filter(pk=nom.pk).update(status=Status.UNIT_READY)


@pytest.mark.parametrize(
    ("ranks", "alternate", "message"),
    [
        (["division", "division_deputy"], False, "推荐处级干部2名，每个单位最多推荐1名"),
        (["division", "section_staff"], False, "须同时推荐1名处级以下干部职工作为备选"),
        (["researcher_34", "clerk"], False, "须同时推荐1名处级以下干部职工作为备选"),
    ],
)
def test_division_level_refused(campaign, users, yubei, ranks, alternate, message):
    staff = users["unit_yubei"]
    noms = [individual(campaign, yubei["court"], staff, seq=i, rank_grade=r, is_alternate=alternate) for i, r in enumerate(ranks)]
    for i, nom in enumerate(noms, start=1):
        _ready(nom)
        Nomination.objects.filter(pk=nom.pk).update(unit_rank=i)
    with pytest.raises(RuleError, match=message):
        services.submit_unit(campaign=campaign, unit=yubei["court"], actor=staff)


def test_division_level_with_alternate_passes(campaign, users, yubei):
    staff = users["unit_yubei"]
    a = individual(campaign, yubei["court"], staff, seq=1, rank_grade="division")
    b = individual(campaign, yubei["court"], staff, seq=2, rank_grade="section_staff", is_alternate=True)
    for i, nom in enumerate((a, b), start=1):
        _ready(nom)
        Nomination.objects.filter(pk=nom.pk).update(unit_rank=i)
    assert len(services.submit_unit(campaign=campaign, unit=yubei["court"], actor=staff)) == 2


def test_division_level_professional_is_not_counted(campaign, users, yubei):
    staff = users["unit_yubei"]
    nom = individual(campaign, yubei["center"], staff, rank_grade="division", as_professional=True,
                     as_professional_reason="正高级工程师，主持知识产权保护技术研究")
    assert nom.is_division_level is False


def test_division_level_professional_needs_reason(campaign, users, yubei):
    with pytest.raises(ValidationError) as err:
        individual(campaign, yubei["center"], users["unit_yubei"], rank_grade="division", as_professional=True)
    assert "as_professional_reason" in err.value.message_dict


# --- exclusions (重庆 二(二), 五(二); 全国 一) -------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"rank_grade": "bureau_deputy"}, "rank_grade", "副厅局级"),
        ({"rank_grade": "inspector"}, "rank_grade", "副厅局级"),
        ({"is_city_managed_cadre": True}, "is_city_managed_cadre", "市管干部不参加评选"),
        ({"has_model_worker_treatment": True}, "has_model_worker_treatment", "劳动模范"),
    ],
)
def test_exclusion_individual_refused(campaign, users, yubei, overrides, field, text):
    with pytest.raises(ValidationError) as err:
        individual(campaign, yubei["center"], users["unit_yubei"], **overrides)
    assert text in " ".join(err.value.message_dict[field])
    assert Nomination.objects.count() == 0


def test_exclusion_deputy_bureau_unit_as_collective(campaign, users, org):
    police = org("市公安局")
    with pytest.raises(ValidationError, match="副厅局级"):
        collective(campaign, police, users["unit_police"], organisation=police)


def test_exclusion_enterprise_without_compliance_declaration(campaign, users, yubei):
    nom = individual(campaign, yubei["private"], users["unit_yubei"], ownership="private")
    with pytest.raises(RuleError, match="企业须声明"):
        rules.check_complete(nom)
    nom.enterprise_compliance_declared = True
    rules.check_complete(nom)


def test_exclusion_not_applied_when_campaign_says_not(users, demo, org):
    from awards.presets import apply_preset

    nat = apply_preset("national-2021", slug="nat-live", start=timezone.localdate() - dt.timedelta(days=2))
    unit = ensure_organisation(name="苏州市知识产权局", parent=org("江苏省"), level=Level.UNIT, kind=Kind.IP_ADMIN)
    # The national notice does not exclude 市管干部.
    nom = individual(nat, unit, users["nat_office"], is_city_managed_cadre=True)
    assert nom.pk


# --- in-principle rules: warn, require and keep a justification -----------------------------------


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"years_in_field": Decimal("2")}, "years_in_field"),
        ({"prior_same_commendation": "2020年全国知识产权系统先进个人"}, "prior_commendation"),
        ({"rank_grade": "division_deputy"}, "division_level"),
        ({"deeds": "事迹" * 300}, "deeds_length"),
    ],
)
def test_in_principle_warning_needs_justification(campaign, users, yubei, overrides, code):
    staff = users["unit_yubei"]
    nom = individual(campaign, yubei["center"], staff, **overrides)
    assert code in [w.code for w in rules.unjustified(nom)]
    with pytest.raises(RuleError, match="须填写说明理由"):
        rules.check_justified(nom)
    with pytest.raises(RuleError, match="至少10个字"):
        services.justify(nom, rule=code, text="同意", actor=staff)
    j = services.justify(nom, rule=code, text="该同志情况特殊，经单位党组集体研究同意推荐。", actor=staff)
    assert (j.author, j.author_org.name) == (staff, "渝北区知识产权保护中心")
    assert code not in [w.code for w in rules.unjustified(nom)]


def test_in_principle_appraisals(campaign, users, yubei):
    staff = users["unit_yubei"]
    nom = individual(campaign, yubei["center"], staff, appraisals=False)
    assert [w.message for w in rules.warnings_for(nom) if w.code == "appraisals"] == ["请填写近5年年度考核结果（现有0年）。"]
    for year in range(2021, 2026):
        nom.appraisals.create(year=year, result="competent")
    assert "至少有1次优秀" in [w.message for w in rules.warnings_for(nom) if w.code == "appraisals"][0]
    nom.honours.create(year=2022, level="municipal", title="重庆市优秀公务员")
    assert "appraisals" not in [w.code for w in rules.warnings_for(nom)]
    nom.appraisals.filter(year=2023).update(result="basic")
    assert "2023年为基本称职" in [w.message for w in rules.warnings_for(nom) if w.code == "appraisals"][0]


def test_in_principle_own_ip_bureau_as_collective(campaign, users, org):
    ip = org("渝北区知识产权局")
    nom = collective(campaign, ip, users["district_yubei"], organisation=ip)
    assert "own_ip_bureau" in [w.code for w in rules.warnings_for(nom)]


def test_in_principle_ip_bureau_head(campaign, users, org):
    ip = org("渝北区知识产权局")
    nom = individual(campaign, ip, users["district_yubei"], is_unit_head=True)
    assert "own_ip_bureau_head" in [w.code for w in rules.warnings_for(nom)]


def test_in_principle_same_division(campaign, users, org):
    division = org("保护科")
    ip = org("渝北区知识产权局")
    staff = users["district_yubei"]
    collective(campaign, ip, staff, organisation=division, leaders=())
    nom = individual(campaign, ip, staff, division=division)
    assert "same_division" in [w.code for w in rules.warnings_for(nom)]


def test_justifications_visible_above(campaign, users, yubei, client):
    staff = users["unit_yubei"]
    nom = individual(campaign, yubei["center"], staff, years_in_field=Decimal("2"))
    services.justify(nom, rule="years_in_field", text="该同志2年内查办重大案件12起，成效突出。", actor=staff)
    assert [j.text for j in nom.justifications.all()] == ["该同志2年内查办重大案件12起，成效突出。"]


# --- ranking (DESIGN §3: 1..n, no gaps, no ties) ---------------------------------------------------


@pytest.mark.parametrize("ranks", [[1, 2, 2], [1, 3], [2, 3], [1, None], [0, 1]])
def test_ranking_refuses_gaps_ties_and_blanks(ranks):
    with pytest.raises(RuleError):
        rules.check_ranking(ranks, what="先进个人推荐对象")


@pytest.mark.parametrize("ranks", [[1], [2, 1, 3], []])
def test_ranking_accepts_permutations(ranks):
    rules.check_ranking(ranks, what="先进个人推荐对象")


def test_ranking_must_cover_every_accepted(campaign, users, yubei):
    screener, staff = users["district_yubei"], users["unit_yubei"]
    a = _submitted(individual(campaign, yubei["court"], staff, seq=1))
    b = _submitted(individual(campaign, yubei["court"], staff, seq=2))
    services.accept_nomination(a, actor=screener)
    services.accept_nomination(b, actor=screener)
    with pytest.raises(RuleError, match="全部审核通过"):
        services.rank_nominations(quota=a.quota, category=Category.INDIVIDUAL, ordered_ids=[a.pk], actor=screener)
    with pytest.raises(RuleError, match="全部审核通过"):
        services.rank_nominations(quota=a.quota, category=Category.INDIVIDUAL, ordered_ids=[a.pk, a.pk], actor=screener)
    services.rank_nominations(quota=a.quota, category=Category.INDIVIDUAL, ordered_ids=[b.pk, a.pk], actor=screener)
    assert list(Nomination.objects.filter(pk__in=[a.pk, b.pk]).order_by("rank").values_list("pk", flat=True)) == [b.pk, a.pk]


# --- deadlines (重庆 五(四) 逾期未报视为自动放弃) --------------------------------------------------------


def test_deadline_refuses_submission_after_it(campaign, users, yubei):
    screener, staff = users["district_yubei"], users["unit_yubei"]
    a = _submitted(individual(campaign, yubei["court"], staff, seq=1))
    services.accept_nomination(a, actor=screener)
    stage = Stage.objects.get(campaign=campaign, key=StageKey.SUBMISSION)
    with pytest.raises(RuleError, match="逾期不能再报送"):
        services.submit_to_office(quota=a.quota, actor=screener, now=stage.deadline + dt.timedelta(seconds=1))


def test_deadline_refuses_new_nomination_after_unit_stage(campaign, users, yubei):
    Stage.objects.filter(campaign=campaign, key=StageKey.UNIT).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(RuleError, match="截止"):
        individual(campaign, yubei["center"], users["unit_yubei"])


# --- enterprise consultations (全国 五(二)) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("ownership", "expected"),
    [
        ("", ["personnel", "discipline"]),
        ("state_owned", ["personnel", "discipline", "ecology", "tax", "market", "emergency", "audit"]),
        ("private", ["personnel", "discipline", "ecology", "tax", "market", "emergency", "united_front", "federation"]),
    ],
)
def test_consultations_required_by_kind(campaign, users, yubei, ownership, expected):
    unit = {"": yubei["court"], "state_owned": yubei["soe"], "private": yubei["private"]}[ownership]
    nom = individual(campaign, unit, users["unit_yubei"], ownership=ownership)
    assert [str(d) for d in rules.required_consultations(nom)] == expected


def test_consultations_missing_refuse_and_objection_refuses(campaign, users, yubei):
    screener = users["district_yubei"]
    nom = individual(campaign, yubei["private"], users["unit_yubei"], ownership="private")
    for dept in ("personnel", "discipline", "ecology", "tax", "market", "emergency"):
        Consultation.objects.create(nomination=nom, department=dept, answer="no_objection", answered_on=dt.date.today(), recorded_by=screener)
    with pytest.raises(RuleError, match="尚未记录统战、工商联部门的意见"):
        rules.check_consultations(nom)
    Consultation.objects.create(nomination=nom, department="united_front", answer="no_objection", answered_on=dt.date.today(), recorded_by=screener)
    Consultation.objects.create(nomination=nom, department="federation", answer="objection", answered_on=dt.date.today(), recorded_by=screener)
    with pytest.raises(RuleError, match="工商联部门意见为“有异议”"):
        rules.check_consultations(nom)


# --- text lengths, counted in characters (重庆 五(四); 全国 五(一)) --------------------------------------


def test_brief_deeds_counts_characters_not_bytes(campaign, users, yubei):
    staff = users["unit_yubei"]
    ok = individual(campaign, yubei["center"], staff, seq=1, brief_deeds="字" * 500)
    assert len(ok.brief_deeds.encode()) == 1500
    with pytest.raises(ValidationError, match="简要事迹不超过500字，现为501字"):
        individual(campaign, yubei["center"], staff, seq=2, brief_deeds="字" * 501)


def test_brief_deeds_whitespace_not_counted(campaign, users, yubei):
    nom = individual(campaign, yubei["center"], users["unit_yubei"], brief_deeds="字 \n" * 500)
    assert rules.char_count(nom.brief_deeds) == 500


def test_brief_deeds_national_limit_is_300(users, demo, org):
    from awards.presets import apply_preset

    nat = apply_preset("national-2021", slug="nat-live", start=timezone.localdate() - dt.timedelta(days=2))
    unit = ensure_organisation(name="无锡市知识产权局", parent=org("江苏省"), level=Level.UNIT, kind=Kind.IP_ADMIN)
    with pytest.raises(ValidationError, match="不超过300字"):
        individual(nat, unit, users["nat_office"], brief_deeds="字" * 301)


def test_id_number_checksum(campaign, users, yubei):
    with pytest.raises(ValidationError, match="校验位"):
        individual(campaign, yubei["center"], users["unit_yubei"], id_number="500112198506010011")


# --- the unit gate: publicity closed clean before moving up (重庆 四(一)) ------------------------------


def test_gate_unit_cannot_submit_before_publicity(campaign, users, yubei):
    staff = users["unit_yubei"]
    individual(campaign, yubei["center"], staff)
    with pytest.raises(RuleError, match="单位公示5个工作日无异议后方可报送"):
        services.submit_unit(campaign=campaign, unit=yubei["center"], actor=staff)


def test_gate_collective_commitment_required(campaign, users, yubei):
    staff = users["unit_yubei"]
    col = collective(campaign, yubei["center"], staff, no_violation_commitment=False)
    procedures(campaign, yubei["center"], staff)
    with pytest.raises(RuleError, match="近5年内无违纪违法"):
        rules.check_complete(col)


def test_deeds_fixture_is_about_1000_characters():
    assert 800 <= rules.char_count(DEEDS) <= 1200 and rules.char_count(BRIEF) <= 500


def test_cancel_for_rule_breach_forfeits_when_campaign_says(campaign, users, yubei):
    screener, staff = users["district_yubei"], users["unit_yubei"]
    a = _submitted(individual(campaign, yubei["court"], staff, seq=1))
    services.accept_nomination(a, actor=screener)
    cancelled = services.cancel_for_rule_breach(a, reason="未经民主推荐", actor=screener)
    assert (cancelled.status, cancelled.forfeits_slot) == (Status.CANCELLED, True)
    assert cancelled.cancel_reason == "未按规定条件和程序推荐：未经民主推荐"
    assert rules.quota_used(a.quota, Category.INDIVIDUAL) == 1


def test_cancel_for_rule_breach_keeps_slot_when_campaign_allows(campaign, users, yubei):
    campaign.cancellation_forfeits_slot = False
    campaign.save()
    screener, staff = users["district_yubei"], users["unit_yubei"]
    a = _submitted(individual(campaign, yubei["court"], staff, seq=1))
    services.accept_nomination(a, actor=screener)
    services.cancel_for_rule_breach(a, reason="未经民主推荐", actor=screener)
    assert rules.quota_used(a.quota, Category.INDIVIDUAL) == 0


def test_cancel_requires_reason(campaign, users, yubei):
    a = individual(campaign, yubei["court"], users["unit_yubei"])
    with pytest.raises(RuleError, match="须填写原因"):
        services.cancel_for_rule_breach(a, reason=" ", actor=users["district_yubei"])
