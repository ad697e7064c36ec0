"""Reads of the disclosure app: the taxonomies and the disclosure catalogue (公开目录)."""

from urllib.parse import urlencode

from django.db.models import Max, Min

from .models import Genre, TopicCategory


def topic_tree():
    """[(top-level topic, [its sub-topics])] in code order."""
    topics = list(TopicCategory.objects.select_related("parent").order_by("code"))
    children = {}
    for topic in topics:
        if topic.parent_id:
            children.setdefault(topic.parent_id, []).append(topic)
    return [(t, children.get(t.pk, [])) for t in topics if not t.parent_id]


def topic_by_path(value):
    """A topic from its code ("0103") or its path ("综合政务\\政务公开" or "综合政务/政务公开")."""
    value = (value or "").strip()
    if not value:
        return None
    topic = TopicCategory.objects.filter(code=value).select_related("parent").first()
    if topic:
        return topic
    parts = [p.strip() for p in value.replace("/", "\\").split("\\") if p.strip()]
    if len(parts) == 1:
        return TopicCategory.objects.filter(name=parts[0], parent__isnull=True).first()
    if len(parts) == 2:
        return TopicCategory.objects.filter(name=parts[1], parent__name=parts[0]).first()
    return None


def catalogue_filters(params):
    """The catalogue's filters from a query string; anything malformed is ignored."""
    filters = {}
    topic = (params.get("topic") or "").strip()
    if topic.isdigit() and len(topic) in (2, 4):
        filters["topic"] = topic
    genre = (params.get("genre") or "").strip()
    if genre.isdigit() and len(genre) <= 8:
        filters["genre"] = genre
    year = (params.get("year") or "").strip()
    if year.isdigit() and len(year) == 4:
        filters["year"] = int(year)
    body = (params.get("body") or "").strip()
    if body:
        filters["body"] = body[:100]
    return filters


def filter_querystring(filters):
    return urlencode({k: v for k, v in filters.items()})


def _policies(site_root):
    from govweb.library.models import PolicyDocumentPage

    return PolicyDocumentPage.objects.filter(home_id=site_root.pk).live().public()


def catalogue_items(site_root, filters):
    """The site's live policy documents matching the filters, newest first."""
    items = _policies(site_root)
    topic = filters.get("topic")
    if topic:
        # A top-level code covers its sub-topics too.
        items = items.filter(topic__code__startswith=topic) if len(topic) == 2 else \
            items.filter(topic__code=topic)
    if filters.get("genre"):
        items = items.filter(genre__code=filters["genre"])
    if filters.get("year"):
        items = items.filter(pub_date__year=filters["year"])
    if filters.get("body"):
        items = items.filter(issuing_body=filters["body"])
    return (items.select_related("topic__parent", "genre")
            .only("id", "title", "url_path", "path", "depth", "pub_date", "index_number",
                  "document_number", "issuing_body", "validity", "topic", "genre",
                  "written_on")
            .order_by("-pub_date", "-pk"))


def catalogue_years(site_root):
    """Years from the newest to the oldest publication (two index lookups, no full scan)."""
    from django.utils import timezone

    span = _policies(site_root).aggregate(first=Min("pub_date"), last=Max("pub_date"))
    if not span["first"]:
        return []
    first, last = (timezone.localtime(span[k]).year for k in ("first", "last"))
    return list(range(last, first - 1, -1))


def catalogue_issuing_bodies(site_root):
    return list(_policies(site_root).exclude(issuing_body="")
                .values_list("issuing_body", flat=True).distinct().order_by("issuing_body")[:50])


def catalogue_choices(site_root, ttl=300):
    """Years and issuing bodies offered by a site's catalogue, cached for a few minutes: both
    scan every policy of the site, and neither needs to be exact to the second."""
    from django.core.cache import cache

    key = f"disclosure:catalogue-choices:{site_root.pk}"
    choices = cache.get(key)
    if choices is None:
        choices = {"years": catalogue_years(site_root),
                   "issuing_bodies": catalogue_issuing_bodies(site_root)}
        cache.set(key, choices, ttl)
    return choices


def genres():
    return Genre.objects.all()
