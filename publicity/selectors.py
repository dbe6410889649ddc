"""Reads for the public and the staff pages: each a fixed number of queries, whatever the size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Min, Q, Value, When
from django.utils import timezone

from awards.models import Campaign
from orgs.models import User
from workdays.services import CalendarError, WorkingCalendar

from .models import Notice, NoticeEntry, Objection, Scope
from .permissions import visible_notices_q

PAGE_SIZE = 20
# The public list shows what is open and what closed in the last half year.
PUBLIC_RECENT_DAYS = 180

STATE_CHOICES = (("open", "公示中"), ("closed", "已结束"))


def _running(now: dt.datetime):
    return Case(
        When(status=Notice.Status.OPEN, closes_at__gt=now, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


@dataclass
class PublicFilters:
    campaign: str = ""
    scope: str = ""
    state: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, query) -> PublicFilters:
        """Only known values: anything else is dropped, so odd query strings cannot fill the cache."""
        scope = query.get("scope", "")
        state = query.get("state", "")
        campaign = query.get("campaign", "")[:60]
        try:
            page = max(1, min(int(query.get("page", 1)), 10_000))
        except (TypeError, ValueError):
            page = 1
        return cls(
            campaign=campaign if campaign.replace("-", "").replace("_", "").isalnum() else "",
            scope=scope if scope in Scope.values else "",
            state=state if state in dict(STATE_CHOICES) else "",
            page=page,
        )

    def key(self) -> str:
        return f"c={self.campaign}&s={self.scope}&t={self.state}&p={self.page}"


def public_notice_list(filters: PublicFilters, *, now: dt.datetime) -> dict:
    """Queries: the count, the page of notices (with campaign, issuer and entry count), the campaigns,
    the next closing instant."""
    recent = Notice.objects.public().filter(closes_at__gte=now - dt.timedelta(days=PUBLIC_RECENT_DAYS))
    qs = recent
    if filters.campaign:
        qs = qs.filter(campaign__slug=filters.campaign)
    if filters.scope:
        qs = qs.filter(scope=filters.scope)
    if filters.state == "open":
        qs = qs.filter(status=Notice.Status.OPEN, closes_at__gt=now)
    elif filters.state == "closed":
        qs = qs.exclude(status=Notice.Status.OPEN, closes_at__gt=now)
    qs = (
        qs.select_related("campaign", "issuer")
        .annotate(entry_count=Count("entries"), running=_running(now))
        .order_by("running", "-opens_at", "-id")
    )
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(filters.page)
    notices = list(page.object_list)
    campaigns = list(
        Campaign.objects.filter(pk__in=recent.values("campaign_id")).order_by("-year", "title").values("slug", "title")
    )
    # Any running window that closes changes what the list shows (its tag, or which page holds what).
    next_close = recent.filter(status=Notice.Status.OPEN, closes_at__gt=now).aggregate(at=Min("closes_at"))["at"]
    return {"page": page, "notices": notices, "campaigns": campaigns, "next_change": next_close}


def public_notice(pk: int) -> Notice | None:
    return Notice.objects.public().select_related("campaign", "issuer", "replaces").filter(pk=pk).first()


def public_entries(notice: Notice) -> list[NoticeEntry]:
    return list(
        NoticeEntry.objects.filter(notice=notice)
        .only("id", "notice_id", "position", "category", "name", "unit_and_post", "brief_deeds")
        .order_by("position")
    )


def corrections_of(notice: Notice) -> list[Notice]:
    return list(Notice.objects.public().filter(replaces=notice).only("id", "title", "opens_at", "correction_note"))


def cache_seconds(notices, *, now: dt.datetime, ceiling: int, next_change: dt.datetime | None = None) -> int:
    """Until the next state change of anything shown (a window closing), and never above ``ceiling``."""
    instants = [n.closes_at for n in notices if n.status == Notice.Status.OPEN and n.closes_at > now]
    if next_change is not None:
        instants.append(next_change)
    seconds = min([ceiling] + [int((at - now).total_seconds()) for at in instants])
    return max(1, seconds)


# --- staff -----------------------------------------------------------------------------------


@dataclass
class Countdown:
    working_days: int | None  # working days left, today included while the window runs
    hours: int
    minutes: int
    passed: bool

    @property
    def text(self) -> str:
        if self.passed:
            return "已到截止时间"
        days = "—" if self.working_days is None else f"{self.working_days}个工作日"
        return f"剩余{days}（{self.hours}小时{self.minutes}分）"


def countdowns(notices: list[Notice], *, now: dt.datetime) -> dict[int, Countdown]:
    """Remaining working days and hours of each window, from the official calendar (loaded once)."""
    if not notices:
        return {}
    today = timezone.localtime(now).date()
    years = [today.year] + [n.last_day.year for n in notices]
    calendar = WorkingCalendar.load(min(years), max(years))
    result = {}
    for notice in notices:
        left = notice.closes_at - now
        if left.total_seconds() <= 0:
            result[notice.pk] = Countdown(0, 0, 0, True)
            continue
        start = max(today, timezone.localtime(notice.opens_at).date())
        days: int | None = 0
        try:
            day = start
            while day <= notice.last_day:
                days += calendar.is_working_day(day)
                day += dt.timedelta(days=1)
        except CalendarError:
            days = None
        minutes = int(left.total_seconds() // 60)
        result[notice.pk] = Countdown(days, minutes // 60, minutes % 60, False)
    return result


def staff_notices(user: User, *, campaign: str = "", scope: str = "", status: str = ""):
    qs = Notice.objects.filter(visible_notices_q(user)).select_related("campaign", "issuer", "opened_by")
    if campaign:
        qs = qs.filter(campaign__slug=campaign)
    if scope in Scope.values:
        qs = qs.filter(scope=scope)
    if status in Notice.Status.values:
        qs = qs.filter(status=status)
    return qs.annotate(
        entry_count=Count("entries", distinct=True),
        objection_count=Count("objections", distinct=True),
        open_objection_count=Count("objections", filter=Q(objections__status__in=Objection.OPEN_STATUSES), distinct=True),
    ).order_by("-opens_at", "-id")


def running_windows(user: User, *, now: dt.datetime) -> list[Notice]:
    qs = staff_notices(user).filter(status__in=(Notice.Status.OPEN, Notice.Status.SCHEDULED)).order_by("closes_at", "id")
    return list(qs)


OUTCOME_LABELS = {
    "clean": "公示期满无异议",
    "open_objection": "异议尚未办结",
    "upheld": "异议经核实成立",
    "cancelled_unconcluded": "异议未能在规定时间内作出结论，取消评选资格",
    "corrected": "已由更正公示重新公示，以更正公示结果为准",
}


def notice_record(notice: Notice) -> dict:
    """The notice as it was listed, what became of each entry, its objections and its history."""
    entries = list(notice.entries.select_related("nomination").order_by("position"))
    outcome = {}
    for key, ids in (notice.outcome or {}).items():
        for nomination_id in ids:
            outcome[nomination_id] = OUTCOME_LABELS.get(key, key)
    for entry in entries:
        entry.outcome_label = outcome.get(entry.nomination_id, "")
    objections = list(
        notice.objections.select_related("entry", "assigned_to", "concluded_by").order_by("created_at", "id")
    )
    history = list(notice.history.select_related("history_user").order_by("history_date", "history_id"))
    corrections = list(Notice.objects.filter(replaces=notice).order_by("opens_at"))
    return {"entries": entries, "objections": objections, "history": history, "corrections": corrections}


def objection_queue(user: User, *, status: str = "", notice_id: int | None = None, overdue: bool = False, now=None):
    now = now or timezone.now()
    qs = Objection.objects.filter(visible_notices_q(user, prefix="notice__")).select_related(
        "notice__issuer", "entry", "assigned_to"
    )
    if status == "open":
        qs = qs.filter(status__in=Objection.OPEN_STATUSES)
    elif status in Objection.Status.values:
        qs = qs.filter(status=status)
    if notice_id:
        qs = qs.filter(notice_id=notice_id)
    if overdue:
        qs = qs.filter(status__in=Objection.OPEN_STATUSES, notice__closes_at__lte=now)
    return qs.order_by("notice__closes_at", "created_at", "id")
