"""Template tags: export links in the admin, "popular" and "related" blocks on public pages.

Public use (front templates):
    {% load analytics_tags %}
    {% popular_pages %}                  most read this week on the current site
    {% related_pages page %}             read together with this page
Popular reads the daily aggregates (cached 10 minutes); related reads RelatedReading, which the
daily job rebuilds from them.
"""

from django import template
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .. import queries

register = template.Library()
CACHE_SECONDS = 600


@register.simple_tag
def export_link(table, querystring=""):
    separator = "&" if querystring else ""
    return format_html('<a class="analytics-export" href="?{}{}export={}">{}</a>',
                       querystring, separator, table, _("导出XLSX"))


def _cached(key, compute):
    value = cache.get(key)
    if value is None:
        try:
            value = compute()
        except Exception:  # no analytics yet must never break a public page
            value = []
        cache.set(key, value, CACHE_SECONDS)
    return value


def _live_links(request, rows):
    """The aggregates' pages that are still live and public, in the aggregates' order, with
    their current title and address: an item unpublished since the last ingest never shows.
    One indexed query per render; the DuckDB part is what is cached. The cached page that
    shows the block is tagged with each linked page, so editing or unpublishing one of them
    purges it too."""
    from wagtail.models import Page

    from govweb.base import pagecache

    ids = [row["page_id"] for row in rows]
    if not ids:
        return []
    pages = {page.pk: page for page in Page.objects.live().public().filter(pk__in=ids)}
    links = []
    for pk in ids:
        page = pages.get(pk)
        url = page.get_url(request) if page is not None else None
        if url:
            links.append({"title": page.title, "url": url})
    # Only a page already opted in to the cache gets the extra tags (never opt one in here).
    if pages and getattr(request, "_pagecache_tags", None):
        pagecache.tag_response(request, {f"p:{page.path}" for page in pages.values()})
    return links


def _site(context):
    request = context.get("request")
    return request, getattr(request, "_wagtail_site", None) if request else None


@register.inclusion_tag("analytics/popular.html", takes_context=True)
def popular_pages(context, limit=8, days=7):
    """本周热点: the site's most read items of the last `days` days."""
    request, site = _site(context)
    items = []
    if site is not None:
        today = timezone.localdate()
        rows = _cached(f"analytics:popular:{site.pk}:{today}:{days}:{limit}",
                       lambda: queries.popular_pages(site.pk, today, days=days, limit=limit))
        items = _live_links(request, rows)
    return {"items": items, "heading": _("本周热点")}


@register.inclusion_tag("analytics/related.html", takes_context=True)
def related_pages(context, page, limit=6):
    """看过本文的人还看了: items the same readers read on the same days (RelatedReading, rebuilt
    daily from the aggregates: one indexed query, no DuckDB on a page view)."""
    from ..models import RelatedReading

    request, site = _site(context)
    items = []
    if site is not None and page is not None and getattr(page, "pk", None):
        related = RelatedReading.objects.filter(page_id=page.pk, site_id=site.pk).values_list(
            "related", flat=True).first() or []
        items = _live_links(request, [{"page_id": pk} for pk in related[:limit]])
    return {"items": items, "heading": _("看过本文的人还看了")}
