from django.conf import settings

from . import chrome as page_chrome


def site_context(request):
    """The current site's profile, menu columns and the city brand, for header, footer and meta."""
    site = getattr(request, "_wagtail_site", None)
    if site is None:
        from govweb.cluster.models import CityBrand

        return {
            "site_profile": None,
            "site_nav_columns": (),
            "city_brand": CityBrand.load(request_or_site=request),
            "govweb_role": settings.GOVWEB_ROLE,
        }
    chrome = getattr(request, "_govweb_chrome", None)
    if chrome is None:
        chrome = page_chrome.for_site(site, request)
        request._govweb_chrome = chrome
    return {
        "site_profile": chrome.profile,
        "site_nav_columns": chrome.columns,
        "city_brand": chrome.brand,
        "govweb_role": settings.GOVWEB_ROLE,
    }
