"""Demo analytics: 30 days of realistic access and search logs over the demo sites' real
pages, ingested into the store, and today's site scores. Deterministic; about a second."""

import datetime as dt

from django.utils import timezone
from wagtail.models import Page

from . import conf, generator

DEMO_DAYS = 30
DEMO_LINES = 40_000


def _pages(profiles):
    rows = []
    for profile in profiles.values():
        root = profile.site.root_page
        base = root.url_path
        for pk, url_path in Page.objects.descendant_of(root, inclusive=True).live().values_list(
                "pk", "url_path"):
            rows.append((profile.site_id, pk, "/" + url_path[len(base):]))
    return rows


def load(profiles, now):
    from .actions import do_compute_scores, do_ingest_logs, do_refresh_related_reading

    today = timezone.localdate(now)
    start = today - dt.timedelta(days=DEMO_DAYS)
    access_dir, search_dir = conf.access_log_dir(), conf.search_log_dir()
    if any(access_dir.glob("*.jsonl")) if access_dir.exists() else False:
        return  # a reload keeps the logs already there (and ingested)
    generator.generate(access_dir, DEMO_LINES, start, DEMO_DAYS, pages=_pages(profiles),
                       seed=0.2018, threads=1, search_dir=search_dir, visitors=40)
    do_ingest_logs(now=now, settle_seconds=0)
    do_refresh_related_reading(today)
    do_compute_scores(now=now, sites=list(profiles.values()))
