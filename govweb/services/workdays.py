"""Working days (工作日) for rating follow-up deadlines.

The interaction app keeps the cluster's official calendar (chinese_calendar plus the general
office's own corrections); services uses it when it is installed, so that every deadline in the
platform agrees. Without it, the `chinese_calendar` package (Monday–Friday for unknown years).
"""

import datetime as dt

from django.utils import timezone


def _is_workday(day):
    try:
        from govweb.interaction.workdays import is_workday
    except ImportError:  # interaction app absent: the package alone
        import chinese_calendar

        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5
    return is_workday(day)


def add_working_days(now, days):
    """The date of the `days`-th working day after `now` (an aware datetime or a date)."""
    day = timezone.localtime(now).date() if isinstance(now, dt.datetime) else now
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if _is_workday(day):
            counted += 1
    return day
