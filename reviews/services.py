"""The office's stages, in order, each a function (DESIGN §3 steps 3–6; 重庆 四(二)—(四); 全国 五(二)—(四)).

Stages are the campaign's ``awards.Stage`` rows from ``submission`` on: the office starts one only
after the one before it has closed, and closing checks what the stage must have produced.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from audit.log import Action, record_on_commit
from awards.models import Campaign, Category, FormKey, Stage, StageKey
from core.versions import DATA, bump
from nominations import services as nomination_services
from nominations.models import Nomination, Status
from nominations.rules import RuleError
from orgs.duties import check_business_actor
from orgs.models import Role, User
from orgs.permissions import active_roles

from . import caps
from .models import CapDecision, Final, FormalMaterial, Meeting, Outcome, Review, Vote

OFFICE_STAGES = [
    StageKey.SUBMISSION, StageKey.INITIAL_REVIEW, StageKey.COMPREHENSIVE_REVIEW, StageKey.FEEDBACK_PUBLICITY,
    StageKey.FORMAL_MATERIALS, StageKey.RE_REVIEW, StageKey.FINAL_PUBLICITY, StageKey.DECISION,
]


class ReviewError(RuleError):
    pass


def _audit(obj, actor: User | None, change: str, action: str = Action.STATE_CHANGE, **more) -> None:
    """One audit row per change of the office's review (等保2.0 安全审计), written once it commits."""
    record_on_commit(action, obj=obj, user=actor, detail={"变更": change, **more})


# --- the stage machine ---------------------------------------------------------------------------


def _stages(campaign: Campaign) -> list[Stage]:
    return [s for s in campaign.stages.order_by("order") if s.key in OFFICE_STAGES]


def stage(campaign: Campaign, key: str) -> Stage | None:
    return campaign.stages.filter(key=key).first()


def require_open(campaign: Campaign, key: str) -> Stage:
    s = stage(campaign, key)
    if s is None:
        raise ReviewError(f"本活动没有“{StageKey(key).label}”阶段。", code="no_stage")
    if key != StageKey.SUBMISSION and s.started_at is None:
        raise ReviewError(f"“{s.label}”尚未开始。", code="not_started")
    if s.closed_at is not None:
        raise ReviewError(f"“{s.label}”已于{timezone.localtime(s.closed_at):%Y年%m月%d日 %H:%M}结束。", code="closed")
    return s


@transaction.atomic
def start_stage(campaign: Campaign, key: str, *, actor: User) -> Stage:
    """Each stage refuses to start before the one before it has closed (两审三公示, in order)."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    stages = _stages(campaign)
    current = next((s for s in stages if s.key == key), None)
    if current is None:
        raise ReviewError(f"本活动没有“{StageKey(key).label}”阶段。", code="no_stage")
    current = Stage.objects.select_for_update().get(pk=current.pk)
    if current.started_at:
        raise ReviewError(f"“{current.label}”已经开始。", code="started")
    before = [s for s in stages if s.order < current.order]
    if before and before[-1].closed_at is None:
        raise ReviewError(f"须待“{before[-1].label}”结束后，才能开始“{current.label}”。", code="order")
    current.started_at = timezone.now()
    current._change_reason = f"start by {actor.pk}"
    current.save(update_fields=["started_at"])
    _audit(current, actor, "阶段开始", 阶段=key)
    if key == StageKey.INITIAL_REVIEW:
        _create_reviews(campaign)
    return current


def _create_reviews(campaign: Campaign) -> int:
    existing = set(Review.objects.filter(campaign=campaign).values_list("nomination_id", flat=True))
    new = [
        Review(campaign=campaign, nomination=n, quota_id=n.quota_id, category=n.category, submitter_rank=n.rank or 0)
        for n in Nomination.objects.filter(campaign=campaign, status=Status.FORWARDED).exclude(pk__in=existing)
    ]
    Review.objects.bulk_create(new)
    bump(DATA)  # bulk_create sends no signal (core.versions)
    return len(new)


@transaction.atomic
def close_stage(campaign: Campaign, key: str, *, actor: User, now: dt.datetime | None = None) -> Stage:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    now = now or timezone.now()
    s = Stage.objects.select_for_update().get(campaign=campaign, key=key)
    if s.closed_at:
        raise ReviewError(f"“{s.label}”已经结束。", code="closed")
    if key != StageKey.SUBMISSION and not s.started_at:
        raise ReviewError(f"“{s.label}”尚未开始。", code="not_started")
    sync_cancellations(campaign)
    CHECKS.get(key, lambda c: None)(campaign)
    s.closed_at = now
    if key == StageKey.SUBMISSION and not s.started_at:
        s.started_at = s.opens_at or now
    s._change_reason = f"close by {actor.pk}"
    s.save(update_fields=["closed_at", "started_at"])
    _audit(s, actor, "阶段结束", 阶段=key)
    return s


def _live(campaign: Campaign):
    """Reviews whose nomination is still in the running (not cancelled)."""
    return Review.objects.filter(campaign=campaign).exclude(nomination__status=Status.CANCELLED)


def _check_submission_closed(campaign: Campaign) -> None:
    s = stage(campaign, StageKey.SUBMISSION)
    if s and s.deadline and timezone.now() <= s.deadline:
        # Before the deadline the office may still close early, but only if every quota holder has submitted.
        waiting = campaign.quotas.filter(parent__isnull=True).exclude(submissions__isnull=False).count()
        if waiting:
            raise ReviewError(f"报送截止时间未到，且仍有{waiting}个推荐单位未报送，不能提前结束。", code="waiting")


def _check_initial(campaign: Campaign) -> None:
    pending = _live(campaign).filter(initial=Outcome.PENDING).count()
    if pending:
        raise ReviewError(f"尚有{pending}个推荐对象未完成初审。", code="pending")


def _check_comprehensive(campaign: Campaign) -> None:
    if not Meeting.objects.filter(campaign=campaign, kind=Meeting.Kind.COMPREHENSIVE).exists():
        raise ReviewError("请先记录领导小组综合评审会议。", code="meeting")
    caps.check_caps(campaign, proposed_nominations(campaign))


def _check_feedback(campaign: Campaign) -> None:
    from publicity.models import Notice, Scope

    proposed = list(_live(campaign).filter(proposed=True).values_list("nomination_id", flat=True))
    publicised = set(
        Notice.objects.filter(campaign=campaign, scope=Scope.DISTRICT, status=Notice.Status.CLOSED)
        .values_list("entries__nomination_id", flat=True)
    )
    missing = [pk for pk in proposed if pk not in publicised]
    if missing:
        raise ReviewError(f"尚有{len(missing)}个拟表彰对象未完成本级公示。", code="publicity")
    _no_open_objections(campaign, proposed)


def _no_open_objections(campaign: Campaign, nomination_ids) -> None:
    from publicity.models import Objection

    open_ = Objection.objects.filter(entry__nomination_id__in=nomination_ids, status__in=Objection.OPEN_STATUSES).count()
    if open_:
        raise ReviewError(f"尚有{open_}件异议未办结。", code="objections")


def _check_re_review(campaign: Campaign) -> None:
    pending = _live(campaign).filter(proposed=True, re_review=Outcome.PENDING).count()
    if pending:
        raise ReviewError(f"尚有{pending}个拟表彰对象未完成复审。", code="pending")
    # 重庆 四(三): 提交市知识产权局党组会议研究同意.
    if not Meeting.objects.filter(campaign=campaign, kind=Meeting.Kind.PARTY_GROUP).exists():
        raise ReviewError("请先记录主办单位党组会议研究同意的情况。", code="meeting")
    caps.check_caps(campaign, final_nominations(campaign))


def _check_final_publicity(campaign: Campaign) -> None:
    from publicity.models import Notice, Scope

    if not Notice.objects.filter(campaign=campaign, scope=Scope.FINAL, status=Notice.Status.CLOSED).exists():
        raise ReviewError("拟表彰对象公示尚未结束。", code="publicity")
    _no_open_objections(campaign, [n.pk for n in final_nominations(campaign)])


CHECKS = {
    StageKey.SUBMISSION: _check_submission_closed,
    StageKey.INITIAL_REVIEW: _check_initial,
    StageKey.COMPREHENSIVE_REVIEW: _check_comprehensive,
    StageKey.FEEDBACK_PUBLICITY: _check_feedback,
    StageKey.RE_REVIEW: _check_re_review,
    StageKey.FINAL_PUBLICITY: _check_final_publicity,
}


# --- initial review -----------------------------------------------------------------------------------


@transaction.atomic
def record_police_opinion(review: Review, *, answer: str, answered_on: dt.date, form=None, actor: User) -> Review:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    require_open(review.campaign, StageKey.INITIAL_REVIEW)
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.police_answer = answer
    review.police_answered_on = answered_on
    if form:
        review.police_form = form
    review._change_reason = "police opinion"
    review.save()
    _audit(review, actor, "记录公安部门意见", 意见=answer)
    return review


@transaction.atomic
def decide_initial(review: Review, *, passed: bool, reason: str = "", actor: User) -> Review:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    require_open(review.campaign, StageKey.INITIAL_REVIEW)
    review = Review.objects.select_for_update().select_related("nomination").get(pk=review.pk)
    if not passed and not reason.strip():
        raise ReviewError("初审不通过须填写理由。", code="reason")
    if passed:
        # 重庆 四(二): 统一征求市级公安部门意见 before the initial list.
        if not review.police_answer:
            raise ReviewError(f"{review.nomination}：尚未记录公安部门意见。", code="police")
        if review.police_answer == "objection":
            raise ReviewError(f"{review.nomination}：公安部门意见为“有异议”，不能通过初审。", code="police")
    review.initial = Outcome.PASSED if passed else Outcome.REJECTED
    review.initial_reason = reason.strip()
    review.initial_by, review.initial_at = actor, timezone.now()
    review._change_reason = f"initial {review.initial}"
    review.save()
    _audit(review, actor, "初审", 结果=review.initial)
    return review


# --- comprehensive review -------------------------------------------------------------------------------


def has_conflict(member: User, nom: Nomination) -> bool:
    """A member may not vote on a nominee of their own unit or district (回避)."""
    own = member.organisation
    if own is None:
        return False
    return conflict_on_paths(own.path, nom.unit.path, nom.quota.organisation.path)


def conflict_on_paths(own: str, unit: str, holder: str) -> bool:
    """``has_conflict`` on materialised paths (Organisation.is_under): the nominating unit is under the
    member's organisation, or the member is under the quota holder or the unit."""
    return unit.startswith(own) or own.startswith(holder) or own.startswith(unit)


def is_member(user: User, campaign: Campaign) -> bool:
    return any(a.role == Role.GROUP_MEMBER and campaign.root.is_under(a.scope) for a in active_roles(user))


@transaction.atomic
def cast_vote(review: Review, *, member: User, choice: str = "", score: Decimal | None = None) -> Vote:
    check_business_actor(member)  # 三员分立 (orgs/duties.py)
    campaign = review.campaign
    require_open(campaign, StageKey.COMPREHENSIVE_REVIEW)
    if not is_member(member, campaign):
        raise ReviewError("只有领导小组成员可以参加综合评审。", code="not_member")
    review = Review.objects.select_related("nomination__unit", "nomination__quota__organisation").get(pk=review.pk)
    if review.initial != Outcome.PASSED:
        raise ReviewError("只能对通过初审的推荐对象表决。", code="state")
    if has_conflict(member, review.nomination):
        raise ReviewError(f"{review.nomination}为您所在单位或区县的推荐对象，按规定回避，不参加表决。", code="conflict")
    if campaign.review_mode == Campaign.ReviewMode.VOTES:
        if choice not in Vote.Choice.values:
            raise ReviewError("请选择同意、弃权或反对。", code="choice")
        score = None
    else:
        if score is None or not (Decimal(0) <= Decimal(score) <= Decimal(100)):
            raise ReviewError("评分须在0至100之间。", code="score")
        choice = ""
    vote, created = Vote.objects.update_or_create(review=review, member=member, defaults={"choice": choice, "score": score})
    _audit(review, member, "投票" if created else "修改投票", Action.SCORE,
           **({"评分": str(score)} if score is not None else {"表决": choice}))
    return vote


def members(campaign: Campaign) -> list[User]:
    users = User.objects.filter(
        is_active=True, role_assignments__role=Role.GROUP_MEMBER, role_assignments__revoked_at__isnull=True
    ).select_related("organisation").distinct()
    return [u for u in users if is_member(u, campaign)]


@transaction.atomic
def tally(campaign: Campaign, *, actor: User) -> list[Review]:
    """Count the votes (or average the scores) and propose the list: the passing nominees in order,
    up to the number of awards per category, skipping any that would break an absolute cap."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    require_open(campaign, StageKey.COMPREHENSIVE_REVIEW)
    voters = members(campaign)
    # Lock first, then count: PostgreSQL refuses FOR UPDATE together with the GROUP BY of the counts.
    locked = list(
        Review.objects.select_for_update(of=("self",)).filter(campaign=campaign, initial=Outcome.PASSED)
        .exclude(nomination__status=Status.CANCELLED).values_list("pk", flat=True)
    )
    reviews = list(
        Review.objects.filter(pk__in=locked)
        .select_related("nomination__unit__parent", "nomination__organisation__parent", "nomination__quota__organisation")
        .annotate(
            n_approve=Count("votes", filter=Q(votes__choice=Vote.Choice.APPROVE)),
            n_abstain=Count("votes", filter=Q(votes__choice=Vote.Choice.ABSTAIN)),
            n_reject=Count("votes", filter=Q(votes__choice=Vote.Choice.REJECT)),
        )
    )
    scores: dict[int, list[Decimal]] = {}
    if campaign.review_mode == Campaign.ReviewMode.SCORES:
        for review_id, score in Vote.objects.filter(review__in=reviews, score__isnull=False).values_list("review_id", "score"):
            scores.setdefault(review_id, []).append(score)
    for r in reviews:
        r.eligible_voters = sum(1 for m in voters if not has_conflict(m, r.nomination))
        r.approve_votes, r.abstain_votes, r.reject_votes = r.n_approve, r.n_abstain, r.n_reject
        got = scores.get(r.pk, [])
        r.average_score = (sum(got) / len(got)).quantize(Decimal("0.01")) if got else None

    def passes(r: Review) -> bool:
        if campaign.review_mode == Campaign.ReviewMode.SCORES:
            return r.average_score is not None
        return r.eligible_voters > 0 and r.approve_votes * 100 >= campaign.vote_pass_percent * r.eligible_voters

    def key(r: Review):
        if campaign.review_mode == Campaign.ReviewMode.SCORES:
            return (-(r.average_score or 0), r.submitter_rank, r.pk)
        return (-r.approve_votes, r.reject_votes, r.submitter_rank, r.pk)

    absolute = [c for c in campaign.caps.all() if c.mode == "absolute"]
    counts = {c.pk: 0 for c in absolute}
    for category in Category.values:
        limit = campaign.award_count(category)
        chosen = 0
        for r in sorted((r for r in reviews if r.category == category), key=key):
            r.proposed, r.proposed_rank = False, None
            if not passes(r) or chosen >= limit:
                continue
            breaks = [c for c in absolute if caps.PREDICATES[c.counts](r.nomination, campaign) and counts[c.pk] + 1 > c.limit()]
            if breaks:
                continue
            for c in absolute:
                if caps.PREDICATES[c.counts](r.nomination, campaign):
                    counts[c.pk] += 1
            chosen += 1
            r.proposed, r.proposed_rank = True, chosen
    Review.objects.bulk_update(
        reviews, ["eligible_voters", "approve_votes", "abstain_votes", "reject_votes", "average_score", "proposed", "proposed_rank"]
    )
    bump(DATA)  # bulk_update sends no signal (core.versions)
    _audit(campaign, actor, "计票并生成拟表彰名单", Action.RANKING, 名单={
        category: [r.pk for r in sorted(reviews, key=lambda r: r.proposed_rank or 0) if r.proposed and r.category == category]
        for category in Category.values
    })
    return [r for r in reviews if r.proposed]


@transaction.atomic
def set_proposed(review: Review, *, proposed: bool, actor: User) -> Review:
    """The office adjusts the proposed list (on the leading group's instruction); absolute caps still hold."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    require_open(review.campaign, StageKey.COMPREHENSIVE_REVIEW)
    review = Review.objects.select_for_update(of=("self",)).select_related("nomination").get(pk=review.pk)
    if proposed and review.initial != Outcome.PASSED:
        raise ReviewError("只有通过初审的推荐对象可以列入拟表彰名单。", code="state")
    if proposed == review.proposed:
        return review  # a repeated request (double click, two tabs): the list stays as it is
    review.proposed = proposed
    if proposed:
        listed = list(proposed_nominations(review.campaign)) + [review.nomination]
        for use in caps.cap_uses(review.campaign, listed):
            if use.cap.mode == "absolute" and use.blocking:
                raise ReviewError(f"{use.cap.label}：上限为{use.limit}，列入后将为{use.count}。该比例为刚性要求，不得突破。", code="cap_absolute")
        # After the last one on the list: a count would repeat a rank once someone was taken off.
        last = Review.objects.filter(campaign=review.campaign, category=review.category, proposed=True).aggregate(m=Max("proposed_rank"))["m"]
        review.proposed_rank = (last or 0) + 1
    else:
        review.proposed_rank = None
    review._change_reason = f"proposed={proposed}"
    review.save()
    _audit(review, actor, "列入拟表彰名单" if proposed else "移出拟表彰名单", Action.RANKING, 名次=review.proposed_rank)
    return review


def record_cap_decision(*, campaign: Campaign, cap, allowed_count: int, meeting: str, held_on: dt.date, reason: str, actor: User) -> CapDecision:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    if cap.mode != "in_principle":
        raise ReviewError(f"“{cap.label}”为刚性比例，不能以领导小组决定突破。", code="cap_absolute")
    if len(reason.strip()) < 10:
        raise ReviewError("请写明突破比例的理由（至少10个字）。", code="reason")
    decision = CapDecision.objects.create(
        campaign=campaign, cap=cap, allowed_count=allowed_count, meeting=meeting, held_on=held_on, reason=reason.strip(), recorded_by=actor
    )
    _audit(decision, actor, "领导小组决定突破比例", 比例=cap.pk, 允许人数=allowed_count)
    return decision


def record_meeting(*, campaign: Campaign, kind: str, title: str, held_on: dt.date, summary: str, actor: User, minutes=None) -> Meeting:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    meeting = Meeting(campaign=campaign, kind=kind, title=title, held_on=held_on, summary=summary, recorded_by=actor)
    if minutes:
        meeting.minutes = minutes
    meeting.full_clean()
    meeting.save()
    _audit(meeting, actor, "记录会议", 类型=kind)
    return meeting


def proposed_nominations(campaign: Campaign):
    return [r.nomination for r in _live(campaign).filter(proposed=True).for_listing()]


def final_nominations(campaign: Campaign):
    return [r.nomination for r in _live(campaign).filter(proposed=True, re_review=Outcome.PASSED).for_listing()]


# --- formal materials and re-review ---------------------------------------------------------------------


@transaction.atomic
def upload_material(review: Review, *, kind: str, file, copies: int, actor: User, now: dt.datetime | None = None) -> FormalMaterial:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    s = require_open(review.campaign, StageKey.FORMAL_MATERIALS)
    if s.deadline and (now or timezone.now()) > s.deadline:
        raise ReviewError(f"正式推荐材料已于{timezone.localtime(s.deadline):%Y年%m月%d日 %H:%M}截止报送。", code="deadline")
    if not review.proposed or review.nomination.status == Status.CANCELLED:
        raise ReviewError("只有拟表彰对象需要报送正式推荐材料。", code="state")
    material = FormalMaterial.objects.create(review=review, kind=kind, file=file, copies=copies, uploaded_by=actor)
    _audit(review, actor, "报送正式推荐材料", 材料=kind, 份数=copies)
    return material


def missing_materials(review: Review) -> list[str]:
    """重庆 五(四): 推荐审批表一式3份; 全国 五(二): 附件2—5 一式5份."""
    return missing_for(review.campaign, review.category, ((m.kind, m.copies) for m in review.materials.all()))


def missing_for(campaign: Campaign, category: str, materials) -> list[str]:
    """``missing_materials`` on (kind, copies) pairs, for pages that read them with ``values_list``."""
    forms = {f.key: f for f in campaign.forms.all()}
    approval_key = FormKey.COLLECTIVE_APPROVAL if category == Category.COLLECTIVE else FormKey.INDIVIDUAL_APPROVAL
    need = []
    got = {}
    for kind, n in materials:
        got[kind] = max(got.get(kind, 0), n)
    approval = forms.get(approval_key)
    copies = approval.copies if approval else campaign.formal_copies
    if got.get(FormalMaterial.Kind.APPROVAL_FORM, 0) < copies:
        need.append(f"{approval.attachment_number + '《' if approval else '《'}{FormKey(approval_key).label}》一式{copies}份")
    consultation = forms.get(FormKey.CONSULTATION)
    if consultation and got.get(FormalMaterial.Kind.CONSULTATION_FORM, 0) < 1:
        need.append(f"{consultation.attachment_number}《推荐对象征求意见表》")
    return need


@transaction.atomic
def decide_re_review(review: Review, *, passed: bool, reason: str = "", actor: User) -> Review:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    require_open(review.campaign, StageKey.RE_REVIEW)
    review = Review.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=review.pk)
    if not review.proposed:
        raise ReviewError("只有拟表彰对象需要复审。", code="state")
    if passed:
        missing = missing_materials(review)
        if missing:
            raise ReviewError(f"{review.nomination}：正式推荐材料不全，缺少{'、'.join(missing)}。", code="materials")
    elif not reason.strip():
        raise ReviewError("复审不通过须填写理由。", code="reason")
    review.re_review = Outcome.PASSED if passed else Outcome.REJECTED
    review.re_review_reason = reason.strip()
    review.re_review_by, review.re_review_at = actor, timezone.now()
    review._change_reason = f"re-review {review.re_review}"
    review.save()
    _audit(review, actor, "复审", 结果=review.re_review)
    return review


# --- decision and revocation ---------------------------------------------------------------------------


@transaction.atomic
def issue_decision(campaign: Campaign, *, title: str, held_on: dt.date, summary: str, actor: User) -> Meeting:
    """The joint commendation decision (重庆 四(四); 全国 五(四)): the final list gets its titles."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    s = require_open(campaign, StageKey.DECISION)
    sync_cancellations(campaign)
    final = list(_live(campaign).filter(proposed=True, re_review=Outcome.PASSED).select_related("nomination"))
    if not final:
        raise ReviewError("没有可表彰的对象。", code="empty")
    caps.check_caps(campaign, [r.nomination for r in final])
    titles = {c.kind: c.title for c in campaign.categories.all()}
    meeting = record_meeting(campaign=campaign, kind=Meeting.Kind.DECISION, title=title, held_on=held_on, summary=summary, actor=actor)
    now = timezone.now()
    for r in final:
        r.final, r.award_title, r.final_at = Final.AWARDED, titles[r.category], now
        r._change_reason = f"decision {meeting.pk}"
        r.save(update_fields=["final", "award_title", "final_at"])
    s.closed_at = now
    s.save(update_fields=["closed_at"])
    campaign.status = Campaign.Status.DECIDED
    campaign.save(update_fields=["status"])
    _audit(campaign, actor, "作出表彰决定", 表彰对象数=len(final), 会议=meeting.pk)
    return meeting


@transaction.atomic
def revoke_award(review: Review, *, reason: str, decision_title: str, held_on: dt.date, actor: User) -> Review:
    """全国 六(三): 对已受表彰个人有违法违规违纪行为的，经核实后按程序撤销其所获表彰奖励."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    review = Review.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=review.pk)
    if review.final != Final.AWARDED:
        raise ReviewError("只有已表彰的对象可以撤销表彰。", code="state")
    if not reason.strip() or not decision_title.strip():
        raise ReviewError("撤销表彰须填写原因和撤销决定。", code="reason")
    record_meeting(campaign=review.campaign, kind=Meeting.Kind.REVOCATION, title=decision_title, held_on=held_on,
                   summary=f"撤销{review.nomination}的“{review.award_title}”称号：{reason.strip()}", actor=actor)
    review.final, review.final_reason, review.final_at = Final.REVOKED, reason.strip(), timezone.now()
    review._change_reason = "revoke"
    review.save()
    _audit(review, actor, "撤销表彰")
    return review


def sync_cancellations(campaign: Campaign) -> int:
    """Reviews whose nomination was cancelled (an upheld objection) show as cancelled, never backfilled."""
    synced = (
        Review.objects.filter(campaign=campaign, nomination__status=Status.CANCELLED)
        .exclude(final=Final.CANCELLED)
        .update(final=Final.CANCELLED, proposed=False)
    )
    if synced:
        bump(DATA)  # update() sends no signal (core.versions)
        _audit(campaign, None, "同步取消资格的评审对象", 条数=synced)
    return synced


def cancel_nomination_at_office(review: Review, *, reason: str, actor: User) -> Review:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    nomination_services.cancel_for_rule_breach(review.nomination, reason=reason, actor=actor)
    sync_cancellations(review.campaign)
    review.refresh_from_db()
    return review
