"""Writes of the search subsystem: keep the index in step with what is published, rebuild
it, and record searches and clicks for analytics (no personal data beyond a daily hash)."""

import hashlib
import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from . import documents
from .engines import get_engine
from .models import SearchLog

logger = logging.getLogger("govweb.search")

# Keys written by this process since the last reset (tests use it to restore the shared index).
touched_keys = set()
TRACK_TOUCHED = {"on": False}


def _touch(keys):
    if TRACK_TOUCHED["on"]:
        touched_keys.update(keys)


def do_index_page(page_id):
    """Add, replace or remove one page (and nothing else) according to its current state."""
    key = f"page:{page_id}"
    page = Page.objects.filter(pk=page_id).first()
    doc = documents.document_for_page(page) if page is not None else None
    engine = get_engine()
    _touch([key])
    if doc is None:
        engine.remove([key])
        return False
    engine.add([doc])
    return True


def do_index_pages(page_ids, batch=200):
    """Add, replace or remove many pages in one engine commit (a bulk import's batch)."""
    roots = documents.site_roots()
    docs, gone = [], []
    page_ids = list(page_ids)
    for start in range(0, len(page_ids), batch):
        chunk = page_ids[start:start + batch]
        found = {page.pk: page for page in Page.objects.filter(pk__in=chunk).specific()}
        for pk in chunk:
            page = found.get(pk)
            doc = documents.document_for_page(page, roots) if page is not None else None
            if doc is None:
                gone.append(f"page:{pk}")
            else:
                docs.append(doc)
    _touch([f"page:{pk}" for pk in page_ids])
    engine = get_engine()
    engine.add(docs)
    engine.remove(gone)
    return len(docs)


def do_index_subtree(page_id):
    """A moved or renamed page changes its descendants' URLs (and maybe their site)."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return 0
    ids = list(Page.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True))
    for pk in ids:
        do_index_page(pk)
    return len(ids)


def do_remove_from_index(keys):
    _touch(keys)
    get_engine().remove(keys)


def do_index_item(source_name, pk):
    """Re-read one item of a registered source (e.g. a published reply) and index or drop it."""
    source = documents.sources().get(source_name)
    if source is None:
        raise LookupError(f"unknown search source {source_name!r}")
    doc = source.get(pk)
    key = f"{source_name}:{pk}"
    _touch([key])
    if doc is None:
        get_engine().remove([key])
        return False
    get_engine().add([doc])
    return True


def do_rebuild_index(progress=None, engine=None):
    """Rebuild the whole index from the database (every site, every source) in one commit;
    readers keep the old index until the commit."""
    engine = engine or get_engine()
    return engine.rebuild(documents.iter_all_documents(), progress=progress)


def visitor_hash(request, now=None):
    """A salted hash of address and browser that changes every day: counts visitors, names
    nobody."""
    day = (now or timezone.now()).strftime("%Y-%m-%d")
    address = request.META.get("REMOTE_ADDR", "")
    agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    raw = f"{settings.SECRET_KEY}|search|{day}|{address}|{agent}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def do_log_search(outcome, request, channel="web", now=None):
    """One row per search (not for empty input). Returns the log entry."""
    if not outcome.query:
        return None
    params = outcome.params
    try:
        return SearchLog.objects.create(
            created_at=now or timezone.now(), site_key=params.site_key or "",
            query=outcome.query[:100], scope=params.scope,
            filters={k: v for k, v in params.filters.items() if not (
                k == "site" and params.scope == "site")},
            sort=params.sort, page=outcome.page, result_count=outcome.total, channel=channel,
            language=getattr(request, "LANGUAGE_CODE", "zh-hans")[:10],
            visitor=visitor_hash(request, now),
        )
    except Exception:  # logging must never cost the citizen their results
        logger.exception("could not log search")
        return None


@transaction.atomic
def do_record_click(log_id, key, position, now=None):
    """Note which result of a logged search was opened (the first click counts)."""
    updated = SearchLog.objects.filter(pk=log_id, clicked_at__isnull=True).update(
        clicked_key=key[:60], clicked_position=position, clicked_at=now or timezone.now())
    return bool(updated)


def do_prune_search_log(before: datetime):
    """Search logs are kept for analysis, not forever (default: 400 days, see scheduler)."""
    deleted, _ = SearchLog.objects.filter(created_at__lt=before).delete()
    return deleted
