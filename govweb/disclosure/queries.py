"""Reads of the disclosure app: the taxonomies and the disclosure catalogue (公开目录)."""

import hashlib
from urllib.parse import urlencode

from django.db.models import Max, Min
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

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


def topic_ids(code):
    """Ids of the topic with this code and, for a top-level code, of its sub-topics."""
    codes = terms()["topic_code"]
    return [pk for topic_code, pk in codes.items()
            if topic_code == code or (len(code) == 2 and topic_code.startswith(code))]


def catalogue_items(site_root, filters):
    """The site's live policy documents matching the filters, newest first."""
    items = _policies(site_root)
    topic = filters.get("topic")
    if topic:
        # A top-level code covers its sub-topics too. Resolved to ids first (a small table),
        # so the (home, topic, date) index serves the filter.
        items = items.filter(topic_id__in=topic_ids(topic))
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


class CatalogueListing:
    """The catalogue's matching documents as a sequence for Django's Paginator, with the count
    kept until something on the site is published (library.queries.cached_count)."""

    def __init__(self, site_root, filters):
        self.site_root = site_root
        self.filters = filters
        self.items = catalogue_items(site_root, filters)

    def count(self):
        from govweb.library.queries import cached_count

        digest = hashlib.sha1(filter_querystring(self.filters).encode()).hexdigest()[:16]
        key = f"catalogue:{self.site_root.pk}:{digest}"
        return cached_count(self.items, self.site_root.path, key)

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        return self.items[key]


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


TERMS_KEY = "disclosure:terms"


def terms():
    """The shared taxonomies as plain data: {"topic": {id: "一级\\二级"}, "topic_code": {code: id},
    "genre": {id: name}, "audience": {id: name}, "topic_tree": [(code, name, [(code, name), …]),
    …], "genres": [(code, name), …]}.

    They are small and change rarely, while every policy page shows three terms and the
    catalogue offers them all: read once, kept in the cache, dropped on any change (apps.py)."""
    from django.core.cache import cache

    from .models import Audience

    data = cache.get(TERMS_KEY)
    if data is None:
        data = {
            "topic": {t.pk: t.full_name for t in TopicCategory.objects.all()},
            "topic_code": dict(TopicCategory.objects.values_list("code", "id")),
            "genre": dict(Genre.objects.values_list("id", "name")),
            "audience": dict(Audience.objects.values_list("id", "name")),
            "topic_tree": [(top.code, top.name, [(sub.code, sub.name) for sub in subs])
                           for top, subs in topic_tree()],
            "genres": list(Genre.objects.order_by("code").values_list("code", "name")),
        }
        cache.set(TERMS_KEY, data, 3600)
    return data


def forget_terms(**kwargs):
    from django.core.cache import cache

    cache.delete(TERMS_KEY)


def _options(choices, selected):
    """<option>s for a select box, built here: a template loop over ~200 topics costs more
    than the rest of the catalogue page."""
    return format_html_join("", "<option value=\"{}\"{}>{}</option>", (
        (value, mark_safe(" selected") if str(value) == str(selected) else "", label)
        for value, label in choices))


def catalogue_options(filters, issuing_bodies, years):
    """The filter form's options (topic, genre, issuing body, year), current choice selected."""
    data = terms()
    topics = []
    for code, name, subs in data["topic_tree"]:
        topics.append((code, name))
        topics.extend((sub_code, f"\u3000{name}\\{sub_name}") for sub_code, sub_name in subs)
    return {
        "topic_options": _options(topics, filters.get("topic", "")),
        "genre_options": _options(data["genres"], filters.get("genre", "")),
        "body_options": _options([(b, b) for b in issuing_bodies], filters.get("body", "")),
        "year_options": _options([(y, y) for y in years], filters.get("year", "")),
    }
