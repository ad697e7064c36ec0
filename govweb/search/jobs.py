"""Periodic jobs of the search subsystem (run by `govweb scheduler`)."""

from datetime import timedelta

from django.utils import timezone
from wagtail.models import Page

from govweb.base.i18n import default_locale_id

from . import actions, documents, tasks
from .engines import get_engine

SEARCH_LOG_DAYS = 400


def index_drift(engine=None):
    """(page ids live but missing from the index, page keys indexed but no longer live)."""
    engine = engine or get_engine()
    indexed = {k for k in engine.keys() if k.startswith("page:")}
    # English versions of pages are not indexed (search is Chinese-first; base/i18n.py).
    live = set(
        Page.objects.live().public().filter(depth__gt=2, locale_id=default_locale_id())
        .exclude(content_type__model__in=documents.SKIPPED_MODELS).values_list("pk", flat=True)
    )
    live_keys = {f"page:{pk}" for pk in live}
    missing = sorted(int(k.split(":")[1]) for k in live_keys - indexed)
    stale = sorted(indexed - live_keys)
    return missing, stale


def reconcile_index():
    """Hourly safety net: a publication whose task was lost still becomes findable."""
    missing, stale = index_drift()
    if stale:
        tasks.remove_from_index.enqueue(stale)
    for pk in missing[:1000]:
        tasks.index_page.enqueue(pk)
    return len(missing), len(stale)


def prune_search_log(now=None):
    return actions.do_prune_search_log((now or timezone.now()) - timedelta(days=SEARCH_LOG_DAYS))
