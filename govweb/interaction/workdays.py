"""Official working days (工作日): statutory holidays and adjusted working weekends.

Source of truth, in order:
1. `WorkCalendarDay` rows kept by the general office (for years the package does not know yet,
   or a late State Council notice);
2. the `chinese_calendar` package (official notices 2004 onwards);
3. Monday–Friday, when neither knows the year (logged once, so the office adds the year).

Deadlines are counted from the day after receipt: "within N working days" ends at the end of
the N-th working day after the day the item was received.
"""

import datetime as dt
import logging
import time

import chinese_calendar

logger = logging.getLogger("govweb.interaction")

_TTL_SECONDS = 60
_overrides = {"expires": 0.0, "days": {}}
_warned_years = set()


def forget_overrides():
    """Called when the general office edits the calendar table."""
    _overrides["expires"] = 0.0


def _override_days():
    if time.monotonic() >= _overrides["expires"]:
        from .models import WorkCalendarDay

        _overrides["days"] = dict(WorkCalendarDay.objects.values_list("date", "is_workday"))
        _overrides["expires"] = time.monotonic() + _TTL_SECONDS
        _added.clear()  # computed with the previous overrides
    return _overrides["days"]


def is_workday(day):
    """True when `day` is an official working day."""
    override = _override_days().get(day)
    if override is not None:
        return override
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning("No official calendar for %s: counting Monday–Friday. "
                           "Add the year's holidays in 互动交流 › 工作日历.", day.year)
        return day.weekday() < 5


def local_date(moment):
    """The calendar date of an aware datetime in the site's time zone (or a date as is)."""
    if isinstance(moment, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(moment).date()
    return moment


# add_working_days() results, as long as the overrides they were computed with: every
# submission asks for the deadline of the same day, and walking the calendar costs more
# than the rest of its bookkeeping.
_added = {}


def add_working_days(start, days):
    """The date of the `days`-th working day after `start` (a date or aware datetime)."""
    first = local_date(start)
    _override_days()  # reloaded (and _added cleared) when it has expired
    key = (first, days)
    day = _added.get(key)
    if day is None:
        day, counted = first, 0
        while counted < days:
            day += dt.timedelta(days=1)
            if is_workday(day):
                counted += 1
        if len(_added) > 1000:  # bounded: a year of dates per rule fits
            _added.clear()
        _added[key] = day
    return day


def working_days_between(start, end):
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    first, last = local_date(start), local_date(end)
    count, day = 0, first
    while day < last:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def remaining_working_days(deadline, now):
    """Working days left before the deadline date (0 on the deadline day, negative if past)."""
    today = local_date(now)
    if today <= deadline:
        return working_days_between(today, deadline)
    return -working_days_between(deadline, today)
