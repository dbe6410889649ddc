"""The office's stages at the service level (issue 5): order, initial review, votes, caps, decision."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from awards.models import CapRule, StageKey
from nominations.models import Status
from nominations.rules import RuleError
from publicity import services as publicity
from publicity.models import Scope
from reviews import caps, services
from reviews.models import Final, FormalMaterial, Meeting, Review

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)

SPECS = [
    ("渝北区人民法院", "individual", {}),
    ("渝北区知识产权保护中心", "collective", {}),
    ("沙坪坝区知识产权维权援助中心", "individual", {}),
    ("九龙坡区市场监督管理综合行政执法支队", "collective", {}),
    ("法规处", "individual", {"rank_grade": "division"}),  # 市市场监管局内设机构, 处级
]


def _through_initial(campaign, office, noms):
    services.close_stage(campaign, StageKey.SUBMISSION, actor=office)
    services.start_stage(campaign, StageKey.INITIAL_REVIEW, actor=office)
    for review in Review.objects.filter(campaign=campaign):
        services.record_police_opinion(review, answer="no_objection", answered_on=TODAY, actor=office)
        services.decide_initial(review, passed=True, actor=office)
    services.close_stage(campaign, StageKey.INITIAL_REVIEW, actor=office)
    services.start_stage(campaign, StageKey.COMPREHENSIVE_REVIEW, actor=office)


def test_stage_refuses_to_start_before_previous_closed(campaign, users, forwarded):
    office = users["office"]
    forwarded(SPECS[:1])
    with pytest.raises(RuleError, match="须待“区县/市级部门审核推荐并上传初审材料”结束后"):
        services.start_stage(campaign, StageKey.INITIAL_REVIEW, actor=office)
    services.close_stage(campaign, StageKey.SUBMISSION, actor=office)
    services.start_stage(campaign, StageKey.INITIAL_REVIEW, actor=office)
    for key in (StageKey.COMPREHENSIVE_REVIEW, StageKey.FEEDBACK_PUBLICITY, StageKey.RE_REVIEW, StageKey.DECISION):
        with pytest.raises(RuleError, match="须待"):
            services.start_stage(campaign, key, actor=office)


def test_initial_review_needs_police_opinion_and_reason(campaign, users, forwarded):
    office = users["office"]
    forwarded(SPECS[:2])
    services.close_stage(campaign, StageKey.SUBMISSION, actor=office)
    services.start_stage(campaign, StageKey.INITIAL_REVIEW, actor=office)
    a, b = Review.objects.filter(campaign=campaign).order_by("pk")
    with pytest.raises(RuleError, match="尚未记录公安部门意见"):
        services.decide_initial(a, passed=True, actor=office)
    with pytest.raises(RuleError, match="须填写理由"):
        services.decide_initial(b, passed=False, actor=office)
    services.record_police_opinion(a, answer="objection", answered_on=TODAY, actor=office)
    with pytest.raises(RuleError, match="有异议"):
        services.decide_initial(a, passed=True, actor=office)
    with pytest.raises(RuleError, match="尚有2个推荐对象未完成初审"):
        services.close_stage(campaign, StageKey.INITIAL_REVIEW, actor=office)


def test_conflict_of_interest_member_cannot_vote(campaign, users, forwarded, members):
    office = users["office"]
    forwarded(SPECS[:3])
    _through_initial(campaign, office, None)
    yubei_review = Review.objects.get(nomination__unit__name="渝北区人民法院")
    spb_review = Review.objects.get(nomination__unit__name="沙坪坝区知识产权维权援助中心")
    member_yb = members[1]
    with pytest.raises(RuleError, match="回避"):
        services.cast_vote(yubei_review, member=member_yb, choice="approve")
    services.cast_vote(spb_review, member=member_yb, choice="approve")
    with pytest.raises(RuleError, match="只有领导小组成员"):
        services.cast_vote(spb_review, member=users["district_spb"], choice="approve")
    for m in members:
        if m != member_yb:
            services.cast_vote(yubei_review, member=m, choice="approve")
    services.tally(campaign, actor=office)
    yubei_review.refresh_from_db()
    # Two of three members may vote on it; both approved.
    assert (yubei_review.eligible_voters, yubei_review.approve_votes, yubei_review.proposed) == (2, 2, True)


def test_vote_threshold_decides_the_proposed_list(campaign, users, forwarded, members):
    office = users["office"]
    forwarded(SPECS[:3])
    _through_initial(campaign, office, None)
    a = Review.objects.get(nomination__unit__name="渝北区人民法院")
    b = Review.objects.get(nomination__unit__name="沙坪坝区知识产权维权援助中心")
    for m in members[1:]:
        services.cast_vote(b, member=m, choice="reject")
    services.cast_vote(b, member=members[0], choice="approve")  # 1 of 3 < 50%
    for m in (members[0], members[2]):
        services.cast_vote(a, member=m, choice="approve")  # 2 of 2 eligible
    services.tally(campaign, actor=office)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.proposed, b.proposed) == (True, False)


def test_in_principle_cap_exceeded_only_with_recorded_decision(campaign, users, forwarded, members):
    office = users["office"]
    noms = forwarded(SPECS)
    _through_initial(campaign, office, None)
    # Tighten the division-level cap (20% of 50 = 10) to 2% so one 处级 nominee exceeds it (floor 1 → 1)...
    cap = campaign.caps.get(counts=CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS)
    cap.percent = 1  # floor(0.5) = 0
    cap.save()
    for r in Review.objects.filter(campaign=campaign):
        for m in members:
            if not services.has_conflict(m, r.nomination):
                services.cast_vote(r, member=m, choice="approve")
    services.tally(campaign, actor=office)
    services.record_meeting(campaign=campaign, kind=Meeting.Kind.COMPREHENSIVE, title="领导小组第1次会议", held_on=TODAY,
                            summary="综合评审", actor=office)
    use = next(u for u in caps.cap_uses(campaign, services.proposed_nominations(campaign)) if u.cap == cap)
    assert (use.count, use.limit, use.state) == (1, 0, "超出原则性比例，须领导小组决定")
    with pytest.raises(RuleError, match="原则上不得突破"):
        services.close_stage(campaign, StageKey.COMPREHENSIVE_REVIEW, actor=office)
    services.record_cap_decision(campaign=campaign, cap=cap, allowed_count=1, meeting="领导小组第1次会议", held_on=TODAY,
                                 reason="该同志办理重大案件成效突出，经领导小组研究同意。", actor=office)
    use = next(u for u in caps.cap_uses(campaign, services.proposed_nominations(campaign)) if u.cap == cap)
    assert use.state == "经领导小组决定突破"
    services.close_stage(campaign, StageKey.COMPREHENSIVE_REVIEW, actor=office)
    assert noms[4].pk in [n.pk for n in services.proposed_nominations(campaign)]


def test_absolute_cap_refuses(campaign, users, forwarded, members):
    office = users["office"]
    forwarded(SPECS)
    cap = campaign.caps.get(counts=CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS)
    cap.mode, cap.percent = CapRule.Mode.ABSOLUTE, 1  # floor(0.5) = 0
    cap.save()
    _through_initial(campaign, office, None)
    for r in Review.objects.filter(campaign=campaign):
        for m in members:
            if not services.has_conflict(m, r.nomination):
                services.cast_vote(r, member=m, choice="approve")
    proposed = services.tally(campaign, actor=office)
    division = Review.objects.get(nomination__unit__name="法规处")
    assert division not in proposed and division.pk not in [r.pk for r in proposed]
    with pytest.raises(RuleError, match="刚性要求，不得突破"):
        services.set_proposed(division, proposed=True, actor=office)
    with pytest.raises(RuleError, match="刚性比例，不能以领导小组决定突破"):
        services.record_cap_decision(campaign=campaign, cap=cap, allowed_count=1, meeting="会", held_on=TODAY,
                                     reason="理由理由理由理由理由理由", actor=office)


@pytest.mark.parametrize(
    ("preset", "counts", "limit"),
    [
        ("tianjin-2022", CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS, 4),
        ("tianjin-2022", CapRule.Counts.MUNICIPAL_ORGAN_BODIES, 5),
        ("tianjin-2022", CapRule.Counts.HOST_UNIT_BODIES, 1),
        ("chongqing-2023", CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS, 10),
        ("chongqing-2023", CapRule.Counts.MUNICIPAL_ORGAN_BODIES, 15),
        ("chongqing-2023", CapRule.Counts.HOST_UNIT_BODIES, 5),
        ("national-2021", CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS, 20),
    ],
)
def test_cap_limits_with_floor_on_presets(demo, preset, counts, limit):
    from awards.models import Campaign

    campaign = Campaign.objects.get(preset=preset, status=Campaign.Status.ARCHIVED)
    use = next(u for u in caps.cap_uses(campaign, []) if u.cap.counts == counts)
    assert (use.limit, use.count) == (limit, 0)


def test_cap_predicates_count_the_right_nominees(campaign, users, forwarded):
    noms = forwarded(SPECS)
    uses = {u.cap.counts: u for u in caps.cap_uses(campaign, noms)}
    assert uses[CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS].members == (noms[4].pk,)
    assert uses[CapRule.Counts.MUNICIPAL_ORGAN_BODIES].members == (noms[4].pk,)
    assert uses[CapRule.Counts.HOST_UNIT_BODIES].members == ()


def test_office_walk_to_decision_with_upheld_final_objection(campaign, users, forwarded, members, org):
    office = users["office"]
    noms = forwarded(SPECS[:4])
    _through_initial(campaign, office, None)
    for r in Review.objects.filter(campaign=campaign):
        for m in members:
            if not services.has_conflict(m, r.nomination):
                services.cast_vote(r, member=m, choice="approve")
    assert len(services.tally(campaign, actor=office)) == 4
    services.record_meeting(campaign=campaign, kind=Meeting.Kind.COMPREHENSIVE, title="领导小组会议", held_on=TODAY, summary="评审", actor=office)
    services.close_stage(campaign, StageKey.COMPREHENSIVE_REVIEW, actor=office)
    services.start_stage(campaign, StageKey.FEEDBACK_PUBLICITY, actor=office)
    # Each district publicises its own proposed nominees.
    for quota_org in {n.quota.organisation for n in noms}:
        mine = [n for n in noms if n.quota.organisation == quota_org]
        notice = publicity.open_notice(campaign=campaign, scope=Scope.DISTRICT, issuer=quota_org, nominations=mine,
                                       actor=office, contact="023-1")
        publicity.close_notice(notice.pk, now=notice.closes_at)
    services.close_stage(campaign, StageKey.FEEDBACK_PUBLICITY, actor=office)
    services.start_stage(campaign, StageKey.FORMAL_MATERIALS, actor=office)
    for r in Review.objects.filter(campaign=campaign):
        services.upload_material(r, kind=FormalMaterial.Kind.APPROVAL_FORM, file=ContentFile(b"%PDF-1.4", name="a.pdf"), copies=3, actor=office)
    services.close_stage(campaign, StageKey.FORMAL_MATERIALS, actor=office)
    services.start_stage(campaign, StageKey.RE_REVIEW, actor=office)
    first = Review.objects.get(nomination=noms[0])
    with pytest.raises(RuleError, match="附件5《推荐对象征求意见表》"):
        services.decide_re_review(first, passed=True, actor=office)
    # The materials stage is closed now: late uploads are refused.
    with pytest.raises(RuleError, match="已于"):
        services.upload_material(first, kind=FormalMaterial.Kind.CONSULTATION_FORM, file=ContentFile(b"x", name="c.pdf"), copies=1, actor=office)
    for r in Review.objects.filter(campaign=campaign):
        FormalMaterial.objects.create(review=r, kind=FormalMaterial.Kind.CONSULTATION_FORM, file=ContentFile(b"%PDF", name="c.pdf"), copies=1, uploaded_by=office)
        services.decide_re_review(r, passed=True, actor=office)
    with pytest.raises(RuleError, match="党组会议"):
        services.close_stage(campaign, StageKey.RE_REVIEW, actor=office)
    services.record_meeting(campaign=campaign, kind=Meeting.Kind.PARTY_GROUP, title="市知识产权局党组会议", held_on=TODAY, summary="同意", actor=office)
    services.close_stage(campaign, StageKey.RE_REVIEW, actor=office)
    services.start_stage(campaign, StageKey.FINAL_PUBLICITY, actor=office)
    final_notice = publicity.open_notice(campaign=campaign, scope=Scope.FINAL, issuer=campaign.office,
                                         nominations=services.final_nominations(campaign), actor=office, contact="023-67539940")
    entry = final_notice.entries.get(nomination=noms[0])
    objection = publicity.file_objection(entry=entry, name="公众乙", contact="139", facts="该同志曾受到党内警告处分，不宜表彰。", client="x")
    publicity.assign_objection(objection, to=office, actor=office)
    publicity.record_investigation(objection, text="经核实，该同志2024年受党内警告处分。", actor=office)
    publicity.conclude_objection(objection, upheld=True, conclusion="异议成立，取消表彰资格", public_reply="经核实，反映情况属实。", actor=office)
    publicity.close_notice(final_notice.pk, now=final_notice.closes_at)
    services.close_stage(campaign, StageKey.FINAL_PUBLICITY, actor=office)
    services.start_stage(campaign, StageKey.DECISION, actor=office)
    services.issue_decision(campaign, title="渝人社发〔2026〕1号", held_on=TODAY, summary="表彰决定", actor=office)
    noms[0].refresh_from_db()
    assert (noms[0].status, noms[0].forfeits_slot) == (Status.CANCELLED, True)
    awarded = Review.objects.filter(campaign=campaign, final=Final.AWARDED)
    # No backfill: three awarded, the cancelled one is not replaced.
    assert sorted(r.nomination_id for r in awarded) == sorted(n.pk for n in noms[1:])
    assert {r.award_title for r in awarded} == {"重庆市知识产权保护工作先进个人", "重庆市知识产权保护工作先进集体"}
    assert Review.objects.get(nomination=noms[0]).final == Final.CANCELLED
    revoked = services.revoke_award(awarded[0], reason="经查实存在违法行为", decision_title="撤销决定", held_on=TODAY, actor=office)
    assert revoked.final == Final.REVOKED
