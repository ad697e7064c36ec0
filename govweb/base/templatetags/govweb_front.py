"""Template tags of the public front: accessibility state, language switch, canonical URLs."""

from django import template
from django.urls import translate_url
from django.utils.translation import get_language

from govweb.base import a11y, hosts

register = template.Library()


@register.simple_tag(takes_context=True)
def a11y_state(context):
    return a11y.state(context.get("request"))


@register.simple_tag(takes_context=True)
def language_url(context, language):
    """This page in another language: `/en/…` for English, the unprefixed path for Chinese."""
    request = context.get("request")
    if request is None:
        return "/" if language != "en" else "/en/"
    path = request.path
    translated = translate_url(path, language)
    if translated == path and language != (get_language() or ""):
        return "/en/" if language == "en" else "/"
    return translated


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's own address; for an aliased item, its source's (R2.3: published once)."""
    page = context.get("page")
    request = context.get("request")
    if page is not None and getattr(page, "pk", None):
        source = page.alias_of if getattr(page, "alias_of_id", None) else page
        url = source.get_full_url(request)
        if url:
            return url
    return request.build_absolute_uri(request.path) if request else ""


@register.simple_tag(takes_context=True)
def cluster_link(context, url):
    """A link to another cluster site that carries the accessibility choice over to it."""
    request = context.get("request")
    modes = a11y.cache_token(request) if request else ""
    if not modes or not url:
        return url
    root = url.rstrip("/")
    return f"{root}/a11y/?set={modes}&next=/"


@register.simple_tag
def cluster_hosts():
    """Host names of every cluster site (for the script that carries preferences across)."""
    hosts.site_for_host("localhost")  # refresh the host table when stale
    return " ".join(sorted(hosts._cache["hosts"]))


@register.simple_tag(takes_context=True)
def nav_columns(context):
    """Menu columns of the site, without empty ones (built and cached by base/chrome.py)."""
    return context.get("site_nav_columns") or ()


@register.filter
def pubdate(value):
    """Dates on the front are always shown as YYYY-MM-DD HH:MM (national page rules)."""
    from django.utils import timezone

    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


@register.simple_tag(takes_context=True)
def page_type(context):
    """The page's model name (for styles and tests), or the template's role for other views."""
    page = context.get("page")
    if page is not None and hasattr(page, "_meta"):
        return page._meta.model_name
    return "error" if context.get("unknown_site") or context.get("exception") else "view"
