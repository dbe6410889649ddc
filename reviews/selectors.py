"""Reads for the office, member and district pages of the review stages (DESIGN §3 steps 3–6).

Every list here runs a fixed number of queries whatever its length (issue 5: the office queue,
the proposed list with live caps and the dashboard, for 50 or 5,000 nominations): the rows come
with ``select_related``/``prefetch_related``, the rules and the caps are evaluated in Python on
the prefetched objects, and counts are aggregated in Python from the rows already read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict, namedtuple
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from awards.models import Campaign, CapRule, Category, Quota, Stage, StageKey
from nominations import rules
from nominations.models import (
    Consultation,
    Justification,
    Nomination,
    Rank,
    Status,
    Submission,
)
from orgs.models import Kind, Level, Organisation, Role, RoleAssignment, User

from . import caps
from .charts import Bar, Chart
from .models import CapDecision, Final, FormalMaterial, Meeting, Outcome, Review, Vote
from .services import OFFICE_STAGES, conflict_on_paths, has_conflict, missing_for, missing_materials

# --- the campaign and its stages ---------------------------------------------------------------


def campaign(slug: str) -> Campaign | None:
    """The campaign with what every page reads from it (categories, caps, forms, stages)."""
    return (
        Campaign.objects.select_related("root", "office", "host_unit")
        .prefetch_related("categories", "caps", "forms", Prefetch("stages", queryset=Stage.objects.order_by("order")))
        .filter(slug=slug)
        .first()
    )


def category_titles(campaign: Campaign) -> dict[str, str]:
    return {c.kind: c.title for c in campaign.categories.all()}


def categories(campaign: Campaign) -> list[tuple[str, str, int]]:
    """(key, label, number of awards) in the order of the official forms: collectives first."""
    counts = {c.kind: c.award_count for c in campaign.categories.all()}
    return [(value, str(label), counts.get(value, 0)) for value, label in Category.choices if value in counts]


@dataclass
class StageLine:
    stage: Stage

    @property
    def key(self) -> str:
        return self.stage.key

    @property
    def started(self) -> bool:
        # The submission stage runs from its opening date; the office only closes it.
        return bool(self.stage.started_at) or self.stage.key == StageKey.SUBMISSION

    @property
    def closed(self) -> bool:
        return bool(self.stage.closed_at)

    @property
    def state(self) -> str:
        if self.closed:
            return "closed"
        return "open" if self.started else "pending"

    @property
    def state_label(self) -> str:
        return {"closed": "已结束", "open": "进行中", "pending": "未开始"}[self.state]

    @property
    def can_start(self) -> bool:
        return not self.stage.started_at and not self.closed and self.stage.key != StageKey.SUBMISSION

    @property
    def can_close(self) -> bool:
        # The decision stage closes when the decision is issued (services.issue_decision).
        return self.started and not self.closed and self.stage.key != StageKey.DECISION

    @property
    def overdue(self) -> bool:
        return self.state == "open" and self.stage.is_past_deadline


def stage_lines(campaign: Campaign) -> list[StageLine]:
    return [StageLine(s) for s in campaign.stages.all() if s.key in OFFICE_STAGES]


def stage_open(campaign: Campaign, key: str) -> bool:
    line = next((line for line in stage_lines(campaign) if line.key == key), None)
    return bool(line and line.state == "open")


def stage_closed(campaign: Campaign, key: str) -> bool:
    line = next((line for line in stage_lines(campaign) if line.key == key), None)
    return bool(line and line.closed)


def stage_of(campaign: Campaign, key: str) -> Stage | None:
    return next((s for s in campaign.stages.all() if s.key == key), None)


# --- reviews --------------------------------------------------------------------------------------


def _with_nominations(qs: QuerySet) -> QuerySet:
    """What a row shows and what the caps and the conflict check read, in the same query."""
    return qs.select_related(
        "nomination__unit__parent",
        "nomination__organisation__parent",
        "nomination__division",
        "nomination__quota__organisation",
        "quota__organisation",
    )


def _attach(reviews: list[Review], campaign: Campaign) -> list[Review]:
    # The prefetched campaign (categories, forms, caps) serves every row: no query per row.
    for r in reviews:
        r.campaign = campaign
        r.nomination.campaign = campaign
    return reviews


def review(campaign: Campaign, pk: int) -> Review | None:
    found = _with_nominations(Review.objects.filter(campaign=campaign, pk=pk)).first()
    if found is not None:
        _attach([found], campaign)
    return found


def is_cancelled(r: Review) -> bool:
    return r.final == Final.CANCELLED or r.nomination.status == Status.CANCELLED


def result_label(r: Review) -> str:
    """The nominee's standing in words (never colour alone)."""
    if r.final == Final.REVOKED:
        return "已撤销表彰"
    if is_cancelled(r):
        return "已取消评选资格"
    if r.final == Final.AWARDED:
        return "已表彰"
    return ""


class ReviewRow:
    """What every row of an office list says about its review."""

    review: Review

    @property
    def pk(self) -> int:
        return self.review.pk

    @property
    def nom(self) -> Nomination:
        return self.review.nomination

    @property
    def result(self) -> str:
        return result_label(self.review)

    @property
    def cancelled(self) -> bool:
        return is_cancelled(self.review)


@dataclass
class QueueRow(ReviewRow):
    review: Review
    warnings: list = field(default_factory=list)
    justifications: list = field(default_factory=list)
    consultations: list = field(default_factory=list)
    # Set by the view for the row that was just posted.
    police_form: object = None
    decision_form: object = None
    error: str = ""



@dataclass
class HolderGroup:
    organisation: Organisation
    rows: list[QueueRow] = field(default_factory=list)


@dataclass
class CategoryGroup:
    key: str
    label: str
    award_count: int
    holders: list[HolderGroup] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """Every row of the category in the queue, on this page or not."""
        return sum(self.counts.values())

    @property
    def shown(self) -> int:
        return sum(len(h.rows) for h in self.holders)


def queue_holders(campaign: Campaign) -> list[tuple[int, str]]:
    """(id, name) of the quota holders that sent something to the office, for the queue's filter."""
    ids = Review.objects.filter(campaign=campaign).values("quota__organisation_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("path").values_list("pk", "name"))


def holder_options(holders: list[tuple[int, str]], selected: int | None) -> str:
    """The filter's <option>s, built here: 1,300 holders at national size took 50 ms as a template loop."""
    return format_html_join(
        "", '<option value="{}"{}>{}</option>', ((pk, mark_safe(" selected") if pk == selected else "", name) for pk, name in holders)
    )


INITIAL_PAGE_SIZE = 50
# A unit's nominations (for the warnings across a unit's nominees), in Nomination's order but by ids:
# the default ordering follows campaign and quota into their own orderings, joining every organisation.
# Only what rules.warnings_for reads of them (same_division).
UNIT_NOMINATIONS = Nomination.objects.order_by("campaign_id", "quota_id", "category", "rank", "unit_rank", "id").only(
    "pk", "unit_id", "campaign_id", "category", "organisation_id", "status",
)


@dataclass
class QueuePage:
    """One page of the initial-review queue: rows ``start``–``end`` of ``count``."""

    number: int
    count: int
    size: int = INITIAL_PAGE_SIZE

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    @property
    def end(self) -> int:
        return min(self.count, self.number * self.size)

    @property
    def paginator(self) -> QueuePage:
        # templates/publicity/_pager.html reads page.paginator.num_pages and .count.
        return self

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def initial_queue(
    campaign: Campaign, *, category: str = "", holder: int | None = None, outcome: str = "", page: int | str = 1
) -> tuple[list[CategoryGroup], QueuePage]:
    """The initial-review queue: per category, per quota holder, in the holder's own ranking.

    Paged (issue 8: 5,000 rows took 14 s to render): the counts per category and outcome come from one
    aggregate, the page's rows from one slice, so the queries stay the same whatever the queue's length.
    """
    qs = Review.objects.filter(campaign=campaign)
    if category:
        qs = qs.filter(category=category)
    if holder:
        qs = qs.filter(quota__organisation_id=holder)
    if outcome:
        qs = qs.filter(initial=outcome)
    groups = {key: CategoryGroup(key, label, count) for key, label, count in categories(campaign) if not category or key == category}
    count = 0
    for row in qs.order_by().values("category", "initial").annotate(n=Count("pk")):
        group = groups.get(row["category"])
        if group is not None:
            group.counts[row["initial"]] += row["n"]
            count += row["n"]
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 1
    paging = QueuePage(1, count)
    paging.number = min(max(1, number), paging.num_pages)
    # The page's ids first, from a narrow sort; then its rows with everything they show. Sorting the wide
    # join and cutting it after spilled to disk at national size (EXPLAIN: external merge, 0.9 s).
    page_ids = list(
        qs.filter(category__in=list(groups))
        .order_by("category", "quota__organisation__path", "submitter_rank", "pk")
        .values_list("pk", flat=True)[paging.start : paging.end]
    ) if count else []
    wide = (
        _with_nominations(Review.objects.filter(pk__in=page_ids))
        .select_related("initial_by")
        .prefetch_related(
            Prefetch("nomination__justifications", queryset=Justification.objects.select_related("author", "author_org")),
            Prefetch("nomination__consultations", queryset=Consultation.objects.order_by("department")),
            "nomination__appraisals",
            "nomination__honours",
            Prefetch("nomination__unit__nominations", queryset=UNIT_NOMINATIONS),
        )
        .order_by()
    )
    by_pk = {r.pk: r for r in wide} if page_ids else {}
    reviews = _attach([by_pk[pk] for pk in page_ids], campaign)
    for r in reviews:
        group = groups[r.category]
        if not group.holders or group.holders[-1].organisation.pk != r.quota.organisation_id:
            group.holders.append(HolderGroup(r.quota.organisation))
        nom = r.nomination
        group.holders[-1].rows.append(QueueRow(
            review=r, warnings=rules.warnings_for(nom), justifications=list(nom.justifications.all()),
            consultations=list(nom.consultations.all()),
        ))
    return list(groups.values()), paging


# --- comprehensive review ----------------------------------------------------------------------------


def group_members(campaign: Campaign) -> list[User]:
    """The leading-group members over the campaign (one query, unlike ``services.members``)."""
    assignments = (
        RoleAssignment.objects.active()
        .filter(role=Role.GROUP_MEMBER, user__is_active=True)
        .select_related("user__organisation", "scope")
        .order_by("user__username")
    )
    found: dict[int, User] = {}
    for a in assignments:
        if campaign.root.is_under(a.scope):
            found.setdefault(a.user_id, a.user)
    return list(found.values())


@dataclass
class ProposedRow(ReviewRow):
    review: Review
    votes_cast: int = 0
    cap_labels: list[str] = field(default_factory=list)
    error: str = ""



@dataclass
class MemberProgress:
    member: User
    cast: int
    eligible: int
    conflicts: int

    @property
    def done(self) -> bool:
        return self.cast >= self.eligible


@dataclass
class ProposedCategory:
    key: str
    label: str
    award_count: int
    rows: list[ProposedRow]
    # Over every row of the category, also when only one page of rows is read.
    total: int = 0
    proposed_count: int = 0


# Per category and page (issue 8: 2,000 rows made an 800 KB page, 200 rendered rows 0.15 s).
PROPOSED_PAGE_SIZE = 50
# The nominee's long texts and personal data, which no row of the proposed list shows.
PAGE_DEFERRED = (
    "nomination__deeds", "nomination__brief_deeds", "nomination__id_number", "nomination__phone", "nomination__address",
    "nomination__prior_same_commendation", "nomination__as_professional_reason", "nomination__post",
)


@dataclass
class Comprehensive:
    categories: list[ProposedCategory]
    uses: list[caps.CapUse]
    decisions: list[CapDecision]
    members: list[MemberProgress]
    meetings: list[Meeting]
    scores: bool
    page: Page | None = None

    @property
    def decisions_by_cap(self) -> dict[int, list[CapDecision]]:
        out: dict[int, list[CapDecision]] = defaultdict(list)
        for d in self.decisions:
            out[d.cap_id].append(d)
        return out

    @property
    def cap_table(self):
        return cap_table(self.uses, self.decisions)

    @property
    def votes_cast(self) -> int:
        return sum(m.cast for m in self.members)

    @property
    def votes_expected(self) -> int:
        return sum(m.eligible for m in self.members)


def cap_table(uses: list[caps.CapUse], decisions: list[CapDecision]) -> list[tuple[caps.CapUse, list[CapDecision]]]:
    """Each cap's use next to the leading-group decisions recorded on it."""
    return [(use, [d for d in decisions if d.cap_id == use.cap.pk]) for use in uses]


def cap_decisions(campaign: Campaign) -> list[CapDecision]:
    return list(CapDecision.objects.filter(campaign=campaign).select_related("cap", "recorded_by").order_by("recorded_at", "pk"))


def live_caps(campaign: Campaign, nominations: list[Nomination], decisions: list[CapDecision]) -> list[caps.CapUse]:
    return caps.cap_uses(campaign, nominations, caps=list(campaign.caps.all()), decisions=decisions)


def _vote_key(campaign: Campaign):
    if campaign.review_mode == Campaign.ReviewMode.SCORES:
        return lambda r: (not r.proposed, r.proposed_rank or 0, -(r.average_score or -1), r.submitter_rank, r.pk)
    return lambda r: (not r.proposed, r.proposed_rank or 0, -r.approve_votes, r.reject_votes, r.submitter_rank, r.pk)


_LINE_FIELDS = ("pk", "category", "proposed", "proposed_rank", "approve_votes", "reject_votes", "average_score",
                "submitter_rank", "final", "nomination_id", "status", "unit_path", "holder_path", "flags")


class _Line(namedtuple("_Line", _LINE_FIELDS)):
    """One review that passed initial review, as a narrow ``values_list()`` row (issue 8: 2,000 rows as
    model objects with their nomination and organisations took over a second)."""

    __slots__ = ()

    @property
    def cancelled(self) -> bool:
        # is_cancelled, on the row's values.
        return self.final == Final.CANCELLED or self.status == Status.CANCELLED


def comprehensive(campaign: Campaign, *, paged: bool = False, page=None) -> Comprehensive:
    """Members' progress and the proposed list with the caps computed live on it.

    Counts, caps, conflicts and the order come from one narrow query over every nominee that passed
    initial review (the caps' predicates run in SQL: caps.SQL_PREDICATES); only the rows shown are read
    as objects: one page of them when ``paged`` (the page's rows per category), every row otherwise
    (the export).
    """
    caps_list = list(campaign.caps.all())
    flags = caps.cap_flags(campaign, caps_list, "nomination__")
    width = len(_LINE_FIELDS) - 1
    lines = [
        _Line._make((*row[:width], tuple(bool(f) for f in row[width:])))
        for row in Review.objects.filter(campaign=campaign, initial=Outcome.PASSED).order_by().annotate(
            status=F("nomination__status"), unit_path=F("nomination__unit__path"),
            holder_path=F("nomination__quota__organisation__path"), **flags,
        ).values_list(*_LINE_FIELDS[:-1], *flags)
    ]
    members = group_members(campaign)
    cast: Counter = Counter()
    per_review: Counter = Counter()
    for member_id, review_id in Vote.objects.filter(review__campaign=campaign, review__initial=Outcome.PASSED).values_list("member_id", "review_id"):
        cast[member_id] += 1
        per_review[review_id] += 1
    live = [line for line in lines if not line.cancelled]
    progress = []
    for m in members:
        own = m.organisation.path if m.organisation_id else None
        conflicts = 0 if own is None else sum(1 for line in live if conflict_on_paths(own, line.unit_path, line.holder_path))
        progress.append(MemberProgress(m, cast[m.pk], len(live) - conflicts, conflicts))
    decisions = cap_decisions(campaign)
    counted = {cap.pk: tuple(line.nomination_id for line in live if line.proposed and line.flags[i]) for i, cap in enumerate(caps_list)}
    uses = caps.uses_of(campaign, counted, caps=caps_list, decisions=decisions)
    # Which caps each row counts in, so the office sees what putting it on the list would use.
    key = _vote_key(campaign)
    ordered = {value: sorted((line for line in lines if line.category == value), key=key) for value, _l, _c in categories(campaign)}
    page_obj = None
    if paged:
        page_obj = Paginator(range(max((len(v) for v in ordered.values()), default=0)), PROPOSED_PAGE_SIZE).get_page(page)
        shown = {value: v[page_obj.start_index() - 1 : page_obj.end_index()] if v else [] for value, v in ordered.items()}
    else:
        shown = ordered
    ids = [line.pk for v in shown.values() for line in v]
    if paged:
        # What a row of the page shows: the nominee, its unit and its quota holder (not the long texts).
        qs = Review.objects.select_related("nomination__unit", "nomination__organisation", "quota__organisation").defer(*PAGE_DEFERRED)
    else:
        qs = _with_nominations(Review.objects.all())
    wide = {r.pk: r for r in _attach(list(qs.filter(pk__in=ids).order_by()), campaign)} if ids else {}
    groups = []
    for value, label, count in categories(campaign):
        rows = [
            ProposedRow(wide[line.pk], per_review[line.pk], [use.cap.get_counts_display() for i, use in enumerate(uses) if line.flags[i]])
            for line in shown[value]
        ]
        groups.append(ProposedCategory(
            value, label, count, rows, total=len(ordered[value]),
            proposed_count=sum(1 for line in ordered[value] if line.proposed and not line.cancelled),
        ))
    meetings = list(Meeting.objects.filter(campaign=campaign).select_related("recorded_by"))
    return Comprehensive(groups, uses, decisions, progress, meetings, campaign.review_mode == Campaign.ReviewMode.SCORES, page_obj)


# --- members ----------------------------------------------------------------------------------------


@dataclass
class BallotRow:
    review: Review
    conflict: bool
    vote: Vote | None
    form: object = None
    error: str = ""

    @property
    def pk(self) -> int:
        return self.review.pk

    @property
    def nom(self) -> Nomination:
        return self.review.nomination


# Per category and page (issue 8: 2,000 nominees with a form each made a 1.1 MB page of 2 s).
BALLOT_PAGE_SIZE = 50


def ballot(campaign: Campaign, member: User, page=None) -> tuple[list[tuple[str, str, list[BallotRow], int]], Page]:
    """What a member votes on: every live nominee that passed initial review, 回避 marked.

    Per category (key, label, the page's rows, how many in all), in the order of the submitters' own
    rankings; the order comes from a narrow query, then only the page's rows are read.
    """
    ordered: dict[str, list[int]] = defaultdict(list)
    for pk, category in (
        Review.objects.filter(campaign=campaign, initial=Outcome.PASSED).exclude(nomination__status=Status.CANCELLED)
        .order_by("category", "quota__organisation__path", "submitter_rank", "pk").values_list("pk", "category")
    ):
        ordered[category].append(pk)
    page_obj = Paginator(range(max((len(v) for v in ordered.values()), default=0)), BALLOT_PAGE_SIZE).get_page(page)
    shown = {key: v[page_obj.start_index() - 1 : page_obj.end_index()] for key, v in ordered.items() if v}
    ids = [pk for v in shown.values() for pk in v]
    reviews, votes = {}, {}
    if ids:
        reviews = {r.pk: r for r in _attach(list(
            Review.objects.filter(pk__in=ids)
            .select_related("nomination__unit", "nomination__organisation", "nomination__quota__organisation", "quota__organisation")
            .defer(*(f for f in PAGE_DEFERRED if f != "nomination__brief_deeds")).order_by()
        ), campaign)}
        votes = {v.review_id: v for v in Vote.objects.filter(member=member, review_id__in=ids)}
    out = []
    for value, label, _count in categories(campaign):
        rows = [BallotRow(reviews[pk], has_conflict(member, reviews[pk].nomination), votes.get(pk)) for pk in shown.get(value, [])]
        out.append((value, label, rows, len(ordered.get(value, []))))
    return out, page_obj


# --- re-review, materials -------------------------------------------------------------------------------


@dataclass
class MaterialRow(ReviewRow):
    review: Review
    materials: list[FormalMaterial]
    missing: list[str]
    form: object = None
    error: str = ""


ONCE_PROPOSED = Q(proposed=True) | Q(proposed_rank__isnull=False) | ~Q(re_review=Outcome.PENDING) | ~Q(final="")


MATERIAL_ORDER = ("category", "proposed_rank", "quota__organisation__path", "submitter_rank", "pk")
RE_REVIEW_PAGE_SIZE = 50


def _material_rows(campaign: Campaign, qs: QuerySet) -> list[MaterialRow]:
    qs = _with_nominations(qs).prefetch_related(
        Prefetch("materials", queryset=FormalMaterial.objects.select_related("uploaded_by").order_by("uploaded_at", "pk"))
    )
    reviews = _attach(list(qs.order_by(*MATERIAL_ORDER)), campaign)
    return [MaterialRow(r, list(r.materials.all()), [] if is_cancelled(r) else missing_materials(r)) for r in reviews]


def re_review_rows(campaign: Campaign, page=None) -> tuple[list[MaterialRow], Page]:
    """Each nominee that was put on the proposed list, with its formal materials: one page of them
    (issue 8: 667 rows with a form each made a 377 KB page of 1.1 s), the ids first from a narrow sort."""
    ids = list(Review.objects.filter(campaign=campaign).filter(ONCE_PROPOSED).order_by(*MATERIAL_ORDER).values_list("pk", flat=True))
    page_obj = Paginator(ids, RE_REVIEW_PAGE_SIZE).get_page(page)
    shown = list(page_obj.object_list)
    return (_material_rows(campaign, Review.objects.filter(pk__in=shown)) if shown else []), page_obj


def meetings(campaign: Campaign, kind: str | None = None) -> list[Meeting]:
    qs = Meeting.objects.filter(campaign=campaign).select_related("recorded_by")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs)


def material(campaign: Campaign, pk: int) -> FormalMaterial | None:
    return FormalMaterial.objects.filter(review__campaign=campaign, pk=pk).select_related("review").first()


# --- the decision ------------------------------------------------------------------------------------------


@dataclass
class FinalRow:
    review: Review
    title: str
    revoke_form: object = None
    error: str = ""

    @property
    def pk(self) -> int:
        return self.review.pk

    @property
    def nom(self) -> Nomination:
        return self.review.nomination

    @property
    def result(self) -> str:
        return result_label(self.review) or "待表彰决定"

    @property
    def revoked(self) -> bool:
        return self.review.final == Final.REVOKED


@dataclass
class FinalCategory:
    key: str
    label: str
    title: str
    award_count: int
    rows: list[FinalRow]

    @property
    def awarded(self) -> list[FinalRow]:
        return [r for r in self.rows if not r.revoked]


@dataclass
class FinalList:
    categories: list[FinalCategory]
    cancelled: list[FinalRow]
    uses: list[caps.CapUse]
    decisions: list[CapDecision]
    meetings: list[Meeting]
    decided: bool

    @property
    def total(self) -> int:
        return sum(len(c.awarded) for c in self.categories)

    @property
    def cap_table(self):
        return cap_table(self.uses, self.decisions)

    @property
    def decision(self) -> Meeting | None:
        return next((m for m in reversed(self.meetings) if m.kind == Meeting.Kind.DECISION), None)

    @property
    def revocations(self) -> list[Meeting]:
        return [m for m in self.meetings if m.kind == Meeting.Kind.REVOCATION]


def final_list(campaign: Campaign) -> FinalList:
    """The final list by category (awarded, or waiting for the decision), and who was cancelled."""
    qs = _with_nominations(
        Review.objects.filter(campaign=campaign).filter(Q(re_review=Outcome.PASSED) | Q(final__in=(Final.AWARDED, Final.REVOKED)))
    ).order_by("category", "proposed_rank", "quota__organisation__path", "submitter_rank", "pk")
    reviews = _attach(list(qs), campaign)
    titles = category_titles(campaign)
    decided = any(r.final in (Final.AWARDED, Final.REVOKED) for r in reviews)
    groups, cancelled = [], []
    by_category: dict[str, list[FinalRow]] = defaultdict(list)
    for r in reviews:
        row = FinalRow(r, r.award_title or titles.get(r.category, ""))
        if is_cancelled(r):
            cancelled.append(row)
        elif not decided and not r.proposed:
            continue
        elif decided and r.final not in (Final.AWARDED, Final.REVOKED):
            continue
        else:
            by_category[r.category].append(row)
    for value, label, count in categories(campaign):
        groups.append(FinalCategory(value, label, titles.get(value, ""), count, by_category.get(value, [])))
    decisions = cap_decisions(campaign)
    listed = [row.nom for g in groups for row in g.awarded]
    return FinalList(groups, cancelled, live_caps(campaign, listed, decisions), decisions, meetings(campaign), decided)


def commended(campaign: Campaign) -> str:
    """What is commended, from the campaign's title: 重庆市知识产权保护工作先进集体和先进个人."""
    what = campaign.title.split("（")[0].split("(")[0]
    for suffix in ("评选表彰", "评选"):
        if what.endswith(suffix):
            what = what[: -len(suffix)]
    return what


def addressees(campaign: Campaign) -> str:
    """主送: the level below the office in the chain, e.g. 各区县知识产权局、各市级部门."""
    levels = campaign.chain_levels or []
    below = levels[-2] if len(levels) >= 2 else ""
    return "、".join(f"各{part}" for part in below.split("/") if part) or "各有关单位"


def decision_title(campaign: Campaign) -> str:
    """关于表彰……的决定."""
    return f"关于表彰{commended(campaign)}的决定"


# --- district / department feedback ------------------------------------------------------------------------------


@dataclass
class FeedbackRow(ReviewRow):
    review: Review
    materials: list[FormalMaterial]
    missing: list[str]
    notices: list
    initial_known: bool
    proposed_known: bool

    @property
    def initial_label(self) -> str:
        if not self.initial_known:
            return "初审进行中"
        return self.review.get_initial_display()

    @property
    def proposed_label(self) -> str:
        if not self.initial_known or self.review.initial != Outcome.PASSED:
            return "—"
        if not self.proposed_known:
            return "综合评审进行中"
        return "列入拟表彰名单" if (self.review.proposed or self.review.proposed_rank) else "未列入拟表彰名单"

    @property
    def is_proposed(self) -> bool:
        return self.proposed_known and self.review.proposed and not self.cancelled

    @property
    def result(self) -> str:
        return result_label(self.review)


@dataclass
class FeedbackGroup:
    quota: Quota
    rows: list[FeedbackRow]

    @property
    def proposed(self) -> list[FeedbackRow]:
        return [r for r in self.rows if r.is_proposed]


def feedback(campaign: Campaign, quotas: list[Quota]) -> list[FeedbackGroup]:
    """A district's or department's own nominees and what became of them — never anyone else's."""
    from publicity.models import NoticeEntry, Scope

    rows = _material_rows(campaign, Review.objects.filter(campaign=campaign, quota__in=quotas))
    entries = defaultdict(list)
    for entry in (
        NoticeEntry.objects.filter(notice__campaign=campaign, notice__scope=Scope.DISTRICT, nomination__quota__in=quotas)
        .select_related("notice").order_by("notice__opens_at", "pk")
    ):
        entries[entry.nomination_id].append(entry.notice)
    initial_known = stage_closed(campaign, StageKey.INITIAL_REVIEW)
    proposed_known = stage_closed(campaign, StageKey.COMPREHENSIVE_REVIEW)
    groups = {q.pk: FeedbackGroup(q, []) for q in quotas}
    for row in rows:
        groups[row.review.quota_id].rows.append(FeedbackRow(
            row.review, row.materials, row.missing, entries.get(row.review.nomination_id, []), initial_known, proposed_known,
        ))
    return list(groups.values())


# --- the dashboard ------------------------------------------------------------------------------------------------

STAGE_SETS = [
    ("submitted", "已报送", "hatch"),
    ("initial", "初审通过", "dots"),
    ("proposed", "拟表彰", "grid"),
    ("final", "最终表彰", "solid"),
]

STAGE_LEGEND = [(pattern, label) for _key, label, pattern in STAGE_SETS]


class _HolderOrg(NamedTuple):
    name: str


class _Holder(NamedTuple):
    """What the dashboard shows of a quota (1,300 of them at national size: read as values, not objects)."""

    pk: int
    organisation: _HolderOrg
    collective_max: int
    individual_max: int

    def max_for(self, category: str) -> int:
        return Quota.max_for(self, category)


@dataclass
class SubmitterLine:
    quota: _Holder
    submitted_at: dt.datetime | None  # the last Submission
    sent: bool  # a Submission, or nominations that reached the office (data loaded without one)
    late: bool
    counts: dict[str, dict[str, int]]  # stage -> category -> count

    @property
    def state(self) -> str:
        if self.sent:
            return "已报送"
        return "逾期未报（视为自动放弃）" if self.late else "尚未报送"

    def count(self, stage: str, category: str) -> int:
        return self.counts.get(stage, {}).get(category, 0)


# A distribution lists at most this many groups (the ones with the most nominations).
DISTRIBUTION_LIMIT = 30
# The dashboard's submitter table, per page.
SUBMITTERS_PAGE_SIZE = 50


@dataclass
class Distribution:
    key: str
    title: str
    rows: list[tuple[str, dict[str, int]]]  # (group label, stage -> count)
    chart: Chart
    total_groups: int = 0

    @property
    def truncated(self) -> bool:
        return self.total_groups > len(self.rows)


@dataclass
class StageCount:
    key: str
    label: str
    cells: list[tuple[str, str, int, int]]  # (category, label, count, limit)

    @property
    def total(self) -> int:
        return sum(c[2] for c in self.cells)

    def count(self, category: str) -> int:
        return next((c[2] for c in self.cells if c[0] == category), 0)


@dataclass
class ProgressLine:
    line: StageLine
    text: str


@dataclass
class Dashboard:
    campaign: Campaign
    progress: list[ProgressLine]
    submitters: list[SubmitterLine]
    stage_counts: list[StageCount]
    category_charts: list[Chart]
    cap_rows: list[tuple[CapRule, list[tuple[str, caps.CapUse]]]]
    cap_charts: list[Chart]
    distributions: list[Distribution]
    justifications: list[Justification]
    decisions: list[CapDecision]
    removed: list[tuple[Nomination, str, str]]  # (nominee, state, reason)

    @property
    def submitted_count(self) -> int:
        return sum(1 for s in self.submitters if s.sent)

    @property
    def late_count(self) -> int:
        return sum(1 for s in self.submitters if s.late)

    @property
    def waiting_count(self) -> int:
        return sum(1 for s in self.submitters if not s.sent and not s.late)

    @property
    def stage_labels(self) -> list[tuple[str, str]]:
        return [(k, label) for k, label, _p in STAGE_SETS]

    def total(self, stage: str) -> int:
        return next(s.total for s in self.stage_counts if s.key == stage)

    @property
    def category_labels(self) -> list[tuple[str, str]]:
        return [(c[0], c[1]) for c in self.stage_counts[0].cells] if self.stage_counts else []


_NOM_FIELDS = ("pk", "quota_id", "category", "status", "rank_grade", "holder", "body_kind", "division_level",
               "review_id", "review_category", "initial", "proposed", "re_review", "final", "flags")


class _Nom(namedtuple("_Nom", _NOM_FIELDS)):
    """A nomination the dashboard counts, as a narrow ``values_list()`` row with its review's outcomes
    (issue 8: 10,000 nominations as model objects took seconds); ``flags``: the caps it counts in."""

    __slots__ = ()

    @property
    def is_collective(self) -> bool:
        return self.category == Category.COLLECTIVE


def _stage_sets(noms: list[_Nom]) -> dict[str, list[_Nom]]:
    decided = any(n.final in (Final.AWARDED, Final.REVOKED) for n in noms)
    live = [n for n in noms if n.status != Status.CANCELLED]
    passed = [n for n in noms if n.initial == Outcome.PASSED]
    proposed = [n for n in live if n.proposed]
    if decided:
        final = [n for n in noms if n.final == Final.AWARDED]
    else:
        final = [n for n in proposed if n.re_review == Outcome.PASSED]
    return {"submitted": noms, "initial": passed, "proposed": proposed, "final": final}


def _progress(campaign: Campaign, lines: list[StageLine], noms, sets, submitters, materials_missing, notices) -> list[ProgressLine]:
    reviewed = [n for n in noms if n.review_id is not None]
    initial = Counter(n.initial for n in reviewed if n.status != Status.CANCELLED)
    proposed = sets["proposed"]
    re_review = Counter(n.re_review for n in proposed)
    finals = Counter(n.final for n in reviewed)
    texts = {
        StageKey.SUBMISSION: (
            f"已报送{sum(1 for s in submitters if s.sent)}个/共{len(submitters)}个推荐单位；"
            f"逾期未报{sum(1 for s in submitters if s.late)}个；报送推荐对象{len(noms)}个"
        ),
        StageKey.INITIAL_REVIEW: f"通过{initial[Outcome.PASSED]}、未通过{initial[Outcome.REJECTED]}、待审{initial[Outcome.PENDING]}",
        StageKey.COMPREHENSIVE_REVIEW: f"拟表彰{len(proposed)}个（集体{sum(1 for n in proposed if n.is_collective)}、个人{sum(1 for n in proposed if not n.is_collective)}）",
        StageKey.FEEDBACK_PUBLICITY: f"本级公示已结束{sum(1 for n in proposed if n.pk in notices['district'])}个/共{len(proposed)}个",
        StageKey.FORMAL_MATERIALS: f"材料齐全{sum(1 for n in proposed if not materials_missing.get(n.pk))}个/共{len(proposed)}个",
        StageKey.RE_REVIEW: f"复审通过{re_review[Outcome.PASSED]}、未通过{re_review[Outcome.REJECTED]}、待复审{re_review[Outcome.PENDING]}",
        StageKey.FINAL_PUBLICITY: notices["final_text"],
        StageKey.DECISION: f"已表彰{finals[Final.AWARDED]}、撤销{finals[Final.REVOKED]}、取消资格{sum(1 for n in noms if n.status == Status.CANCELLED)}",
    }
    return [ProgressLine(line, texts.get(line.key, "")) for line in lines]


# What reaches the office: forwarded, or with a review (a nominee cancelled after it was forwarded).
AT_OFFICE = Q(status=Status.FORWARDED) | Q(review__isnull=False)


def dashboard(campaign: Campaign, *, now: dt.datetime | None = None) -> Dashboard:
    """Progress by stage and submitter, quota and cap use at every stage, distributions, exceptions.

    Every figure comes from one narrow query over the nominations that reached the office (caps and
    处级 by their SQL forms, caps.SQL_PREDICATES); only the removed nominees are read as objects.
    """
    from publicity.models import Notice, NoticeEntry, Objection, Scope

    now = now or timezone.now()
    lines = stage_lines(campaign)
    decisions = cap_decisions(campaign)
    caps_list = list(campaign.caps.all())
    flags = caps.cap_flags(campaign, caps_list)
    division_level = caps.SQL_PREDICATES[CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS](campaign, "")
    # Every quota of the campaign (its holder's name for the nominations), the top-level ones for the table.
    all_quotas = list(
        Quota.objects.filter(campaign=campaign).order_by("organisation__path")
        .values_list("pk", "organisation__name", "collective_max", "individual_max", "parent_id")
    )
    names = {pk: name for pk, name, *_rest in all_quotas}
    quotas = [
        _Holder(pk, _HolderOrg(name), collective_max, individual_max)
        for pk, name, collective_max, individual_max, parent_id in all_quotas if parent_id is None
    ]
    width = len(_NOM_FIELDS) - 2  # the holder's name and the flags are added here
    noms = [
        _Nom._make((*row[:5], names[row[1]], *row[5:width], tuple(bool(f) for f in row[width:])))
        for row in Nomination.objects.filter(campaign=campaign).filter(AT_OFFICE).order_by("pk").annotate(
            body_kind=caps.body_field("kind"),
            division_level=ExpressionWrapper(division_level, output_field=BooleanField()),
            review_pk=F("review__id"), review_category=F("review__category"), initial=F("review__initial"),
            proposed=F("review__proposed"), re_review=F("review__re_review"), final=F("review__final"), **flags,
        ).values_list(*_NOM_FIELDS[:5], "body_kind", "division_level", "review_pk", "review_category", "initial",
                      "proposed", "re_review", "final", *flags)
    ]
    sets = _stage_sets(noms)
    cats = categories(campaign)

    # Submitters: who sent, who did not, who is late (重庆 五(四): 逾期未报视为自动放弃).
    sent = {row["quota_id"]: row["last"] for row in Submission.objects.filter(campaign=campaign).values("quota_id").annotate(last=Max("submitted_at"))}
    submission = stage_of(campaign, StageKey.SUBMISSION)
    past_deadline = bool(submission and submission.deadline and now > submission.deadline)
    per_quota = Counter((n.quota_id, key, n.category) for key, members in sets.items() for n in members)
    has_noms = {n.quota_id for n in noms}
    submitters = []
    for q in quotas:
        at = sent.get(q.pk)
        done = at is not None or q.pk in has_noms
        submitters.append(SubmitterLine(
            q, at, sent=done, late=not done and past_deadline,
            counts={
                stage_key: {value: per_quota[(q.pk, stage_key, value)] for value, _l, _c in cats}
                for stage_key, _label, _pattern in STAGE_SETS
            },
        ))

    # Quota and awards per stage and category.
    recommend_max = {value: sum(q.max_for(value) for q in quotas) for value, _l, _c in cats}
    stage_counts = []
    for key, label, _pattern in STAGE_SETS:
        counts = Counter(n.category for n in sets[key])
        stage_counts.append(StageCount(key, label, [
            (value, cat_label, counts.get(value, 0), recommend_max[value] if key == "submitted" else award)
            for value, cat_label, award in cats
        ]))
    category_charts = []
    for i, (value, label, _award) in enumerate(cats):
        bars = [
            Bar(sc.label, sc.cells[i][2], sc.cells[i][3], pattern)
            for sc, (_k, _lbl, pattern) in zip(stage_counts, STAGE_SETS, strict=True)
        ]
        category_charts.append(Chart(f"cat-{value}", f"{label}：各阶段人数与名额", bars, unit="个" if value == Category.COLLECTIVE else "名",
                                     legend=STAGE_LEGEND))

    # Caps at every stage.
    cap_rows, cap_charts = [], []
    per_stage_uses = {
        key: caps.uses_of(
            campaign, {cap.pk: tuple(n.pk for n in sets[key] if n.flags[i]) for i, cap in enumerate(caps_list)},
            caps=caps_list, decisions=decisions,
        )
        for key, _l, _p in STAGE_SETS
    }
    for i, cap in enumerate(caps_list):
        uses = [(label, per_stage_uses[key][i]) for key, label, _p in STAGE_SETS]
        cap_rows.append((cap, uses))
        bars = [
            Bar(label, use.count, use.limit, pattern, allowed=use.allowed if use.allowed != use.limit else None,
                note=f"领导小组决定允许{use.allowed}" if use.decision else "")
            for (label, use), (_k, _l, pattern) in zip(uses, STAGE_SETS, strict=True)
        ]
        cap_charts.append(Chart(f"cap-{cap.pk}", cap.label, bars, legend=STAGE_LEGEND))

    # Distributions: by district/department, by kind of organisation, by rank grade.
    def distribution(key, title, group_of, order=None):
        table: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys([k for k, _l, _p in STAGE_SETS], 0))
        groups = {n.pk: group_of(n) for n in noms}  # once per nominee, not once per stage
        for stage_key, members in sets.items():
            for n in members:
                group = groups[n.pk]
                if group is not None:
                    table[group][stage_key] += 1
        labels = order(table) if order else sorted(table)
        rows = [(g, table[g]) for g in labels if g in table]
        total_groups = len(rows)
        if total_groups > DISTRIBUTION_LIMIT:
            # Issue 8: 1,300 districts made a 1 MB page. The most-submitting groups, in their order;
            # every holder's counts are in the (paged) submitter table.
            keep = {g for g, _c in sorted(rows, key=lambda r: -r[1]["submitted"])[:DISTRIBUTION_LIMIT]}
            rows = [(g, c) for g, c in rows if g in keep]
        bars = []
        for g, counts in rows:
            bars.append(Bar(f"{g}（报送）", counts["submitted"], None, "hatch"))
            bars.append(Bar(f"{g}（表彰）", counts["final"], None, "solid"))
        return Distribution(key, title, rows, Chart(f"dist-{key}", title, bars, legend=[("hatch", "报送"), ("solid", "最终表彰")]),
                            total_groups)

    holder_order = [q.organisation.name for q in quotas]
    kind_labels = {value: str(label) for value, label in Kind.choices}
    rank_labels = {value: str(label) for value, label in Rank.choices}

    def kind_of(n: _Nom) -> str:
        return kind_labels.get(n.body_kind, kind_labels[Kind.OTHER])

    def rank_of(n: _Nom) -> str | None:
        if n.is_collective:
            return None
        label = rank_labels.get(n.rank_grade, "未填写")
        return label + ("（处级）" if n.division_level else "")

    rank_order = [*rank_labels.values(), "未填写"]
    distributions = [
        distribution("holder", "按区县/市级部门", lambda n: n.holder,
                     lambda t: [h for h in holder_order if h in t]),
        distribution("kind", "按单位性质", kind_of, lambda t: [k for k in kind_labels.values() if k in t]),
        distribution("rank", "按职级（先进个人）", rank_of,
                     lambda t: sorted(t, key=lambda g: next((i for i, r in enumerate(rank_order) if g.startswith(r)), 99))),
    ]

    # Exceptions: every in-principle rule passed over with a written reason, and every cap decision.
    justifications = list(
        Justification.objects.filter(nomination__campaign=campaign)
        .select_related("nomination__organisation", "nomination__unit", "author", "author_org")
        .order_by("created_at", "pk")
    )

    # Publicity, for the progress line.
    district_done = set(
        NoticeEntry.objects.filter(notice__campaign=campaign, notice__scope=Scope.DISTRICT, notice__status=Notice.Status.CLOSED)
        .values_list("nomination_id", flat=True)
    )
    final_notices = list(
        Notice.objects.filter(campaign=campaign, scope=Scope.FINAL)
        .annotate(n_objections=Count("objections"), n_upheld=Count("objections", filter=Q(objections__status=Objection.Status.UPHELD)))
        .order_by("opens_at", "pk")
    )
    if final_notices:
        last = final_notices[-1]
        final_text = f"{last.get_status_display()}；异议{sum(n.n_objections for n in final_notices)}件，其中成立{sum(n.n_upheld for n in final_notices)}件"
    else:
        final_text = "尚未发布"
    # Formal materials of the proposed nominees (missing_materials on their kinds and copies).
    got: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for review_id, kind, copies in FormalMaterial.objects.filter(
        review__campaign=campaign, review__proposed=True,
    ).order_by().values_list("review_id", "kind", "copies"):
        got[review_id].append((kind, copies))
    known: dict[tuple, list[str]] = {}  # most nominees have the same materials: the rule runs once per case
    missing = {}
    for n in sets["proposed"]:
        case = (n.review_category, tuple(sorted(got.get(n.review_id, ()))))
        if case not in known:
            known[case] = missing_for(campaign, *case)
        missing[n.pk] = known[case]
    progress = _progress(campaign, lines, noms, sets, submitters, missing, {"district": district_done, "final_text": final_text})

    removed = []
    removed_ids = [n.pk for n in noms if n.status == Status.CANCELLED or n.final == Final.REVOKED]
    for n in (
        Nomination.objects.filter(pk__in=removed_ids)
        .select_related("organisation", "quota__organisation", "review")
        .defer("deeds", "brief_deeds")
        .order_by("quota__organisation__path", "category", "pk")
    ):
        r = _review_of(n)
        if r is not None and r.final == Final.REVOKED:
            removed.append((n, "已撤销表彰", r.final_reason))
        elif n.status == Status.CANCELLED:
            removed.append((n, "已取消评选资格（不予递补）" if n.forfeits_slot else "已取消评选资格", n.cancel_reason))
    return Dashboard(
        campaign, progress, submitters, stage_counts, category_charts, cap_rows, cap_charts, distributions,
        justifications, decisions, removed,
    )


def _review_of(nom: Nomination) -> Review | None:
    try:
        return nom.review
    except Review.DoesNotExist:
        return None


def holder_level_label(org: Organisation) -> str:
    return Level(org.level).label if org.level in Level.values else ""
