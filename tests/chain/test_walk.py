"""The chain at the domain level: unit → publicity → district → office."""

import datetime as dt

import pytest
from django.utils import timezone

from awards.models import Category
from nominations import services
from nominations.models import Consultation, Status
from nominations.rules import RuleError
from publicity import services as publicity
from publicity.models import Objection, Scope

from .helpers import collective, individual, procedures

pytestmark = pytest.mark.django_db


def _justify_all(nom, user):
    from nominations.rules import unjustified

    for w in unjustified(nom):
        services.justify(nom, rule=w.code, text="经单位集体研究，情况属实，特此说明理由。", actor=user)


def test_chain_walk_unit_to_office(campaign, users, org):
    unit = org("渝北区知识产权保护中心")
    staff, screener = users["unit_yubei"], users["district_yubei"]
    ind = individual(campaign, unit, staff)
    col = collective(campaign, unit, staff)
    for n in (ind, col):
        _justify_all(n, staff)
    with pytest.raises(RuleError, match="民主推荐"):
        publicity.open_notice(campaign=campaign, scope=Scope.UNIT, issuer=unit, nominations=[ind, col], actor=staff, contact="023-1")
    procedures(campaign, unit, staff)
    notice = publicity.open_notice(campaign=campaign, scope=Scope.UNIT, issuer=unit, nominations=[ind, col], actor=staff, contact="023-67000000")
    ind.refresh_from_db()
    assert ind.status == Status.UNIT_PUBLICITY
    with pytest.raises(RuleError, match="公示"):
        services.submit_unit(campaign=campaign, unit=unit, actor=staff)
    # An objection inside the window, concluded not upheld after the close.
    objection = publicity.file_objection(entry=notice.entries.get(nomination=ind), name="公众甲", contact="13900000000",
                                         facts="该同志事迹材料中的案件数量与实际不符。", client="k1")
    assert publicity.close_notice(notice.pk, now=notice.closes_at) is True
    assert publicity.close_notice(notice.pk, now=notice.closes_at) is False  # idempotent
    ind.refresh_from_db()
    col.refresh_from_db()
    assert (ind.status, col.status) == (Status.UNIT_PUBLICITY, Status.UNIT_READY)
    publicity.assign_objection(objection, to=staff, actor=staff)
    publicity.record_investigation(objection, text="经核查，案件数量统计口径一致，反映不实。", actor=staff)
    publicity.conclude_objection(objection, upheld=False, conclusion="异议不成立", public_reply="经核查，反映问题不属实。", actor=staff)
    ind.refresh_from_db()
    assert ind.status == Status.UNIT_READY
    services.rank_unit(campaign=campaign, unit=unit, ordered_ids=[col.pk, ind.pk], actor=staff)
    submitted = services.submit_unit(campaign=campaign, unit=unit, actor=staff)
    assert {n.pk for n in submitted} == {ind.pk, col.pk}
    # District: return, fix, resubmit, accept.
    services.return_nomination(ind, reason="请补充近五年考核情况说明", actor=screener)
    ind.refresh_from_db()
    assert ind.status == Status.RETURNED
    services.update_nomination(ind, actor=staff, post="渝北区知识产权保护中心副主任")
    services.resubmit_nomination(ind, actor=staff)
    for n in (ind, col):
        services.accept_nomination(n, actor=screener)
    quota = ind.quota
    with pytest.raises(RuleError, match="党组"):
        services.submit_to_office(quota=quota, actor=screener)
    services.record_party_group_decision(campaign=campaign, organisation=quota.organisation, actor=screener,
                                         held_on=dt.date.today(), meeting="区知识产权局党组会", summary="同意推荐")
    services.rank_nominations(quota=quota, category=Category.INDIVIDUAL, ordered_ids=[ind.pk], actor=screener)
    services.rank_nominations(quota=quota, category=Category.COLLECTIVE, ordered_ids=[col.pk], actor=screener)
    with pytest.raises(RuleError, match="组织人事"):
        services.submit_to_office(quota=quota, actor=screener)
    for n in (ind, col):
        for dept in (Consultation.Department.PERSONNEL, Consultation.Department.DISCIPLINE):
            Consultation.objects.create(nomination=n, department=dept, answer="no_objection", answered_on=dt.date.today(), recorded_by=screener)
    submission = services.submit_to_office(quota=quota, actor=screener)
    ind.refresh_from_db()
    assert ind.status == Status.FORWARDED
    assert submission.ranking[Category.INDIVIDUAL][0]["id"] == ind.pk
    assert list(ind.events.values_list("to_status", flat=True)) == [
        "draft", "unit_publicity", "unit_ready", "submitted", "returned", "submitted", "accepted", "forwarded"
    ]
    assert Objection.objects.get(pk=objection.pk).status == "not_upheld"


def test_objection_window_edges(campaign, users, org):
    unit = org("渝北区知识产权保护中心")
    staff = users["unit_yubei"]
    ind = individual(campaign, unit, staff)
    _justify_all(ind, staff)
    procedures(campaign, unit, staff)
    notice = publicity.open_notice(campaign=campaign, scope=Scope.UNIT, issuer=unit, nominations=[ind], actor=staff, contact="023")
    entry = notice.entries.get()
    one = dt.timedelta(seconds=1)
    publicity.file_objection(entry=entry, name="甲", contact="1", facts="事实一二三四五六七八九十", client="a", now=notice.closes_at - one)
    with pytest.raises(RuleError, match="截止"):
        publicity.file_objection(entry=entry, name="甲", contact="1", facts="事实一二三四五六七八九十", client="b", now=notice.closes_at + one)
    assert timezone.localtime(notice.closes_at).hour == 0
