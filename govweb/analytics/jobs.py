"""Periodic jobs of the analytics app (run by `govweb scheduler`)."""

from django.utils import timezone


def ingest():
    """Every few minutes: new log lines → Parquet, affected days re-aggregated."""
    from .actions import do_ingest_logs

    do_ingest_logs()


def daily():
    """Every 6 hours (idempotent): today's site scores and related reading, then the retention
    policy."""
    from .actions import do_apply_retention, do_compute_scores, do_refresh_related_reading
    from .models import RelatedReading, SiteScore

    today = timezone.localdate()
    if not SiteScore.objects.filter(day=today).exists() or timezone.localtime().hour < 6:
        do_compute_scores()
    if not RelatedReading.objects.filter(day=today).exists():
        do_refresh_related_reading(today)
    last = getattr(daily, "_retention_day", None)
    if last != today:
        do_apply_retention()
        daily._retention_day = today

