"""Page chrome (页面框架): what every public page shows around its content.

The site profile (header name, footer filing numbers, meta tags), the city brand (banner mark)
and the menu columns are the same on every page of a site, yet cost about fifteen queries to
build — more than most pages' own content. They are built once per site and language and kept
in this process, valid while the page cache's generations of the site are unchanged:

  * `g`               bumped by any change to a profile, the city brand or a Site (purge.py),
                      and by `pagecache.clear()`;
  * `site:<home>`     bumped when the home page or a column changes (a renamed or new column);
  * `p:<home>`        bumped by any publish on the site (a column that had no items gets one).

So the check per request is one `get_many` on the shared cache store — the same store and the
same purge signals as the page cache, so a publish shows in the header exactly when it shows in
the page, on every process.
"""

import threading
from dataclasses import dataclass

from django.utils import translation

from . import pagecache

# Column kinds whose page is the service itself (not a list of items), shown even when empty.
ALWAYS_SHOWN_KINDS = {"link", "service", "interaction"}


@dataclass(frozen=True)
class NavColumn:
    """A menu column (导航栏目) as the header shows it."""

    pk: int
    title: str
    url: str


@dataclass(frozen=True)
class Chrome:
    profile: object
    brand: object
    columns: tuple


_lock = threading.Lock()
_built = {}  # (site pk, language) -> (generations, Chrome)


def _tags(site):
    root = site.root_page.path if site.root_page_id else ""
    return ("g", f"site:{root}", f"p:{root}")


def _current_generations(tags):
    shared = pagecache.store()
    keys = [pagecache.GEN + tag for tag in tags]
    current = shared.get_many(keys)
    for key in keys:
        if key not in current:
            # A generation nobody has purged yet: fix one, so later purges are noticed.
            shared.add(key, pagecache._token(), None)
            current[key] = shared.get(key)
    return tuple(current[key] for key in keys)


def for_site(site, request=None):
    """The chrome of `site` in the active language (built at most once per generation)."""
    key = (site.pk, translation.get_language() or "")
    generations = _current_generations(_tags(site))
    built = _built.get(key)
    if built is not None and built[0] == generations:
        return built[1]
    chrome = build(site, request)
    with _lock:
        _built[key] = (generations, chrome)
    return chrome


def build(site, request=None):
    from wagtail.models import Page

    from govweb.cluster.models import CityBrand, SiteProfile
    from govweb.library.models import ColumnPage

    profile = SiteProfile.objects.filter(site=site).select_related("site", "parent__site").first()
    brand = CityBrand.load(request_or_site=site)
    columns = []
    candidates = (
        ColumnPage.objects.child_of(site.root_page).live().public().in_menu()
        .only("id", "title", "url_path", "path", "depth", "kind")
    )
    for column in candidates:
        # No empty column is ever shown (national page rules).
        if column.kind in ALWAYS_SHOWN_KINDS or Page.objects.descendant_of(column).live().exists():
            url = column.get_url(request=request, current_site=site)
            if url:
                columns.append(NavColumn(pk=column.pk, title=column.title, url=url))
    return Chrome(profile=profile, brand=brand, columns=tuple(columns))


def forget():
    """Drop what this process built (tests; generations make it unnecessary otherwise)."""
    with _lock:
        _built.clear()
