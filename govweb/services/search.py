"""Guides in the cluster search ("search is service"): an index source and an answer card.

Registered from AppConfig.ready() when the search app is installed. The index learns about
edited guides through the periodic job `services_search_sync` (every 10 minutes) and on a
full rebuild; the answer card reads the catalogue directly, so it is always current.
"""

import logging
import time

from django.utils import timezone

logger = logging.getLogger("govweb.services")
SOURCE = "service"
_last_sync = {"at": None}


def _guide_url(item):
    return f"{item.department.site.root_url}/banshi/shixiang/{item.code}/"


def _document(item):
    from govweb.search.documents import build_document

    from .queries import card_of

    card = card_of(item)
    facts = [{"label": label, "value": value} for label, value in (
        ("办理机构", card["department"]), ("办理时限", card["time_limit"]), ("收费", card["fee"]),
        ("办理地点", card["place"]), ("咨询电话", card["phone"])) if value]
    body = "\n".join(filter(None, [item.conditions, item.legal_basis,
                                   "、".join(m.name for m in item.materials.all()), item.notes]))
    return build_document(
        key=f"{SOURCE}:{item.pk}", url=_guide_url(item), title=item.name, body=body,
        type="service", site=item.department.site.root_page.slug,
        date=item.last_published_at or item.updated_at,
        summary=f"{item.get_kind_display()} · {card['department']}",
        keywords=f"{item.code} {' '.join(t.name for t in item.topics.all())}",
        meta={"card": {"description": card["department"], "facts": facts,
                       "apply_url": item.online_url}},
    )


def _items():
    from .models import ServiceItem

    return (ServiceItem.objects.filter(live=True)
            .select_related("department__site__root_page").prefetch_related("materials", "topics"))


def all_documents():
    for item in _items().iterator(chunk_size=200):
        yield _document(item)


def get_document(pk):
    item = _items().filter(pk=pk).first()
    return _document(item) if item else None


def card_provider(context):
    """A guide whose name holds the query (公积金提取, 营业执照) becomes a service card."""
    from govweb.cluster.models import SiteProfile
    from govweb.search.cards import Card

    from .queries import service_cards

    profile = SiteProfile.objects.filter(site__root_page__slug=context.site_key).first()
    cards = []
    for card in service_cards(context.query, limit=1, profile=profile):
        facts = [(label, card[key]) for label, key in (
            ("办理机构", "department"), ("办理时限", "time_limit"), ("收费", "fee"),
            ("办理地点", "place"), ("咨询电话", "phone")) if card[key]]
        cards.append(Card(kind="service", title=card["name"], url=card["guide_url"],
                          description=card["department"], facts=facts,
                          action_label="在线办理" if card["apply_url"] else "",
                          action_url=card["apply_url"], source=f"service:{card['code']}"))
    return cards


def sync_search_index():
    """Re-index guides changed since the last run (and drop unpublished ones)."""
    from govweb.search.actions import do_index_item

    from .models import ServiceItem

    since = _last_sync["at"]
    started = timezone.now()
    changed = ServiceItem.objects.all()
    if since is not None:
        changed = changed.filter(updated_at__gte=since)
    count = 0
    for pk in changed.values_list("pk", flat=True).iterator():
        do_index_item(SOURCE, pk)
        count += 1
    _last_sync["at"] = started
    return count


def register():
    try:
        from govweb.search import cards, documents
    except ImportError:  # search app not installed
        return
    documents.register_source(SOURCE, all_documents, get_document)
    cards.register(card_provider)
    from govweb.base.scheduler import PERIODIC_JOBS, PeriodicJob

    if not any(job.name == "services_search_sync" for job in PERIODIC_JOBS):
        PERIODIC_JOBS.append(PeriodicJob("services_search_sync", 600, sync_search_index,
                                         next_run=time.monotonic() + 60))
