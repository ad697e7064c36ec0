"""Access logging on the public role (访问日志): one structured record per request."""

import time

from django.conf import settings
from django.utils import timezone

from . import conf, logwriter
from .records import client_ip, referrer_domain, ua_class, visitor_hash

SEARCH_PARAMS = ("q", "keyword", "keywords")


class AccessLogMiddleware:
    """Appends one record per public request: time, site, path, page id, status, bytes, server
    time, daily visitor hash, user-agent class, referrer domain and search query.

    Runs after RoleHostMiddleware (so the site is known) and before the page cache (so cached
    pages are counted too). Writing happens on a background thread (logwriter).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.GOVWEB_ROLE != "public" or not conf.app_log_enabled():
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        try:
            self._log(request, response, (time.perf_counter() - started) * 1000)
        except Exception:  # analytics must never break a page
            logwriter.logger.exception("access record failed")
        return response

    def _log(self, request, response, elapsed_ms):
        site = getattr(request, "_wagtail_site", None)
        if site is None:
            return  # unknown host: nothing of the cluster was served
        now = timezone.localtime()
        day = now.date().isoformat()
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:500]
        if response.streaming:
            size = int(response.get("Content-Length") or 0)
        else:
            size = len(response.content)
        query = None
        for name in SEARCH_PARAMS:
            if request.GET.get(name):
                query = request.GET[name].strip()[:100] or None
                break
        logwriter.submit({
            "ts": now.replace(tzinfo=None).isoformat(timespec="milliseconds"),
            "site": site.pk,
            "path": request.path[:500],
            "page": getattr(request, "_analytics_page_id", None),
            "status": response.status_code,
            "bytes": size,
            "ms": round(elapsed_ms, 1),
            "visitor": visitor_hash(day, client_ip(request), user_agent),
            "ua": ua_class(user_agent),
            "ref": referrer_domain(request.META.get("HTTP_REFERER")),
            "q": query,
        })
