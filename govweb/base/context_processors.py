from django.conf import settings

from govweb.cluster.models import CityBrand, SiteProfile


def _nav_columns(site):
    if site is None:
        return []
    columns = getattr(site, "_govweb_nav", None)
    if columns is None:
        from govweb.library.models import ColumnPage

        columns = list(
            ColumnPage.objects.child_of(site.root_page).live().public().in_menu()
            .only("id", "title", "url_path", "path", "depth")
        )
        site._govweb_nav = columns
    return columns


def site_context(request):
    """The current site's profile and the city brand, for header, footer and meta tags."""
    site = getattr(request, "_wagtail_site", None)
    profile = None
    if site is not None:
        profile = getattr(site, "_govweb_profile", None)
        if profile is None:
            profile = SiteProfile.objects.filter(site=site).select_related("site", "parent").first()
            site._govweb_profile = profile
    return {
        "site_profile": profile,
        "site_nav_columns": _nav_columns(site),
        "city_brand": CityBrand.load(request_or_site=request),
        "govweb_role": settings.GOVWEB_ROLE,
    }
