"""Working-day arithmetic on the official calendar (DESIGN §5).

A window counts its opening day when it opens on a working day and closes at the end of its
N-th working day, Asia/Shanghai. A window that would touch a year with no arrangement on record
is refused, naming the year, never computed as "weekends only".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from .models import HolidayArrangement, SpecialDay

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Chinese names for the holidays the chinese-calendar package knows by English name.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class CalendarError(Exception):
    """The calendar cannot answer: the message names the missing year."""


@dataclass(frozen=True)
class Window:
    opens_at: dt.datetime
    closes_at: dt.datetime  # exclusive: the first instant after the last working day
    working_days: tuple[dt.date, ...]

    @property
    def first_day(self) -> dt.date:
        return self.working_days[0]

    @property
    def last_day(self) -> dt.date:
        return self.working_days[-1]


class WorkingCalendar:
    """Answers from the rows of a span of years, loaded once."""

    def __init__(self, years: set[int], special: dict[dt.date, str]) -> None:
        self.years = years
        self.special = special

    @classmethod
    def load(cls, first_year: int, last_year: int) -> WorkingCalendar:
        years = set(
            HolidayArrangement.objects.filter(year__range=(first_year, last_year)).values_list("year", flat=True)
        )
        special = dict(
            SpecialDay.objects.filter(date__year__range=(first_year, last_year)).values_list("date", "kind")
        )
        return cls(years, special)

    def require_year(self, year: int) -> None:
        if year not in self.years:
            raise CalendarError(
                _("%(year)d年的节假日安排尚未录入，无法计算工作日。请系统管理员在“工作日历”中录入国务院公布的%(year)d年节假日安排。")
                % {"year": year}
            )

    def is_working_day(self, day: dt.date) -> bool:
        self.require_year(day.year)
        kind = self.special.get(day)
        if kind == SpecialDay.Kind.HOLIDAY:
            return False
        if kind == SpecialDay.Kind.WORKDAY:
            return True
        return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar.load(day.year, day.year).is_working_day(day)


def working_day_window(opens_at: dt.datetime, days: int) -> Window:
    """The window of ``days`` working days opening at ``opens_at`` (aware datetime)."""
    if days < 1:
        raise ValueError("days must be positive")
    if opens_at.tzinfo is None:
        raise ValueError("opens_at must be timezone-aware")
    local = opens_at.astimezone(SHANGHAI)
    # Enough years for any window: the longest run of days off is well under a month.
    calendar = WorkingCalendar.load(local.year, local.year + 1)
    day = local.date()
    counted: list[dt.date] = []
    while len(counted) < days:
        if calendar.is_working_day(day):
            counted.append(day)
        day += dt.timedelta(days=1)
    closes_local = dt.datetime.combine(counted[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
    return Window(opens_at=opens_at, closes_at=closes_local, working_days=tuple(counted))


def add_working_days(opens_at: dt.datetime, days: int) -> dt.datetime:
    """The closing instant of an N-working-day window opening at ``opens_at``."""
    return working_day_window(opens_at, days).closes_at


def seed_from_package(*, years: set[int] | None = None, arrangement_model=None, day_model=None) -> list[int]:
    """Record every year the chinese-calendar package knows that is not on record yet.

    Years already on record are left alone: an administrator may have corrected them.
    The models can be passed in so that a data migration uses its historical models.
    """
    arrangement_model = arrangement_model or HolidayArrangement
    day_model = day_model or SpecialDay
    from chinese_calendar import constants

    known: dict[int, list[tuple[dt.date, str, str]]] = {}
    for day, holiday in constants.holidays.items():
        known.setdefault(day.year, []).append((day, SpecialDay.Kind.HOLIDAY, getattr(holiday, "value", holiday)))
    for day, holiday in constants.workdays.items():
        known.setdefault(day.year, []).append((day, SpecialDay.Kind.WORKDAY, getattr(holiday, "value", holiday)))
    on_record = set(arrangement_model.objects.values_list("year", flat=True))
    added = []
    for year in sorted(set(known) - on_record):
        if years is not None and year not in years:
            continue
        # chinese-calendar also lists the weekends inside a holiday as holidays: they are part of the
        # published arrangement, so they are kept.
        day_model.objects.bulk_create(
            [day_model(date=day, kind=kind, name=HOLIDAY_NAMES.get(name, name)) for day, kind, name in known[year]],
            ignore_conflicts=True,
        )
        arrangement_model.objects.create(
            year=year, source=f"国务院办公厅关于{year}年部分节假日安排的通知（据 chinese-calendar 数据包）"
        )
        added.append(year)
    return added
