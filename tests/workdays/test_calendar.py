"""Working days on the official calendar (DESIGN §5): holidays, make-up days, missing years."""

from __future__ import annotations

import datetime as dt

import pytest
from chinese_calendar import constants

from workdays.models import HolidayArrangement, SpecialDay
from workdays.services import (
    SHANGHAI,
    CalendarError,
    add_working_days,
    is_working_day,
    seed_from_package,
    working_day_window,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def _at(year, month, day, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_window_over_national_day_2026_skips_the_holiday_and_counts_the_make_up_saturday():
    window = working_day_window(_at(2026, 9, 30), 5)

    assert window.working_days == (
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 10),  # Saturday, 调休上班
        dt.date(2026, 10, 12),
    )
    assert window.closes_at == dt.datetime(2026, 10, 13, 0, 0, tzinfo=SHANGHAI)
    assert window.closes_at.isoformat() == "2026-10-13T00:00:00+08:00"


def test_window_over_spring_festival_2026_counts_the_make_up_saturday():
    window = working_day_window(_at(2026, 2, 13), 5)

    assert window.working_days == (
        dt.date(2026, 2, 13),
        dt.date(2026, 2, 14),  # Saturday, 调休上班
        dt.date(2026, 2, 24),
        dt.date(2026, 2, 25),
        dt.date(2026, 2, 26),
    )
    assert window.closes_at == dt.datetime(2026, 2, 27, 0, 0, tzinfo=SHANGHAI)


def test_window_opening_on_a_holiday_does_not_count_that_day():
    window = working_day_window(_at(2026, 10, 3), 5)

    assert window.first_day == dt.date(2026, 10, 8)
    assert window.working_days == (
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 10),
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 13),
    )


def test_window_opening_on_an_ordinary_sunday_starts_on_monday():
    window = working_day_window(_at(2026, 3, 1), 5)

    assert (window.first_day, window.last_day) == (dt.date(2026, 3, 2), dt.date(2026, 3, 6))


def test_window_opening_late_in_the_evening_still_counts_its_day():
    # 2026-09-30 22:30 in Shanghai is 14:30 UTC: the local date decides.
    opens = dt.datetime(2026, 9, 30, 14, 30, tzinfo=dt.UTC)

    assert working_day_window(opens, 5).first_day == dt.date(2026, 9, 30)


def test_add_working_days_returns_the_closing_instant():
    assert add_working_days(_at(2026, 9, 30), 5) == dt.datetime(2026, 10, 13, tzinfo=SHANGHAI)


def test_window_into_a_year_with_no_arrangement_names_the_missing_year():
    assert not HolidayArrangement.objects.filter(year=2027).exists()

    with pytest.raises(CalendarError, match="2027"):
        working_day_window(_at(2026, 12, 28), 5)


def test_window_into_2027_is_computable_once_its_arrangement_is_recorded():
    HolidayArrangement.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    SpecialDay.objects.create(date=dt.date(2027, 1, 1), kind=SpecialDay.Kind.HOLIDAY, name="元旦")

    window = working_day_window(_at(2026, 12, 28), 5)

    assert window.working_days == (
        dt.date(2026, 12, 28),
        dt.date(2026, 12, 29),
        dt.date(2026, 12, 30),
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 4),
    )


def test_a_recorded_make_up_day_is_a_working_day():
    HolidayArrangement.objects.create(year=2027, source="测试")
    SpecialDay.objects.create(date=dt.date(2027, 1, 2), kind=SpecialDay.Kind.WORKDAY, name="元旦")

    assert is_working_day(dt.date(2027, 1, 2)) is True
    assert is_working_day(dt.date(2027, 1, 3)) is False


def test_is_working_day_refuses_a_year_with_no_arrangement():
    with pytest.raises(CalendarError, match="2030"):
        is_working_day(dt.date(2030, 6, 3))


@pytest.mark.parametrize(("days", "error"), [(0, "positive"), (-1, "positive")])
def test_window_refuses_a_non_positive_length(days, error):
    with pytest.raises(ValueError, match=error):
        working_day_window(_at(2026, 9, 30), days)


def test_window_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        working_day_window(dt.datetime(2026, 9, 30, 9), 5)


# --- the seed (data migration 0002) --------------------------------------------------------------


def test_seed_covers_every_year_the_package_knows():
    package_years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}

    assert set(HolidayArrangement.objects.values_list("year", flat=True)) == package_years


def test_seed_has_every_day_the_package_lists():
    holidays = set(SpecialDay.objects.filter(kind=SpecialDay.Kind.HOLIDAY).values_list("date", flat=True))
    workdays = set(SpecialDay.objects.filter(kind=SpecialDay.Kind.WORKDAY).values_list("date", flat=True))

    assert holidays == set(constants.holidays)
    assert workdays == set(constants.workdays)


def test_seed_names_holidays_in_chinese():
    assert SpecialDay.objects.get(date=dt.date(2026, 10, 1)).name == "国庆节"
    assert SpecialDay.objects.get(date=dt.date(2026, 10, 10)).name == "国庆节"


def test_seed_from_package_is_idempotent():
    before = (HolidayArrangement.objects.count(), SpecialDay.objects.count())

    assert seed_from_package() == []
    assert (HolidayArrangement.objects.count(), SpecialDay.objects.count()) == before


def test_seed_from_package_leaves_an_edited_year_alone():
    # An administrator moved a make-up day: the next seed must not put the package's day back.
    SpecialDay.objects.filter(date=dt.date(2026, 10, 10)).delete()
    SpecialDay.objects.create(date=dt.date(2026, 10, 11), kind=SpecialDay.Kind.WORKDAY, name="国庆节")

    seed_from_package()

    assert not SpecialDay.objects.filter(date=dt.date(2026, 10, 10)).exists()
    assert SpecialDay.objects.get(date=dt.date(2026, 10, 11)).kind == SpecialDay.Kind.WORKDAY


def test_seed_from_package_restores_a_year_that_is_no_longer_on_record():
    HolidayArrangement.objects.filter(year=2025).delete()
    SpecialDay.objects.filter(date__year=2025).delete()

    assert seed_from_package() == [2025]
    assert SpecialDay.objects.filter(date__year=2025).count() == sum(
        1 for d in [*constants.holidays, *constants.workdays] if d.year == 2025
    )


def test_an_edited_calendar_changes_the_window():
    SpecialDay.objects.filter(date=dt.date(2026, 10, 10)).delete()

    window = working_day_window(_at(2026, 9, 30), 5)

    assert window.working_days[-1] == dt.date(2026, 10, 13)


# --- administration ---------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "Zhi@2026chan")
    client.force_login(user)
    return client


def test_admin_special_day_change_page_opens_for_a_superuser(superuser_client):
    day = SpecialDay.objects.get(date=dt.date(2026, 10, 10))

    response = superuser_client.get(f"/admin/workdays/specialday/{day.pk}/change/")

    assert response.status_code == 200
    assert "调休上班" in response.content.decode()


def test_admin_special_day_list_opens_for_a_superuser(superuser_client):
    response = superuser_client.get("/admin/workdays/specialday/?date__year=2026")

    assert response.status_code == 200
    assert "国庆节" in response.content.decode()


def test_admin_holiday_arrangement_add_records_a_new_year(superuser_client):
    response = superuser_client.post(
        "/admin/workdays/holidayarrangement/add/",
        {"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知"},
    )

    assert response.status_code == 302
    assert HolidayArrangement.objects.filter(year=2027).exists()
