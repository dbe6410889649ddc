"""Walk the office stages at the service level, so that page tests start where they need to."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from awards.models import StageKey
from publicity import services as publicity
from publicity.models import Scope
from reviews import services
from reviews.models import FormalMaterial, Meeting, Review
from tests.pdf import PDF

TODAY = dt.date(2026, 11, 23)

SPECS = [
    ("渝北区人民法院", "individual", {}),
    ("渝北区知识产权保护中心", "collective", {}),
    ("沙坪坝区知识产权维权援助中心", "individual", {}),
    ("九龙坡区市场监督管理综合行政执法支队", "collective", {}),
    ("法规处", "individual", {"rank_grade": "division"}),  # 市市场监管局内设机构, 处级
]


def start_initial(campaign, office):
    services.close_stage(campaign, StageKey.SUBMISSION, actor=office)
    services.start_stage(campaign, StageKey.INITIAL_REVIEW, actor=office)


def pass_initial(campaign, office):
    for review in Review.objects.filter(campaign=campaign):
        services.record_police_opinion(review, answer="no_objection", answered_on=TODAY, actor=office)
        services.decide_initial(review, passed=True, actor=office)


def through_initial(campaign, office):
    start_initial(campaign, office)
    pass_initial(campaign, office)
    services.close_stage(campaign, StageKey.INITIAL_REVIEW, actor=office)
    services.start_stage(campaign, StageKey.COMPREHENSIVE_REVIEW, actor=office)


def vote_all(campaign, members, choice="approve"):
    for r in Review.objects.filter(campaign=campaign):
        for m in members:
            if not services.has_conflict(m, r.nomination):
                services.cast_vote(r, member=m, choice=choice)


def through_comprehensive(campaign, office, members):
    through_initial(campaign, office)
    vote_all(campaign, members)
    services.tally(campaign, actor=office)
    services.record_meeting(campaign=campaign, kind=Meeting.Kind.COMPREHENSIVE, title="领导小组会议", held_on=TODAY,
                            summary="综合评审", actor=office)
    services.close_stage(campaign, StageKey.COMPREHENSIVE_REVIEW, actor=office)
    services.start_stage(campaign, StageKey.FEEDBACK_PUBLICITY, actor=office)


def through_feedback(campaign, office, noms):
    for quota_org in {n.quota.organisation for n in noms}:
        mine = [n for n in noms if n.quota.organisation == quota_org and n.review.proposed]
        if not mine:
            continue
        notice = publicity.open_notice(campaign=campaign, scope=Scope.DISTRICT, issuer=quota_org, nominations=mine,
                                       actor=office, contact="023-1")
        publicity.close_notice(notice.pk, now=notice.closes_at)
    services.close_stage(campaign, StageKey.FEEDBACK_PUBLICITY, actor=office)
    services.start_stage(campaign, StageKey.FORMAL_MATERIALS, actor=office)


def upload_all(campaign, office):
    for r in Review.objects.filter(campaign=campaign, proposed=True):
        services.upload_material(r, kind=FormalMaterial.Kind.APPROVAL_FORM, file=ContentFile(PDF, name="a.pdf"), copies=3, actor=office)
        services.upload_material(r, kind=FormalMaterial.Kind.CONSULTATION_FORM, file=ContentFile(PDF, name="c.pdf"), copies=1, actor=office)


def through_re_review(campaign, office):
    services.close_stage(campaign, StageKey.FORMAL_MATERIALS, actor=office)
    services.start_stage(campaign, StageKey.RE_REVIEW, actor=office)
    for r in Review.objects.filter(campaign=campaign, proposed=True):
        services.decide_re_review(r, passed=True, actor=office)
    services.record_meeting(campaign=campaign, kind=Meeting.Kind.PARTY_GROUP, title="市知识产权局党组会议", held_on=TODAY,
                            summary="同意", actor=office)
    services.close_stage(campaign, StageKey.RE_REVIEW, actor=office)
    services.start_stage(campaign, StageKey.FINAL_PUBLICITY, actor=office)


def through_final_publicity(campaign, office):
    notice = publicity.open_notice(campaign=campaign, scope=Scope.FINAL, issuer=campaign.office,
                                   nominations=services.final_nominations(campaign), actor=office, contact="023-67539940")
    publicity.close_notice(notice.pk, now=notice.closes_at)
    services.close_stage(campaign, StageKey.FINAL_PUBLICITY, actor=office)
    services.start_stage(campaign, StageKey.DECISION, actor=office)
    return notice


def to_decision(campaign, office, members, noms):
    through_comprehensive(campaign, office, members)
    for n in noms:
        n.refresh_from_db()
    through_feedback(campaign, office, noms)
    upload_all(campaign, office)
    through_re_review(campaign, office)
    through_final_publicity(campaign, office)
