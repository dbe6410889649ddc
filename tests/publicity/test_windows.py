"""Publicity windows: 5 working days on the official calendar (DESIGN §5), fixed when the notice opens."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from publicity import services
from publicity.formatting import deadline_text, window_text
from publicity.models import Notice
from workdays.models import HolidayArrangement, SpecialDay

from .helpers import individual, unit_notice

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _open(campaign, org, users, day: dt.date) -> Notice:
    unit = org("渝北区知识产权保护中心")
    return unit_notice(campaign, unit, users["unit_yubei"], opens_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=SH))


def test_window_opened_on_national_day_eve_ends_on_october_12(campaign, users, org):
    # Wed 9-30 is day 1; 10-1..10-7 off; 10-8, 10-9, 10-10 (make-up Saturday), then Mon 10-12.
    notice = _open(campaign, org, users, dt.date(2026, 9, 30))
    assert notice.closes_at == dt.datetime(2026, 10, 13, 0, 0, tzinfo=SH)
    assert notice.last_day == dt.date(2026, 10, 12)
    assert window_text(notice) == "2026年9月30日至10月12日"
    assert deadline_text(notice) == "10月12日24时截止"
    assert notice.working_days == 5


def test_window_opened_before_spring_festival_ends_on_february_26(campaign, users, org):
    # Fri 2-13 is day 1, Sat 2-14 a make-up day, 2-15..2-23 off, then 2-24, 2-25, 2-26.
    notice = _open(campaign, org, users, dt.date(2026, 2, 13))
    assert notice.closes_at == dt.datetime(2026, 2, 27, 0, 0, tzinfo=SH)
    assert window_text(notice) == "2026年2月13日至2月26日"


def test_window_counts_the_make_up_sunday(campaign, users, org):
    # The official calendar on record makes Sunday 2026-09-20 a working day (国庆节调休).
    assert SpecialDay.objects.get(date=dt.date(2026, 9, 20)).kind == SpecialDay.Kind.WORKDAY
    assert dt.date(2026, 9, 18).weekday() == 4 and dt.date(2026, 9, 20).weekday() == 6
    notice = _open(campaign, org, users, dt.date(2026, 9, 18))
    # Fri 9-18, Sun 9-20, Mon 9-21, Tue 9-22, Wed 9-23: without the Sunday it would end on 9-24.
    assert notice.last_day == dt.date(2026, 9, 23)
    assert notice.closes_at == dt.datetime(2026, 9, 24, 0, 0, tzinfo=SH)


def test_window_into_a_year_without_arrangement_is_refused_naming_the_year(campaign, users, org):
    HolidayArrangement.objects.filter(year=2027).delete()
    unit = org("渝北区知识产权保护中心")
    staff = users["unit_yubei"]
    with pytest.raises(services.PublicityError, match="2027年"):
        unit_notice(campaign, unit, staff, opens_at=dt.datetime(2026, 12, 28, 9, 0, tzinfo=SH))
    assert not Notice.objects.filter(issuer=unit).exists()


def test_window_opening_later_is_scheduled_not_public(campaign, users, org):
    unit = org("渝北区知识产权保护中心")
    staff = users["unit_yubei"]
    nom = individual(campaign, unit, staff)
    later = dt.datetime.now(SH) + dt.timedelta(days=1)
    notice = unit_notice(campaign, unit, staff, noms=[nom], opens_at=later)
    assert notice.status == Notice.Status.SCHEDULED
    assert not Notice.objects.public().filter(pk=notice.pk).exists()
    assert services.start_notice(notice.pk) is False  # its instant has not come

