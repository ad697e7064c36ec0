"""Purge on publish (发布即更新): which cached pages a changed page invalidates, on every site.

A change to page P (published, unpublished, edited live, moved, deleted, alias updated) purges:
  * P itself and every ancestor below the tree root: its column listings and its site home;
  * every alias of P on other sites, with their ancestors (an item shown on several sites);
  * pages that reference P (Wagtail's reference index: an interpretation naming its policy);
  * the whole site (`site:` tag: header navigation) when P is the home or a column.
Each purge runs at once and again after the transaction commits, so a request that rendered
the old version in between is not kept.

Production topology: nginx keeps pages for `s-maxage` = GOVWEB_EDGE_CACHE_SECONDS (1 s) and
revalidates against the app (which answers 304 from its own cache, re-reading the purge clock
for every request from the edge); in addition, when GOVWEB_PURGE_URLS is set (comma separated,
e.g. `http://10.0.0.5:8080,http://10.0.0.6:8080`), each front node is asked to refresh the
changed page's URL and those of every page purged with it (columns, site homes, aliases on
other sites, pages referencing it) at once, cookie-less variant only (a GET with the
`X-Govweb-Refresh: 1` header, which docs/deploy/nginx-cache.conf maps to proxy_cache_bypass for
internal addresses only).
"""

import logging
import os
import threading
import urllib.request

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.encoding import iri_to_uri
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import pagecache

logger = logging.getLogger("govweb.pagecache")
STEP = 4  # treebeard path characters per level


def ancestor_paths(path):
    """Paths of a page and its ancestors down to the site home (depth 2)."""
    return [path[: STEP * depth] for depth in range(2, len(path) // STEP + 1)]


def tags_for_page(page, *, with_related=True):
    tags = {"cluster"}
    for path in ancestor_paths(page.path):
        tags.add(f"p:{path}")
    if page.depth <= 3 and page.depth >= 2:
        tags.add(f"site:{page.path[:8]}")
    if with_related and page.pk:
        for alias_path in Page.objects.filter(alias_of_id=page.pk).values_list("path", flat=True):
            tags.update(f"p:{p}" for p in ancestor_paths(alias_path))
        if page.alias_of_id:
            source = Page.objects.filter(pk=page.alias_of_id).values_list("path", flat=True).first()
            if source:
                tags.add(f"p:{source}")
        tags.update(_referencing_tags(page))
        tags.update(_translation_tags(page))
    return tags


def _translation_tags(page):
    """The page's other language versions: /en/<path> is cached under the Chinese page until
    its English version goes live (base/i18n), so a change to either purges both."""
    from .i18n import i18n_enabled

    if not i18n_enabled() or not getattr(page, "translation_key", None):
        return set()
    paths = (Page.objects.filter(translation_key=page.translation_key)
             .exclude(pk=page.pk).values_list("path", flat=True))
    return {f"p:{path}" for path in paths}


def _referencing_tags(page):
    try:
        from wagtail.models import ReferenceIndex
    except ImportError:  # pragma: no cover
        return set()
    page_ct = ReferenceIndex._get_base_content_type(Page)
    refs = ReferenceIndex.get_references_to(page).filter(base_content_type=page_ct)
    ids = {int(object_id) for object_id in refs.values_list("object_id", flat=True)[:200]}
    if not ids:
        return set()
    return {f"p:{path}" for path in Page.objects.filter(pk__in=ids).values_list("path", flat=True)}


def purge_page(page, *, with_related=True):
    """Invalidate every cached page that shows `page`, now and again on commit."""
    tags = tags_for_page(page, with_related=with_related)
    pagecache.purge_tags(tags)
    urls = _front_urls(page, tags)

    def after_commit():
        pagecache.purge_tags(tags)
        refresh_front_caches(urls)

    transaction.on_commit(after_commit)
    return tags


MAX_REFRESH_URLS = 50


def _front_urls(page, tags):
    """URLs of every page whose cache tag is purged (the page, its columns and site home, its
    aliases on other sites and theirs, pages referencing it): what the fronts refetch."""
    if not os.environ.get("GOVWEB_PURGE_URLS"):
        return []
    paths = {tag[2:] for tag in tags if tag.startswith("p:")} | {page.path}
    # Not page.get_url_parts(): it reverses the public URLconf, which the admin role (where
    # editors publish) does not load. A page's public URL is its url_path under its site root.
    roots = Site.get_site_root_paths()
    urls = []
    pages = (Page.objects.filter(path__in=paths, depth__gte=2).order_by("depth", "path")
             .values_list("url_path", flat=True))
    for url_path in pages[:MAX_REFRESH_URLS]:
        for root in roots:
            if url_path.startswith(root.root_path):
                urls.append(root.root_url.rstrip("/") + iri_to_uri("/" + url_path[len(root.root_path):]))
                break
    return urls


def refresh_front_caches(urls):
    """Ask each nginx front node to refetch the given page URLs (background, best effort)."""
    fronts = [u.strip().rstrip("/") for u in os.environ.get("GOVWEB_PURGE_URLS", "").split(",") if u.strip()]
    if not fronts or not urls:
        return

    def run():
        for front in fronts:
            for url in urls:
                scheme, _, rest = url.partition("://")
                host, _, path = rest.partition("/")
                request = urllib.request.Request(f"{front}/{path}", headers={
                    "Host": host, "X-Govweb-Refresh": "1", "X-Forwarded-Proto": scheme})
                try:
                    urllib.request.urlopen(request, timeout=3).read()
                except Exception as error:
                    logger.warning("front cache refresh %s via %s failed: %s", url, front, error)

    threading.Thread(target=run, name="govweb-purge", daemon=True).start()


@receiver(post_save)
def page_saved(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, Page):
        return
    purge_page(instance)


@receiver(post_delete)
def page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        purge_page(instance, with_related=False)


@receiver(page_published)
@receiver(page_unpublished)
def page_went_live_or_not(sender, instance, **kwargs):
    purge_page(instance)


@receiver(post_page_move)
def page_moved(sender, instance, **kwargs):
    # Every URL below the page changed: drop all cached pages (moves are rare).
    pagecache.purge_tags({"g"})


@receiver(post_save, sender="cluster.SiteProfile")
@receiver(post_save, sender="cluster.CityBrand")
@receiver(post_save, sender="wagtailcore.Site")
def chrome_changed(sender, **kwargs):
    # Header and footer (site name, filing numbers, banner mark) are on every page.
    pagecache.purge_tags({"g"})
