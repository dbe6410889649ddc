"""Objections and what they do to the chain (DESIGN §3; 重庆 四(一)(四), 全国 五(二)(三))."""

import datetime as dt

import pytest
from django.utils import timezone

from awards.models import Campaign
from awards.presets import apply_preset
from nominations import services as nominations
from nominations.models import Nomination, Status
from nominations.rules import RuleError, quota_used
from orgs.models import Kind, Level, Role, User
from orgs.reference import load_reference_tree
from orgs.services import ensure_organisation, grant_role
from publicity import services
from publicity.models import Objection, Scope

from .helpers import CONTACT, forward, individual, unit_notice

pytestmark = pytest.mark.django_db
ONE = dt.timedelta(seconds=1)
FACTS = "该同志事迹材料中查办案件的数量与实际不符，请予核实。"


def _file(entry, *, now=None, client="c1"):
    return services.file_objection(entry=entry, name="王某", contact="023-61234567", facts=FACTS, client=client, now=now)


def _conclude(objection, user, *, upheld):
    services.assign_objection(objection, to=user, actor=user)
    services.record_investigation(objection, text="经向所在单位核实，情况如下。", actor=user)
    return services.conclude_objection(
        objection, upheld=upheld, conclusion="经核实" + ("情况属实" if upheld else "反映不实"),
        public_reply="经核实，" + ("反映情况属实，已按规定处理。" if upheld else "反映问题不属实。"), actor=user,
    )


@pytest.fixture
def unit(org):
    return org("渝北区知识产权保护中心")


def test_objection_one_second_before_close_is_accepted_and_one_second_after_refused(campaign, users, unit):
    notice = unit_notice(campaign, unit, users["unit_yubei"])
    entry = notice.entries.get()
    accepted = _file(entry, now=notice.closes_at - ONE, client="a")
    assert accepted.status == Objection.Status.RECEIVED
    with pytest.raises(services.PublicityError, match="截止") as refused:
        _file(entry, now=notice.closes_at + ONE, client="b")
    assert refused.value.code == "window"
    assert Objection.objects.filter(notice=notice).count() == 1


def test_objection_exactly_at_the_closing_instant_is_refused(campaign, users, unit):
    notice = unit_notice(campaign, unit, users["unit_yubei"])
    with pytest.raises(services.PublicityError, match="截止"):
        _file(notice.entries.get(), now=notice.closes_at)


def test_nomination_under_open_objection_cannot_move_up(campaign, users, unit):
    staff = users["unit_yubei"]
    notice = unit_notice(campaign, unit, staff)
    nom = notice.entries.get().nomination
    _file(notice.entries.get())
    assert services.close_notice(notice.pk, now=notice.closes_at) is True
    nom.refresh_from_db()
    assert nom.status == Status.UNIT_PUBLICITY
    with pytest.raises(RuleError, match="异议未办结|公示尚未结束"):
        nominations.submit_unit(campaign=campaign, unit=unit, actor=staff)
    nom.refresh_from_db()
    assert nom.status == Status.UNIT_PUBLICITY
    notice.refresh_from_db()
    assert notice.outcome["open_objection"] == [nom.pk]


def test_unit_objection_not_upheld_after_close_lets_the_nomination_move_up(campaign, users, unit):
    staff = users["unit_yubei"]
    notice = unit_notice(campaign, unit, staff)
    objection = _file(notice.entries.get())
    services.close_notice(notice.pk, now=notice.closes_at)
    _conclude(objection, staff, upheld=False)
    nom = notice.entries.get().nomination
    nom.refresh_from_db()
    assert nom.status == Status.UNIT_READY
    nominations.rank_unit(campaign=campaign, unit=unit, ordered_ids=[nom.pk], actor=staff)
    assert [n.pk for n in nominations.submit_unit(campaign=campaign, unit=unit, actor=staff)] == [nom.pk]


def test_unit_objection_upheld_cancels_the_nomination_at_close(campaign, users, unit):
    staff = users["unit_yubei"]
    notice = unit_notice(campaign, unit, staff)
    objection = _file(notice.entries.get())
    _conclude(objection, staff, upheld=True)
    nom = notice.entries.get().nomination
    nom.refresh_from_db()
    assert nom.status == Status.UNIT_PUBLICITY  # the window still runs
    services.close_notice(notice.pk, now=notice.closes_at)
    nom.refresh_from_db()
    assert nom.status == Status.CANCELLED
    assert nom.forfeits_slot is False


def test_upheld_at_final_scope_cancels_with_the_slot_forfeited(campaign, users, org):
    unit, staff, screener, office = org("渝北区知识产权保护中心"), users["unit_yubei"], users["district_yubei"], users["office"]
    (nom,) = forward(campaign, unit, staff, screener, noms=[individual(campaign, unit, staff)])
    final = services.open_notice(campaign=campaign, scope=Scope.FINAL, issuer=campaign.office, nominations=[nom],
                                 actor=office, contact=CONTACT)
    objection = _file(final.entries.get())
    used_before = quota_used(nom.quota, nom.category)
    _conclude(objection, office, upheld=True)
    nom.refresh_from_db()
    assert nom.status == Status.CANCELLED
    assert nom.forfeits_slot is True  # 重庆 四(四): 取消表彰资格，不予递补
    assert "不予递补" in nom.cancel_reason
    assert quota_used(nom.quota, nom.category) == used_before  # the slot stays used: no backfill


def test_not_upheld_at_final_scope_leaves_the_nomination(campaign, users, org):
    unit, staff, screener, office = org("渝北区知识产权保护中心"), users["unit_yubei"], users["district_yubei"], users["office"]
    (nom,) = forward(campaign, unit, staff, screener, noms=[individual(campaign, unit, staff)])
    final = services.open_notice(campaign=campaign, scope=Scope.FINAL, issuer=campaign.office, nominations=[nom],
                                 actor=office, contact=CONTACT)
    _conclude(_file(final.entries.get()), office, upheld=False)
    nom.refresh_from_db()
    assert nom.status == Status.FORWARDED


@pytest.fixture
def national(demo):
    tree = load_reference_tree()
    campaign = apply_preset("national-2021", tree=tree, slug="nat-live", title="全国知识产权系统先进集体和先进个人评选表彰（演示）",
                            start=timezone.localdate() - dt.timedelta(days=3), status=Campaign.Status.OPEN)
    province = tree.provinces["四川省"]
    unit = ensure_organisation(name="四川省知识产权保护中心", parent=province, level=Level.UNIT, kind=Kind.PUBLIC_INSTITUTION)
    staff = User.objects.create(username="sc_unit", full_name="四川单位经办人")
    screener = User.objects.create(username="sc_body", full_name="四川省级评选机构")
    grant_role(user=staff, role=Role.UNIT_STAFF, scope=unit)
    grant_role(user=screener, role=Role.SCREENER, scope=province)
    return campaign, province, unit, staff, screener


def test_national_provincial_objection_unconcluded_at_close_cancels_eligibility(national):
    campaign, province, unit, staff, screener = national
    noms = forward(campaign, unit, staff, screener, noms=[individual(campaign, unit, staff, seq=1),
                                                          individual(campaign, unit, staff, seq=2, name="李二号")])
    notice = services.open_notice(campaign=campaign, scope=Scope.DISTRICT, issuer=province, nominations=noms,
                                  actor=screener, contact=CONTACT)
    target = notice.entries.get(nomination=noms[0])
    objection = _file(target)
    services.assign_objection(objection, to=screener, actor=screener)  # investigating, not concluded
    assert services.close_notice(notice.pk, now=notice.closes_at) is True
    cancelled, clean = (Nomination.objects.get(pk=n.pk) for n in noms)
    assert cancelled.status == Status.CANCELLED
    assert "无法作出结论" in cancelled.cancel_reason or "未能在规定时间内作出结论" in cancelled.cancel_reason
    assert clean.status == Status.FORWARDED
    notice.refresh_from_db()
    assert notice.outcome["cancelled_unconcluded"] == [noms[0].pk]
    assert notice.outcome["clean"] == [noms[1].pk]


def test_chongqing_district_objection_unconcluded_at_close_does_not_cancel(campaign, users, org):
    unit, staff, screener = org("渝北区知识产权保护中心"), users["unit_yubei"], users["district_yubei"]
    (nom,) = forward(campaign, unit, staff, screener, noms=[individual(campaign, unit, staff)])
    notice = services.open_notice(campaign=campaign, scope=Scope.DISTRICT, issuer=org("渝北区知识产权局"),
                                  nominations=[nom], actor=screener, contact=CONTACT)
    _file(notice.entries.get())
    services.close_notice(notice.pk, now=notice.closes_at)
    nom.refresh_from_db()
    assert nom.status == Status.FORWARDED
    notice.refresh_from_db()
    assert notice.outcome["open_objection"] == [nom.pk]


def test_concluding_needs_an_investigation_and_a_reply(campaign, users, unit):
    staff = users["unit_yubei"]
    notice = unit_notice(campaign, unit, staff)
    objection = _file(notice.entries.get())
    with pytest.raises(services.PublicityError, match="核查情况"):
        services.conclude_objection(objection, upheld=True, conclusion="成立", public_reply="答复", actor=staff)
    services.record_investigation(objection, text="核查情况如下。", actor=staff)
    with pytest.raises(services.PublicityError, match="答复"):
        services.conclude_objection(objection, upheld=True, conclusion="成立", public_reply=" ", actor=staff)
    with pytest.raises(services.PublicityError, match="办结后"):
        services.inform_objector(objection, actor=staff)


def test_sixth_objection_from_one_client_within_the_hour_is_refused(campaign, users, unit):
    notice = unit_notice(campaign, unit, users["unit_yubei"])
    entry = notice.entries.get()
    for _ in range(5):
        _file(entry, client="same-client")
    with pytest.raises(services.PublicityError, match="频繁"):
        _file(entry, client="same-client")
    _file(entry, client="another-client")  # the limit is per client
    assert Objection.objects.filter(notice=notice).count() == 6




def test_correction_of_a_unit_notice_restarts_the_window_for_its_nominees(campaign, users, unit):
    staff = users["unit_yubei"]
    old = unit_notice(campaign, unit, staff, opens_at=timezone.now() - dt.timedelta(days=10))
    nom = old.entries.get().nomination
    objection = _file(old.entries.get(), now=old.opens_at + dt.timedelta(hours=1))
    fixed = services.open_notice(campaign=campaign, scope=Scope.UNIT, issuer=unit, nominations=[nom], actor=staff,
                                 contact=CONTACT, replaces=old, correction_note="更正职务。")
    assert fixed.closes_at > old.closes_at
    nom.refresh_from_db()
    assert nom.status == Status.UNIT_PUBLICITY
    # The corrected notice closes first: its nominee waits for the correction's window.
    assert services.close_notice(old.pk, now=old.closes_at)
    old.refresh_from_db()
    assert old.outcome["corrected"] == [nom.pk]
    nom.refresh_from_db()
    assert nom.status == Status.UNIT_PUBLICITY
    # The objection filed against the first notice still counts when the correction closes.
    _conclude(objection, staff, upheld=True)
    nom.refresh_from_db()
    assert nom.status == Status.UNIT_PUBLICITY
    assert services.close_notice(fixed.pk, now=fixed.closes_at)
    nom.refresh_from_db()
    assert nom.status == Status.CANCELLED
    fixed.refresh_from_db()
    assert fixed.outcome["upheld"] == [nom.pk]


def test_objection_not_upheld_after_close_waits_for_a_running_correction(campaign, users, unit):
    staff = users["unit_yubei"]
    old = unit_notice(campaign, unit, staff, opens_at=timezone.now() - dt.timedelta(days=10))
    nom = old.entries.get().nomination
    objection = _file(old.entries.get(), now=old.opens_at + dt.timedelta(hours=1))
    fixed = services.open_notice(campaign=campaign, scope=Scope.UNIT, issuer=unit, nominations=[nom], actor=staff,
                                 contact=CONTACT, replaces=old, correction_note="更正职务。")
    services.close_notice(old.pk, now=old.closes_at)
    _conclude(objection, staff, upheld=False)
    nom.refresh_from_db()
    assert nom.status == Status.UNIT_PUBLICITY  # the correction's window still runs
    services.close_notice(fixed.pk, now=fixed.closes_at)
    nom.refresh_from_db()
    assert nom.status == Status.UNIT_READY


def test_correction_must_keep_campaign_scope_and_issuer(campaign, users, unit, org):
    staff = users["unit_yubei"]
    old = unit_notice(campaign, unit, staff)
    with pytest.raises(services.PublicityError, match="一致"):
        services.open_notice(campaign=campaign, scope=Scope.DISTRICT, issuer=org("渝北区知识产权局"),
                             nominations=[old.entries.get().nomination], actor=staff, contact=CONTACT,
                             replaces=old, correction_note="更正。")
