"""Reads for the nomination pages: each list is a fixed number of queries, whatever its length.

Rows carry what the pages show (warnings, justifications, the unit window, objection counts,
consultations) computed from prefetched relations; the rules in ``nominations.rules`` are called
on the prefetched objects, so they ask the database nothing more per row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from awards.models import Campaign, Category, Quota, Stage, StageKey
from awards.selectors import campaigns_for, quota_holder_for
from orgs.models import Organisation, User
from publicity.models import NoticeEntry

from . import rules
from .masking import MASKS
from .models import (
    ACTIVE_STATUSES,
    Consultation,
    Event,
    Justification,
    Nomination,
    PartyGroupDecision,
    Status,
    UnitProcedure,
)
from .permissions import can_nominate_for, can_screen, nominating_units, screening_quotas

# What a district or department sees in its queue: what its units sent up, and what came after.
SCREENING_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.FORWARDED, Status.CANCELLED)


def _listing(qs: QuerySet, *, detail: bool = False) -> QuerySet:
    consultations = Consultation.objects.select_related("recorded_by") if detail else Consultation.objects.all()
    extra = ("leaders",) if detail else ()
    return qs.select_related(
        "campaign", "unit", "organisation", "division", "quota__organisation", "sub_quota__organisation"
    ).prefetch_related(
        "appraisals",
        "honours",
        # By ids: the default ordering joins every organisation (issue 8, EXPLAIN at national size).
        Prefetch("unit__nominations", queryset=Nomination.objects.order_by("campaign_id", "quota_id", "category", "rank", "unit_rank", "id")),
        Prefetch("justifications", queryset=Justification.objects.select_related("author", "author_org")),
        Prefetch("notice_entries", queryset=NoticeEntry.objects.with_objection_counts()),
        Prefetch("consultations", queryset=consultations),
        *extra,
    )


@dataclass
class Row:
    """One nomination with what a list shows about it."""

    nom: Nomination
    warnings: list = field(default_factory=list)
    unjustified: list = field(default_factory=list)
    justifications: list = field(default_factory=list)
    unit_notice: object = None
    objections: dict = field(default_factory=dict)
    consultations: dict = field(default_factory=dict)
    missing_consultations: list = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.nom.pk


def _row(nom: Nomination) -> Row:
    warnings = rules.warnings_for(nom)
    justifications = list(nom.justifications.all())
    done = {j.rule for j in justifications}
    entries = list(nom.notice_entries.all())
    unit_entries = [e for e in entries if e.notice.scope == "unit"]
    unit_notice = max((e.notice for e in unit_entries), key=lambda n: (n.opens_at, n.pk), default=None)
    consultations = {c.department: c for c in nom.consultations.all()}
    missing = [
        Consultation.Department(d).label for d in rules.required_consultations(nom) if d not in consultations
    ]
    return Row(
        nom=nom,
        warnings=warnings,
        unjustified=[w for w in warnings if w.code not in done],
        justifications=justifications,
        unit_notice=unit_notice,
        objections={
            "total": sum(e.objections_total for e in entries),
            "open": sum(e.objections_open for e in entries),
            "upheld": sum(e.objections_upheld for e in entries),
            "not_upheld": sum(e.objections_not_upheld for e in entries),
        },
        consultations=consultations,
        missing_consultations=missing,
    )


# --- unit staff --------------------------------------------------------------------------------


@dataclass
class UnitDesk:
    campaign: Campaign
    unit: Organisation
    holder: Quota
    rows: list[Row]
    procedures: list[UnitProcedure]
    stage: Stage | None

    @property
    def publishable(self) -> list[Row]:
        return [r for r in self.rows if r.nom.status in (Status.DRAFT, Status.RETURNED)]


def unit_rows(campaign: Campaign, unit: Organisation) -> list[Row]:
    qs = Nomination.objects.filter(campaign=campaign, unit=unit).order_by("unit_rank", "category", "pk")
    return [_row(n) for n in _listing(qs)]


def unit_stage(campaign: Campaign):
    return next((s for s in campaign.stages.all() if s.key == StageKey.UNIT), None)


def unit_desk(campaign: Campaign, unit: Organisation) -> UnitDesk | None:
    holder = quota_holder_for(campaign, unit)
    if holder is None:
        return None
    stage = unit_stage(campaign)
    procedures = list(
        UnitProcedure.objects.filter(campaign=campaign, unit=unit).select_related("recorded_by").order_by("held_on", "pk")
    )
    return UnitDesk(campaign, unit, holder, unit_rows(campaign, unit), procedures, stage)


def open_campaigns(user: User) -> list[Campaign]:
    return [c for c in campaigns_for(user) if c.status == Campaign.Status.OPEN]


def unit_desks(user: User, campaigns: list[Campaign]) -> list[UnitDesk]:
    """For unit staff: their unit's nominations in each open campaign."""
    desks = []
    units = nominating_units(user)
    if not units:
        return desks
    for campaign in campaigns:
        for unit in units:
            desk = unit_desk(campaign, unit)
            if desk is not None:
                desks.append(desk)
    return desks


def access_unit(user: User, campaign_slug: str, unit_pk: int) -> tuple[Campaign, Organisation]:
    """The campaign and the unit, if the user is staff of that unit; 404 otherwise."""
    from awards.selectors import access_campaign

    campaign = access_campaign(user, campaign_slug)
    unit = Organisation.objects.filter(pk=unit_pk).first()
    if unit is None or not can_nominate_for(user, unit) or quota_holder_for(campaign, unit) is None:
        raise Http404("没有找到该单位，或您无权办理。")
    return campaign, unit


def rankable_unit_nominations(campaign: Campaign, unit: Organisation) -> list[Nomination]:
    """What ``services.rank_unit`` orders: every active nomination of the unit."""
    return list(
        Nomination.objects.filter(campaign=campaign, unit=unit, status__in=ACTIVE_STATUSES)
        .select_related("organisation", "unit")
        .order_by("unit_rank", "category", "pk")
    )


# --- screeners ---------------------------------------------------------------------------------


def screening_desks(user: User, campaigns: list[Campaign]) -> list[tuple[Campaign, list[Quota]]]:
    out = []
    for campaign in campaigns:
        quotas = screening_quotas(user, campaign)
        if quotas:
            out.append((campaign, quotas))
    return out


def access_screening_quota(user: User, quota_id: int) -> Quota:
    """A top-level quota the user screens for; 404 for anyone else (never a hint that it exists)."""
    quota = (
        Quota.objects.select_related("campaign", "organisation")
        .prefetch_related(Prefetch("campaign__stages", queryset=Stage.objects.order_by("order")))
        .filter(pk=quota_id, parent__isnull=True)
        .first()
    )
    if quota is None or not can_screen(user, quota):
        raise Http404("没有找到该审核队列，或您无权查看。")
    return quota


def screening_nomination(quota: Quota, pk: int) -> Nomination:
    nom = (
        Nomination.objects.select_related("campaign", "unit", "organisation", "quota__organisation")
        .filter(pk=pk, quota=quota)
        .first()
    )
    if nom is None:
        raise Http404("没有找到该推荐对象。")
    return nom


def screening_rows(
    quota: Quota, *, category: str = "", status: str = "", unit: Organisation | None = None
) -> list[Row]:
    qs = Nomination.objects.filter(quota=quota, status__in=SCREENING_STATUSES)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    qs = qs.order_by("category", "rank", "unit__path", "unit_rank", "pk")
    return [_row(n) for n in _listing(qs)]


def screening_units(quota: Quota) -> QuerySet:
    """Units that have sent something to this quota holder (for the filter)."""
    ids = Nomination.objects.filter(quota=quota, status__in=SCREENING_STATUSES).values("unit_id")
    return Organisation.objects.filter(pk__in=ids).order_by("path")


def submission_stage(campaign: Campaign) -> Stage | None:
    return next((s for s in campaign.stages.all() if s.key == StageKey.SUBMISSION), None)


def party_group_decisions(quota: Quota) -> list[PartyGroupDecision]:
    return list(
        PartyGroupDecision.objects.filter(campaign=quota.campaign, organisation=quota.organisation).select_related(
            "recorded_by"
        )
    )


def accepted_for_ranking(quota: Quota, category: str) -> list[Nomination]:
    """What ``services.rank_nominations`` orders: every accepted nominee of the category."""
    return list(
        Nomination.objects.filter(quota=quota, category=category, status=Status.ACCEPTED)
        .select_related("unit", "organisation")
        .order_by("rank", "unit__path", "unit_rank", "pk")
    )


def accepted_in(quota: Quota, ids: list[int]) -> list[Nomination]:
    return list(Nomination.objects.filter(quota=quota, pk__in=ids).order_by("category", "pk"))


@dataclass
class QuotaLine:
    quota: Quota
    use: list[tuple[str, int, int]]  # (category label, used, max)


@dataclass
class UnitLine:
    unit: Organisation
    counts: dict[str, int]
    total: int


def quota_progress(quota: Quota) -> tuple[list[QuotaLine], list[UnitLine], list[tuple[str, str]]]:
    """Per category used/max of the quota and its sub-quotas; per unit the counts by status."""
    lines = []
    for q in [quota, *quota.sub_quotas.select_related("organisation").order_by("organisation__path")]:
        use = [(Category(c).label, rules.quota_used(q, c), q.max_for(c)) for c in Category.values]
        lines.append(QuotaLine(q, use))
    counts: dict[int, Counter] = {}
    for row in (
        Nomination.objects.filter(quota=quota).values("unit_id", "status").annotate(n=Count("id")).order_by()
    ):
        counts.setdefault(row["unit_id"], Counter())[row["status"]] += row["n"]
    units = Organisation.objects.filter(pk__in=list(counts)).order_by("path")
    statuses = [(s.value, s.label) for s in Status]
    unit_lines = [UnitLine(u, dict(counts[u.pk]), sum(counts[u.pk].values())) for u in units]
    return lines, unit_lines, statuses


# --- office ------------------------------------------------------------------------------------


def forwarded_for_office(user: User, campaigns: list[Campaign]) -> list[tuple[Campaign, list[Nomination]]]:
    """What districts and departments sent up, for those who hold the whole campaign."""
    from awards.selectors import sees_whole_campaign

    out = []
    for campaign in campaigns:
        if not sees_whole_campaign(user, campaign):
            continue
        noms = list(
            Nomination.objects.filter(campaign=campaign, status=Status.FORWARDED)
            .select_related("unit", "organisation", "quota__organisation")
            .order_by("quota__organisation__path", "category", "rank")
        )
        out.append((campaign, noms))
    return out


@dataclass
class Work:
    desks: list[UnitDesk]
    screening: list[tuple[Campaign, list[Quota]]]
    forwarded: list[tuple[Campaign, list[Nomination]]]


def work_for(user: User) -> Work:
    """Everything /nominations/ shows, by the roles the user holds, for each open campaign."""
    campaigns = open_campaigns(user)
    return Work(unit_desks(user, campaigns), screening_desks(user, campaigns), forwarded_for_office(user, campaigns))


# --- one nomination ----------------------------------------------------------------------------


def events_of(nom: Nomination) -> list[Event]:
    return list(nom.events.select_related("actor", "actor__organisation").order_by("at", "pk"))



def history_of(nom: Nomination) -> list[dict]:
    """Field changes, newest first: each record against the one before it."""
    records = list(nom.history.select_related("history_user").order_by("history_date", "history_id"))
    pairs = []
    for previous, record in zip([None, *records], records, strict=False):
        delta = record.diff_against(previous, excluded_fields=["updated_at", "created_at"]) if previous else None
        pairs.append((record, delta.changes if delta else []))
    org_ids = {
        v for _, changes in pairs for c in changes
        if Nomination._meta.get_field(c.field).related_model is Organisation for v in (c.old, c.new) if v
    }
    names = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name")) if org_ids else {}
    out = []
    for record, changes in pairs:
        shown = []
        for change in changes:
            f = Nomination._meta.get_field(change.field)
            mask = MASKS.get(change.field)
            shown.append({
                "field": change.field,
                "label": str(f.verbose_name),
                "old": mask(change.old) if mask and change.old else _readable(f, change.old, names),
                "new": mask(change.new) if mask and change.new else _readable(f, change.new, names),
            })
        out.append({"record": record, "changes": shown, "first": not shown and record is records[0]})
    out.reverse()
    return out


def _readable(f, value, names: dict) -> str:
    if value in (None, ""):
        return "（空）"
    if f.related_model is Organisation:
        return names.get(value, f"#{value}")
    if f.is_relation:
        return f"#{value}"
    if f.name == "photo":
        return "（已上传照片）"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def detail_row(nom: Nomination) -> Row:
    return _row(_listing(Nomination.objects.filter(pk=nom.pk), detail=True).get())
