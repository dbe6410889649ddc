"""Every state change of a nomination, one function each (DESIGN §3).

Each function guards (rules), saves with a history reason, records an ``Event`` and queues side
effects on commit. Rules spanning rows run under ``select_for_update`` on the quota rows, so two
staff cannot both take the last slot.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from audit.log import Action, record_on_commit
from awards.models import Campaign, Category, Quota, StageKey
from awards.selectors import quota_holder_for
from orgs.duties import check_business_actor
from orgs.models import Organisation, User

from . import rules
from .models import (
    ACTIVE_STATUSES,
    Appraisal,
    Consultation,
    Event,
    Honour,
    Justification,
    Leader,
    Nomination,
    PartyGroupDecision,
    Status,
    Submission,
    UnitProcedure,
)
from .rules import RuleError

EDITABLE = (Status.DRAFT, Status.RETURNED)
# The rows of the approval form that sit beside the nomination: 班子成员, 近5年年度考核, 荣誉.
ROWS = {"leaders": Leader, "appraisals": Appraisal, "honours": Honour}


def _move(nom: Nomination, to: str, *, actor: User | None, reason: str = "") -> None:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    before = nom.status
    nom.status = to
    nom._change_reason = f"{before}→{to}" + (f"：{reason}" if reason else "")
    nom.save()
    Event.objects.create(nomination=nom, from_status=before, to_status=to, actor=actor, reason=reason[:300])
    _audit_state(nom, before, to, actor=actor, reason=reason)


def _audit_state(nom: Nomination, before: str, to: str, *, actor: User | None, reason: str) -> None:
    """The audit row of every state change (等保2.0 安全审计), beside the nomination's own Event."""
    record_on_commit(
        Action.STATE_CHANGE, obj=nom, user=actor,
        detail={"原状态": before, "新状态": to, "原因": reason[:300]},
    )


def _lock_quotas(nom: Nomination) -> None:
    """Row locks on the quota (and sub-quota) that own the slot; held to the end of the transaction."""
    ids = [q for q in (nom.quota_id, nom.sub_quota_id) if q]
    list(Quota.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _sub_quota_for(quota: Quota, org: Organisation) -> Quota | None:
    for sub in quota.sub_quotas.select_related("organisation"):
        if org.is_under(sub.organisation):
            return sub
    return None


def _open_objections(nom: Nomination) -> bool:
    return nom.notice_entries.filter(objections__status__in=("received", "investigating")).exists()


def _upheld_objections(nom: Nomination) -> bool:
    return nom.notice_entries.filter(objections__status="upheld").exists()


def _replace_rows(nom: Nomination, rows: dict[str, list[dict] | None]) -> None:
    """Each list given replaces the rows on record (history keeps the old ones); None leaves them."""
    for name, model in ROWS.items():
        given = rows.get(name)
        if given is None:
            continue
        getattr(nom, name).all().delete()
        for data in given:
            row = model(nomination=nom, **data)
            row.full_clean()
            row.save()


# --- unit stage ------------------------------------------------------------------------------


@transaction.atomic
def create_nomination(*, campaign: Campaign, unit: Organisation, category: str, actor: User | None, **fields) -> Nomination:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    if campaign.status != Campaign.Status.OPEN:
        raise RuleError(f"“{campaign.title}”当前不在推荐阶段。", code="campaign_closed")
    rules.check_deadline(campaign, StageKey.UNIT)
    quota = quota_holder_for(campaign, unit)
    if quota is None:
        raise RuleError(f"{unit.name}不在“{campaign.title}”的推荐范围内。", code="out_of_scope")
    rows = {name: fields.pop(name) for name in ROWS if name in fields}
    nom = Nomination(
        campaign=campaign, unit=unit, category=category, quota=quota,
        sub_quota=_sub_quota_for(quota, unit), created_by=actor, **fields,
    )
    nom.full_clean()
    nom._change_reason = "create"
    nom.save()
    _replace_rows(nom, rows)
    Event.objects.create(nomination=nom, to_status=Status.DRAFT, actor=actor, reason="新建推荐对象")
    _audit_state(nom, "", Status.DRAFT, actor=actor, reason="新建推荐对象")
    return nom


@transaction.atomic
def update_nomination(nom: Nomination, *, actor: User | None, **fields) -> Nomination:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    nom = Nomination.objects.select_for_update().get(pk=nom.pk)
    if nom.status not in EDITABLE:
        raise RuleError(f"{nom.display_name}当前状态为“{nom.get_status_display()}”，不能修改。", code="not_editable")
    rows = {name: fields.pop(name) for name in ROWS if name in fields}
    for key, value in fields.items():
        setattr(nom, key, value)
    nom.full_clean()
    nom._change_reason = "update"
    nom.save()
    _replace_rows(nom, rows)
    return nom


def justify(nom: Nomination, *, rule: str, text: str, actor: User) -> Justification:
    """Record the reason for going ahead despite an in-principle rule."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    warning = next((w for w in rules.warnings_for(nom) if w.code == rule), None)
    if warning is None:
        raise RuleError("该原则性要求不适用于此推荐对象，无需说明。", code="no_warning")
    if len(text.strip()) < 10:
        raise RuleError("说明理由至少10个字。", code="short_justification")
    return Justification.objects.create(
        nomination=nom, rule=rule, warning=warning.message, text=text.strip(), author=actor, author_org=actor.organisation
    )


def record_unit_procedure(*, campaign: Campaign, unit: Organisation, kind: str, actor: User, **fields) -> UnitProcedure:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    proc = UnitProcedure(campaign=campaign, unit=unit, kind=kind, recorded_by=actor, **fields)
    proc.full_clean()
    proc.save()
    return proc


def check_unit_procedures(campaign: Campaign, unit: Organisation) -> None:
    """重庆 四(一) / 全国 五(一): 民主推荐 and 领导班子集体研究 come before the unit's publicity."""
    kinds = set(UnitProcedure.objects.filter(campaign=campaign, unit=unit).values_list("kind", flat=True))
    missing = [str(UnitProcedure.Kind(k).label) for k in UnitProcedure.Kind.values if k not in kinds]
    if missing:
        raise RuleError(f"{unit.name}尚未记录{'、'.join(missing)}情况，不能公示。", code="procedures")


def unit_nominations(campaign: Campaign, unit: Organisation):
    return Nomination.objects.filter(campaign=campaign, unit=unit, status__in=ACTIVE_STATUSES)


def check_ready_for_publicity(nominations: Iterable[Nomination]) -> None:
    for nom in nominations:
        if nom.status not in EDITABLE:
            raise RuleError(f"{nom.display_name}当前状态为“{nom.get_status_display()}”，不能公示。", code="state")
        rules.check_complete(nom)
        rules.check_justified(nom)
        rules.check_leaders(nom)


def mark_in_publicity(nominations: Iterable[Nomination], *, actor: User, notice_title: str) -> None:
    """Called by publicity when a unit notice opens."""
    for nom in nominations:
        _move(nom, Status.UNIT_PUBLICITY, actor=actor, reason=f"公示：{notice_title}")


def after_unit_window(nom: Nomination, *, actor: User | None = None) -> None:
    """The unit window has closed (or an objection on it was concluded): move on if clean.

    Gate (重庆 四(一) 公示5个工作日无异议后报送): no open objection, none upheld.
    """
    nom = Nomination.objects.select_for_update().get(pk=nom.pk)
    if nom.status != Status.UNIT_PUBLICITY:
        return
    if _upheld_objections(nom):
        cancel_nomination(nom, reason="单位公示期间异议经核实成立", actor=actor, forfeits_slot=False)
    elif not _open_objections(nom):
        _move(nom, Status.UNIT_READY, actor=actor, reason="单位公示期满无异议")


@transaction.atomic
def rank_unit(*, campaign: Campaign, unit: Organisation, ordered_ids: list[int], actor: User) -> None:
    """The unit's own preference among its nominees (重庆 三: 按照推荐意愿进行排序)."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    noms = {n.pk: n for n in unit_nominations(campaign, unit).select_for_update()}
    if set(ordered_ids) != set(noms):
        raise RuleError("排序须包含本单位全部推荐对象，且每个只出现一次。", code="ranking")
    before = sorted(noms, key=lambda pk: (noms[pk].unit_rank or 999, pk))
    for position, pk in enumerate(ordered_ids, start=1):
        nom = noms[pk]
        if nom.unit_rank != position:
            nom.unit_rank = position
            nom._change_reason = "rank_unit"
            nom.save(update_fields=["unit_rank", "updated_at"])
    if before != list(ordered_ids):
        record_on_commit(
            Action.RANKING, obj=unit, user=actor,
            detail={"活动": campaign.slug, "排序": "单位推荐意愿", "原顺序": before, "新顺序": list(ordered_ids)},
        )


@transaction.atomic
def submit_unit(*, campaign: Campaign, unit: Organisation, actor: User) -> list[Nomination]:
    """The unit sends what has passed its publicity up to its district or department."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    rules.check_deadline(campaign, StageKey.UNIT)
    noms = list(unit_nominations(campaign, unit).select_for_update().order_by("unit_rank", "pk"))
    ready = [n for n in noms if n.status == Status.UNIT_READY]
    if not ready:
        pending = [n for n in noms if n.status == Status.UNIT_PUBLICITY]
        if pending:
            raise RuleError(f"{pending[0].display_name}的单位公示尚未结束或仍有异议未办结，不能报送。", code="gate")
        raise RuleError("没有可报送的推荐对象：推荐对象须经单位公示5个工作日无异议后方可报送。", code="gate")
    rules.check_ranking([n.unit_rank for n in noms if n.status != Status.CANCELLED], what=f"{unit.name}的推荐对象")
    rules.check_unit_division_level(campaign, unit, [n for n in noms if n.status != Status.CANCELLED])
    for nom in ready:
        if _open_objections(nom) or _upheld_objections(nom):
            raise RuleError(f"{nom.display_name}存在未办结或成立的异议，不能报送。", code="objection")
        _move(nom, Status.SUBMITTED, actor=actor, reason=f"{unit.name}报送")
    return ready


@transaction.atomic
def withdraw_nomination(nom: Nomination, *, reason: str, actor: User) -> Nomination:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    if not reason.strip():
        raise RuleError("撤回须填写原因。", code="reason")
    nom = Nomination.objects.select_for_update().get(pk=nom.pk)
    if nom.status not in (Status.DRAFT, Status.RETURNED, Status.UNIT_READY, Status.SUBMITTED):
        raise RuleError(f"{nom.display_name}当前状态为“{nom.get_status_display()}”，不能撤回。", code="state")
    _move(nom, Status.WITHDRAWN, actor=actor, reason=reason.strip())
    return nom


# --- district / department stage ---------------------------------------------------------------


@transaction.atomic
def return_nomination(nom: Nomination, *, reason: str, actor: User) -> Nomination:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    if not reason.strip():
        raise RuleError("退回须填写原因，告知推荐单位需要修改的内容。", code="reason")
    nom = Nomination.objects.select_for_update().get(pk=nom.pk)
    if nom.status not in (Status.SUBMITTED, Status.ACCEPTED):
        raise RuleError(f"{nom.display_name}当前状态为“{nom.get_status_display()}”，不能退回。", code="state")
    nom.rank = None
    _move(nom, Status.RETURNED, actor=actor, reason=reason.strip())
    return nom


@transaction.atomic
def resubmit_nomination(nom: Nomination, *, actor: User) -> Nomination:
    """A returned nomination, fixed by its unit, goes back to the screening queue."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    nom = Nomination.objects.select_for_update().get(pk=nom.pk)
    if nom.status != Status.RETURNED:
        raise RuleError("只有被退回的推荐对象可以重新报送。", code="state")
    rules.check_deadline(nom.campaign, StageKey.SUBMISSION)
    rules.check_complete(nom)
    rules.check_justified(nom)
    rules.check_leaders(nom)
    if _open_objections(nom) or _upheld_objections(nom):
        raise RuleError(f"{nom.display_name}存在未办结或成立的异议，不能报送。", code="objection")
    _move(nom, Status.SUBMITTED, actor=actor, reason="修改后重新报送")
    return nom


@transaction.atomic
def accept_nomination(nom: Nomination, *, actor: User) -> Nomination:
    """Screening accepts a nomination: it takes a slot of the quota, under a row lock."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    nom = Nomination.objects.select_related("quota__organisation", "sub_quota__organisation").get(pk=nom.pk)
    _lock_quotas(nom)
    nom = Nomination.objects.select_for_update(of=("self",)).select_related("quota__organisation", "sub_quota__organisation", "campaign").get(pk=nom.pk)
    if nom.status != Status.SUBMITTED:
        raise RuleError(f"{nom.display_name}当前状态为“{nom.get_status_display()}”，不能受理。", code="state")
    rules.check_deadline(nom.campaign, StageKey.SUBMISSION)
    rules.check_quota(nom)
    _move(nom, Status.ACCEPTED, actor=actor, reason="审核筛选通过")
    return nom


@transaction.atomic
def record_consultation(
    nom: Nomination, *, department: str, answer: str, answered_on, actor: User,
    department_name: str = "", opinion: str = "", scanned_form=None,
) -> Consultation:
    """征求意见 (重庆 四(一) 按管理权限征求组织人事、纪检监察等部门意见; 全国 五(二)), recorded by the
    screening level while the nominee is before it. A later answer of the same department replaces
    the earlier one; history keeps both."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    nom = Nomination.objects.select_for_update().get(pk=nom.pk)
    if nom.status not in (Status.SUBMITTED, Status.ACCEPTED):
        raise RuleError(f"{nom.display_name}当前状态为“{nom.get_status_display()}”，不能记录征求意见。", code="state")
    consultation = Consultation.objects.filter(nomination=nom, department=department).first()
    consultation = consultation or Consultation(nomination=nom, department=department)
    consultation.department_name = department_name
    consultation.answer = answer
    consultation.opinion = opinion
    consultation.answered_on = answered_on
    consultation.recorded_by = actor
    if scanned_form:
        consultation.scanned_form = scanned_form
    consultation.full_clean()
    consultation.save()
    return consultation


def record_party_group_decision(*, campaign: Campaign, organisation: Organisation, actor: User, **fields) -> PartyGroupDecision:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    decision = PartyGroupDecision(campaign=campaign, organisation=organisation, recorded_by=actor, **fields)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def rank_nominations(*, quota: Quota, category: str, ordered_ids: list[int], actor: User) -> None:
    """推荐排序 1..n of every accepted nominee of the category (重庆 四(一): 按推荐意愿确定推荐排序)."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    list(Quota.objects.select_for_update().filter(pk=quota.pk))
    noms = {n.pk: n for n in Nomination.objects.select_for_update().filter(quota=quota, category=category, status=Status.ACCEPTED)}
    if set(ordered_ids) != set(noms) or len(ordered_ids) != len(set(ordered_ids)):
        raise RuleError("排序须包含全部审核通过的推荐对象，且每个只出现一次。", code="ranking")
    before = sorted(noms, key=lambda pk: (noms[pk].rank or 999, pk))
    # Clear first: the unique (quota, category, rank) constraint holds at every step.
    Nomination.objects.filter(pk__in=list(noms)).update(rank=None)
    for position, pk in enumerate(ordered_ids, start=1):
        nom = noms[pk]
        nom.rank = position
        nom._change_reason = f"rank {position}"
        nom.save(update_fields=["rank", "updated_at"])
    record_on_commit(
        Action.RANKING, obj=quota, user=actor,
        detail={"类别": category, "排序": "推荐排序", "原顺序": before, "新顺序": list(ordered_ids)},
    )


@transaction.atomic
def submit_to_office(*, quota: Quota, actor: User, now=None) -> Submission:
    """The district or department sends its ranked list to the office before the deadline."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    quota = Quota.objects.select_for_update().select_related("campaign", "organisation").get(pk=quota.pk)
    campaign = quota.campaign
    rules.check_deadline(campaign, StageKey.SUBMISSION, now=now)
    accepted = list(
        Nomination.objects.select_for_update().filter(quota=quota, status=Status.ACCEPTED).order_by("category", "rank")
    )
    if not accepted:
        raise RuleError("没有审核通过的推荐对象，无需报送。", code="empty")
    if not PartyGroupDecision.objects.filter(campaign=campaign, organisation=quota.organisation).exists():
        # 重庆 四(一): 经党组（委）集体研究同意后报送.
        raise RuleError(f"{quota.organisation.name}尚未记录党组（委）集体研究意见，不能报送。", code="party_group")
    for category in Category.values:
        ranks = [n.rank for n in accepted if n.category == category]
        if ranks:
            rules.check_ranking(ranks, what=f"{Category(category).label}推荐对象")
        already = Nomination.objects.filter(quota=quota, category=category, status=Status.FORWARDED).count()
        total = already + len(ranks)
        if total > quota.max_for(category):
            raise RuleError(f"{quota.organisation.name}报送{Category(category).label}{total}个，名额为{quota.max_for(category)}个。", code="quota")
    for nom in accepted:
        rules.check_consultations(nom)
        rules.check_justified(nom)
        if _open_objections(nom) or _upheld_objections(nom):
            raise RuleError(f"{nom.display_name}存在未办结或成立的异议，不能报送。", code="objection")
    for nom in accepted:
        _move(nom, Status.FORWARDED, actor=actor, reason=f"{quota.organisation.name}报送领导小组办公室")
    ranking = {
        category: [{"id": n.pk, "rank": n.rank, "name": n.display_name} for n in accepted if n.category == category]
        for category in Category.values
    }
    return Submission.objects.create(campaign=campaign, quota=quota, submitted_by=actor, ranking=ranking)


@transaction.atomic
def cancel_nomination(nom: Nomination, *, reason: str, actor: User | None, forfeits_slot: bool) -> Nomination:
    """Cancellation is a state with a reason; with ``forfeits_slot`` the slot is not given back
    (重庆 五(三) 取消相应名额; 全国 六(三) 不得递补或重报)."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    if not reason.strip():
        raise RuleError("取消须填写原因。", code="reason")
    nom = Nomination.objects.select_for_update().get(pk=nom.pk)
    if nom.status in (Status.CANCELLED, Status.WITHDRAWN):
        return nom
    nom.cancel_reason = reason.strip()
    nom.forfeits_slot = forfeits_slot
    nom.rank = None
    _move(nom, Status.CANCELLED, actor=actor, reason=reason.strip())
    return nom


def cancel_for_rule_breach(nom: Nomination, *, reason: str, actor: User) -> Nomination:
    """重庆 五(三) / 全国 六(三): 未按规定条件和程序推荐的，经查实后取消推荐对象评选资格，并取消相应名额."""
    return cancel_nomination(
        nom, reason=f"未按规定条件和程序推荐：{reason.strip()}" if reason.strip() else "", actor=actor,
        forfeits_slot=nom.campaign.cancellation_forfeits_slot,
    )


def refresh_quota_view(quota: Quota) -> dict:
    """Use of a quota per category, for the progress view."""
    return {
        category: {"used": rules.quota_used(quota, category), "max": quota.max_for(category)}
        for category in Category.values
    }

