"""Template tags: export links in the admin, "popular" and "related" blocks on public pages.

Public use (front templates):
    {% load analytics_tags %}
    {% popular_pages %}                  most read this week on the current site
    {% related_pages page %}             read together with this page
Both read the daily aggregates and are cached for 10 minutes.
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


def _site_root_url(context):
    request = context.get("request")
    site = getattr(request, "_wagtail_site", None) if request else None
    return site


@register.inclusion_tag("analytics/popular.html", takes_context=True)
def popular_pages(context, limit=8, days=7):
    site = _site_root_url(context)
    items = []
    if site is not None:
        today = timezone.localdate()
        items = _cached(f"analytics:popular:{site.pk}:{today}:{days}:{limit}",
                        lambda: queries.popular_pages(site.pk, today, days=days, limit=limit))
    return {"items": items, "heading": _("本周热点")}


@register.inclusion_tag("analytics/related.html", takes_context=True)
def related_pages(context, page, limit=6):
    site = _site_root_url(context)
    items = []
    if site is not None and page is not None and getattr(page, "pk", None):
        today = timezone.localdate()
        items = _cached(f"analytics:related:{site.pk}:{page.pk}:{today}:{limit}",
                        lambda: queries.related_pages(site.pk, page.pk, today, limit=limit))
    return {"items": items, "heading": _("看过本文的人还看了")}
