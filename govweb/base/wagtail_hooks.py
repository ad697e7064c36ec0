"""Wagtail wiring of the public front: tag served pages for the page cache."""

from wagtail import hooks

from . import pagecache


@hooks.register("before_serve_page")
def tag_page_for_cache(page, request, serve_args, serve_kwargs):
    # Pages that show data other than pages (forms, live counters) opt out with
    # `pagecache_exempt = True`; restricted pages are never shared.
    if getattr(page, "pagecache_exempt", False):
        return None
    if page.get_view_restrictions().exists():
        return None
    pagecache.tag_response(request, pagecache.page_tags(page))
    return None
