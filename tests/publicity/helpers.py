"""Builders for notices: a unit notice opened through the service, a nomination walked up to the
office, and bulk rows for the query-count tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from awards.models import Category
from awards.selectors import quota_holder_for
from nominations import services as nominations
from nominations.models import Consultation, Nomination, Status
from nominations.rules import unjustified
from publicity import services
from publicity.models import Notice, NoticeEntry, Scope
from tests.chain.helpers import BRIEF, collective, id_number, individual, procedures

CONTACT = "联系人：李老师；联系电话：（023）67000000"

__all__ = ["BRIEF", "CONTACT", "collective", "id_number", "individual", "procedures"]


def justify_all(nom, user) -> None:
    for w in unjustified(nom):
        nominations.justify(nom, rule=w.code, text="经单位集体研究，情况属实，特此说明理由。", actor=user)


def unit_notice(campaign, unit, staff, *, noms=None, opens_at=None) -> Notice:
    noms = noms or [individual(campaign, unit, staff)]
    for nom in noms:
        justify_all(nom, staff)
    procedures(campaign, unit, staff)
    return services.open_notice(
        campaign=campaign, scope=Scope.UNIT, issuer=unit, nominations=noms, actor=staff, contact=CONTACT, opens_at=opens_at
    )


def forward(campaign, unit, staff, screener, *, noms) -> list[Nomination]:
    """Walk nominations from draft to 已报送领导小组办公室 (DESIGN §3, steps 1–2)."""
    notice = unit_notice(campaign, unit, staff, noms=noms)
    assert services.close_notice(notice.pk, now=notice.closes_at)
    nominations.rank_unit(campaign=campaign, unit=unit, ordered_ids=[n.pk for n in noms], actor=staff)
    nominations.submit_unit(campaign=campaign, unit=unit, actor=staff)
    for nom in noms:
        nominations.accept_nomination(nom, actor=screener)
    quota = noms[0].quota
    nominations.record_party_group_decision(
        campaign=campaign, organisation=quota.organisation, actor=screener, held_on=dt.date.today(),
        meeting="党组会议", summary="同意推荐",
    )
    for category in Category.values:
        ids = [n.pk for n in noms if n.category == category]
        if ids:
            nominations.rank_nominations(quota=quota, category=category, ordered_ids=ids, actor=screener)
    for nom in noms:
        for dept in (Consultation.Department.PERSONNEL, Consultation.Department.DISCIPLINE):
            Consultation.objects.create(
                nomination=nom, department=dept, answer="no_objection", answered_on=dt.date.today(), recorded_by=screener
            )
    nominations.submit_to_office(quota=quota, actor=screener)
    for nom in noms:
        nom.refresh_from_db()
        assert nom.status == Status.FORWARDED
    return noms


def bulk_notice(campaign, unit, staff, *, entries: int, **fields) -> Notice:
    """A notice with many entries, written directly: for page and query-count tests only."""
    quota = quota_holder_for(campaign, unit)
    noms = Nomination.objects.bulk_create([
        Nomination(campaign=campaign, unit=unit, quota=quota, category=Category.INDIVIDUAL, name=f"批量{i}号",
                   post=f"{unit.name}科员", brief_deeds=BRIEF, id_number=id_number(i), phone="13800138000",
                   birth_date=dt.date(1985, 6, 1), political_status="中共党员", status=Status.UNIT_PUBLICITY)
        for i in range(entries)
    ])
    now = timezone.now()
    values = dict(
        campaign=campaign, scope=Scope.UNIT, issuer=unit, title=f"{unit.name}关于推荐对象的公示", intro="现予以公示。",
        how_to_object="请以真实姓名反映。", contact=CONTACT, working_days=5, opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=3), status=Notice.Status.OPEN, opened_by=staff,
    )
    values.update(fields)
    notice = Notice.objects.create(**values)
    NoticeEntry.objects.bulk_create([
        NoticeEntry(notice=notice, nomination=nom, position=i, category=nom.category, name=nom.name,
                    unit_and_post=nom.post, brief_deeds=nom.brief_deeds)
        for i, nom in enumerate(noms, start=1)
    ])
    return notice
