"""Feeds (信息订阅): RSS 2.0 and Atom 1.0 per site and per column, with the latest items."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from . import pagecache

ITEMS = 20


def dated_bases():
    """The page models that define a publication time (`pub_date`), e.g. the library's item
    base: every news item, notice, policy and interpretation inherits from one of them."""
    from wagtail.models import get_page_models

    bases = []
    for model in get_page_models():
        try:
            field = model._meta.get_field("pub_date")
        except Exception:
            continue
        if field.model not in bases:
            bases.append(field.model)
    return bases


def _below(base, container):
    """Items of `base` below a site home or a column, read through the library's denormalised
    `home` / `column` links when the model has them (an index, not a scan of tree paths)."""
    from wagtail.models import Page

    fields = {f.name for f in base._meta.get_fields()}
    if container.depth == 2 and "home" in fields:
        return base.objects.filter(home_id=container.pk)
    if "column" in fields:
        # The column and its sub-columns; a path range (unlike LIKE) uses the path index.
        columns = [container.pk, *Page.objects.filter(
            path__gt=container.path, path__lt=container.path + "~", numchild__gt=0,
        ).values_list("pk", flat=True)]
        return base.objects.filter(column_id__in=columns)
    return base.objects.descendant_of(container)


def latest_items(container, limit=ITEMS):
    """The newest live, public dated items below a site home or a column, by publication time."""
    found = []
    for base in dated_bases():
        found += list(
            _below(base, container).live().public().order_by("-pub_date", "-pk")[:limit]
        )
    found.sort(key=lambda item: (item.pub_date, item.pk), reverse=True)
    return [item.specific for item in found[:limit]]


def _pub_date(item):
    return getattr(item, "pub_date", None) or item.first_published_at or item.last_published_at


class SiteRssFeed(Feed):
    """The latest items of a whole site, or of one column when a column id is given."""

    feed_type = Rss201rev2Feed

    def get_object(self, request, column_id=None):
        from govweb.library.models import ColumnPage

        site = getattr(request, "_wagtail_site", None)
        if site is None:
            raise Http404
        self.request = request
        self.site = site
        if column_id is None:
            container = site.root_page.specific
        else:
            container = (
                ColumnPage.objects.descendant_of(site.root_page).live().public()
                .filter(pk=column_id).first()
            )
            if container is None:
                raise Http404(_("栏目不存在"))
        pagecache.tag_response(request, {"g", f"site:{site.root_page.path}",
                                         *(f"p:{p}" for p in _paths(container))})
        return container

    def _profile(self):
        from govweb.cluster.models import SiteProfile

        return SiteProfile.objects.filter(site=self.site).first()

    def title(self, obj):
        profile = self._profile()
        name = profile.organisation if profile else self.site.site_name
        return name if obj.depth <= 2 else f"{obj.title} - {name}"

    def link(self, obj):
        return obj.get_full_url(self.request)

    def description(self, obj):
        text = getattr(obj, "description", "") or getattr(obj, "intro", "")
        return text or _("%(title)s 最新信息") % {"title": obj.title}

    subtitle = description

    def items(self, obj):
        return latest_items(obj)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return getattr(item, "summary", "") or item.search_description or item.title

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        # An aliased item is the same item everywhere: its source's address is its identity.
        source = item.alias_of.specific if item.alias_of_id else item
        return source.get_full_url(self.request) or self.item_link(item)

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return _pub_date(item)

    def item_updateddate(self, item):
        return item.last_published_at or _pub_date(item)

    def item_author_name(self, item):
        return getattr(item, "author", "") or getattr(item, "source", "") or None

    def item_categories(self, item):
        parent = item.get_parent()
        return [parent.title] if parent and parent.depth > 2 else []


class SiteAtomFeed(SiteRssFeed):
    feed_type = Atom1Feed


def _paths(page):
    return [page.path]


def rss(request, column_id=None):
    return SiteRssFeed()(request, column_id=column_id)


def atom(request, column_id=None):
    return SiteAtomFeed()(request, column_id=column_id)
