"""Accessibility preferences (无障碍与长者模式): larger text, high contrast, elder mode.

The choice lives in one cookie, `govweb_a11y`, read on the server, so that it works without
JavaScript; the page cache keys on it (see `pagecache.cache_key`). Cookies cannot be shared
between the cluster's real domains (a `Domain=.gov.cn` cookie would reach every government site
of the country), so each site keeps its own cookie and links from one cluster site to another
carry the state through `/a11y/?set=…&next=…` on the target site (the header's parent-site
link server-side, every other cluster link through `static/govweb/js/a11y.js`).
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

COOKIE = "govweb_a11y"
MODES = ("large", "contrast", "elder")  # 大字 / 高对比度 / 长者模式
COOKIE_MAX_AGE = 365 * 24 * 3600


def parse(value):
    """The set of known modes in a cookie or query value such as "elder.contrast"."""
    if not value:
        return frozenset()
    return frozenset(part for part in value.replace(",", ".").split(".") if part in MODES)


def serialise(modes):
    return ".".join(mode for mode in MODES if mode in modes)


def modes_of(request):
    modes = getattr(request, "_govweb_a11y", None)
    if modes is None:
        modes = parse(request.COOKIES.get(COOKIE, "")[:40])
        request._govweb_a11y = modes
    return modes


def cache_token(request):
    return serialise(modes_of(request))


class State:
    """What templates need: flags, body classes and the serialised value."""

    def __init__(self, modes):
        self.modes = modes
        self.large = "large" in modes
        self.contrast = "contrast" in modes
        self.elder = "elder" in modes
        self.token = serialise(modes)
        self.classes = " ".join(f"a11y-{mode}" for mode in MODES if mode in modes)


def state(request):
    return State(modes_of(request) if request is not None else frozenset())


def _safe_next(request, target):
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) and target.startswith("/"):
        return target
    return "/"


@never_cache
def toggle(request):
    """GET /a11y/?toggle=<mode>|set=<modes>|reset=1&next=<path>: store the choice, go back.

    A GET form so that it works without JavaScript and carries no CSRF token (the choice is a
    harmless display preference, never personal data).
    """
    modes = set(modes_of(request))
    if request.GET.get("reset"):
        modes = set()
    elif "set" in request.GET:
        modes = set(parse(request.GET["set"][:40]))
    else:
        mode = request.GET.get("toggle", "")
        if mode in MODES:
            modes ^= {mode}
    response = HttpResponseRedirect(_safe_next(request, request.GET.get("next", "/")[:2000]))
    value = serialise(modes)
    if value:
        response.set_cookie(COOKIE, value, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            secure=settings.GOVWEB_TLS, httponly=False)
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
