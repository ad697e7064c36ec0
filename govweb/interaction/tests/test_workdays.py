"""Deadline arithmetic over the official 2024–2026 calendars (fixed dates, no clock)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from govweb.interaction.models import WorkCalendarDay
from govweb.interaction.workdays import (
    add_working_days,
    forget_overrides,
    is_workday,
    remaining_working_days,
    working_days_between,
)

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("received", "days", "deadline"), [
    # 2024: Mon 30 Sep is the last working day before National Day (1–7 Oct);
    # Sat 12 Oct is an adjusted working day.
    (dt.datetime(2024, 9, 30, 16, 45, tzinfo=SH), 5, dt.date(2024, 10, 12)),
    (dt.datetime(2024, 9, 30, 16, 45, tzinfo=SH), 2, dt.date(2024, 10, 9)),
    # Sun 29 Sep 2024 is itself an adjusted working day: counting starts the day after.
    (dt.datetime(2024, 9, 29, 10, 0, tzinfo=SH), 1, dt.date(2024, 9, 30)),
    # 2025: National Day + Mid-Autumn 1–8 Oct; Sat 11 Oct is a working day.
    (dt.datetime(2025, 9, 30, 9, 0, tzinfo=SH), 5, dt.date(2025, 10, 14)),
    (dt.datetime(2025, 9, 28, 9, 0, tzinfo=SH), 2, dt.date(2025, 9, 30)),
    (dt.datetime(2025, 9, 30, 9, 0, tzinfo=SH), 2, dt.date(2025, 10, 10)),
    # 2026: National Day 1–7 Oct; Sun 20 Sep and Sat 10 Oct are working days.
    (dt.datetime(2026, 9, 30, 17, 0, tzinfo=SH), 5, dt.date(2026, 10, 13)),
    (dt.datetime(2026, 9, 30, 17, 0, tzinfo=SH), 2, dt.date(2026, 10, 9)),
    # Spring Festival 2025 (28 Jan – 4 Feb; Sun 26 Jan and Sat 8 Feb worked).
    (dt.datetime(2025, 1, 27, 11, 0, tzinfo=SH), 5, dt.date(2025, 2, 10)),
    # An ordinary week: Friday evening + 5 → next Friday.
    (dt.datetime(2024, 11, 22, 23, 30, tzinfo=SH), 5, dt.date(2024, 11, 29)),
])
def test_deadline_counts_official_working_days(received, days, deadline):
    assert add_working_days(received, days) == deadline


def test_late_evening_utc_is_counted_in_china_time():
    # 30 Sep 2024 17:00 UTC is already 1 Oct 01:00 in Guiyang: a holiday, same deadline.
    received = dt.datetime(2024, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert add_working_days(received, 5) == dt.date(2024, 10, 12)


def test_weekends_and_adjusted_days():
    assert not is_workday(dt.date(2024, 10, 1))
    assert is_workday(dt.date(2024, 10, 12))  # Saturday, adjusted working day
    assert is_workday(dt.date(2026, 9, 20))  # Sunday, adjusted working day
    assert not is_workday(dt.date(2026, 10, 6))
    assert working_days_between(dt.date(2024, 9, 30), dt.date(2024, 10, 12)) == 5


def test_remaining_days_before_and_after_deadline():
    deadline = dt.date(2024, 10, 12)
    assert remaining_working_days(deadline, dt.datetime(2024, 10, 8, 9, tzinfo=SH)) == 4
    assert remaining_working_days(deadline, dt.datetime(2024, 10, 12, 9, tzinfo=SH)) == 0
    assert remaining_working_days(deadline, dt.datetime(2024, 10, 15, 9, tzinfo=SH)) == -2


def test_general_office_calendar_overrides_the_package():
    # A year the package may not know: the office's table decides.
    day = dt.date(2027, 10, 4)  # a Monday
    WorkCalendarDay.objects.update_or_create(date=day, defaults={"is_workday": False,
                                                                 "note": "国庆节"})
    forget_overrides()
    try:
        assert not is_workday(day)
        assert add_working_days(dt.date(2027, 10, 1), 1) == dt.date(2027, 10, 5)
    finally:
        WorkCalendarDay.objects.filter(date=day).delete()
        forget_overrides()
