"""Periodic jobs (定时任务) run by `govweb scheduler` (appended in SupervisionConfig.ready)."""

import logging

from django.utils import timezone

from .conf import rule_conf
from .models import CheckRun, RunKind

logger = logging.getLogger("govweb.supervision")


def daily_due(now=None):
    """True once a day, from the configured local hour, if no daily run has started today."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < rule_conf("daily")["hour"]:
        return False
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return not CheckRun.objects.filter(kind=RunKind.DAILY, started_at__gte=start_of_day).exists()


def daily():
    """读网: every morning, every online site, then the January annual-report reminder."""
    from . import tasks
    from .actions import do_remind_annual_reports

    if daily_due():
        tasks.run_daily_checks.enqueue()
    do_remind_annual_reports()


def probe():
    """Sample each site's home page (load time, reachability) through the day."""
    from .actions import do_probe_sites

    do_probe_sites()
