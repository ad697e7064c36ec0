"""English versions of pages (Wagtail locales): which locale is the source, how /en/ finds a
page, and how links keep the reader in English.

The Chinese tree is the site. An editor may give any page an English version (Wagtail's
"Translate", wagtail.contrib.simple_translation); it lives in the site's English tree, a
sibling of the Chinese home. On /en/… a reader gets the page's live English version where one
exists and otherwise the Chinese page with the English interface, so every address of the
site works in both languages and links on English pages stay under /en/.
"""

from functools import cache

from django.conf import settings
from django.http import Http404
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page


@cache
def default_locale_id():
    """The source language's Locale (zh-hans): fixed for the life of a deployment."""
    return Locale.get_default().pk


@cache
def _locale_id(language_code):
    return Locale.objects.get_for_language(language_code).pk


def active_locale_id():
    """The Locale of the language being served (no query after the first)."""
    try:
        return _locale_id(get_supported_content_language_variant(translation.get_language()))
    except (LookupError, Locale.DoesNotExist):
        return default_locale_id()


def i18n_enabled():
    return getattr(settings, "WAGTAIL_I18N_ENABLED", False)


def is_translation(page):
    """True for an English (or other non-source) version of a page."""
    return i18n_enabled() and page.locale_id is not None and page.locale_id != default_locale_id()


def source_of(page):
    """The Chinese page a translation was made from (the page itself if it is one)."""
    if not is_translation(page):
        return page
    return page.get_translation_or_none(default_locale_id()) or page


def reader_version(page):
    """The version of `page` a reader of the active language should see: its live translation
    in that language when there is one, else the page itself."""
    if not i18n_enabled() or page is None:
        return page
    active = active_locale_id()
    if active == page.locale_id:
        return page
    translated = page.get_translation_or_none(active)
    if translated is not None and translated.live:
        return translated.specific
    return page


def show_reader_titles(items):
    """On /en/…: listed Chinese items take their live English version's title (one query for
    the whole listing); their links already lead to that version. Returns `items`."""
    if not i18n_enabled() or not items:
        return items
    active = active_locale_id()
    if active == default_locale_id():
        return items
    keys = [item.translation_key for item in items]
    titles = dict(Page.objects.filter(translation_key__in=keys, locale_id=active, live=True)
                  .values_list("translation_key", "title"))
    for item in items:
        if item.translation_key in titles:
            item.title = titles[item.translation_key]
    return items


def route_site(home, request, path_components):
    """Route a request from a site home (SiteHomePage.route).

    Wagtail starts at the home of the active language (the English home on /en/ once one
    exists). We route through the Chinese tree, which holds every page, then swap in the live
    English version; an English page whose slug was changed is still found in the English tree.
    """
    default_id = default_locale_id()
    if home.locale_id != default_id:
        source = home.get_translation_or_none(default_id)
        if source is None:
            return Page.route(home, request, path_components)
        return source.specific.route(request, path_components)
    try:
        page, args, kwargs = Page.route(home, request, path_components)
    except Http404:
        active = active_locale_id()
        translated_home = home.get_translation_or_none(active) if active != default_id else None
        if translated_home is None:
            raise
        return Page.route(translated_home.specific, request, path_components)
    return reader_version(page), args, kwargs


class KeepLanguageUrlMixin:
    """Links to a Chinese page drawn on an English page go to /en/…: the page is still served
    there (in English if it has an English version). Wagtail would otherwise send the reader to
    the page's own language, since the page is in Chinese."""

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request=request)
        if not parts or parts[2] is None or not i18n_enabled():
            return parts
        # The language first: on Chinese pages nothing else is read (listings load their items
        # with few fields; touching a deferred one would cost a query per link).
        language = translation.get_language() or ""
        if language in ("", settings.LANGUAGE_CODE) or not any(
                code == language for code, _name in settings.LANGUAGES):
            return parts
        if is_translation(self):
            return parts
        site_id, root_url, page_path = parts
        return site_id, root_url, f"/{language}{page_path}"
