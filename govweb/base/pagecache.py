"""Page cache (页面缓存) of the public front: anonymous pages from cache, purged by tags on publish.

How it works
  * Only responses that were *tagged* are cached: every Wagtail page (tagged by the
    `before_serve_page` hook in `wagtail_hooks.py`) and views that opt in with `tag_response()`
    (feeds, sitemap, robots). Other apps' views are never cached behind their back.
  * The key is (host, path, normalised query, accessibility mode). The language is part of the
    path (`/en/…`), so no Vary on Accept-Language or cookies is needed.
  * Tags are tree paths: a page is tagged `p:<its path>`, every page of a site `site:<home
    path>`, everything `g`. Each tag has a *generation* token in the shared cache; an entry
    stores the generations it was rendered under and is valid while they are unchanged.
    Purging a page bumps the generations of the page and of its ancestors (column listings,
    the site home) — O(depth), no scan of the cache — see `purge.py`.
  * A small in-process tier (L1) answers hot pages without any I/O; a shared "clock" bumped by
    every purge is re-read at most every `GOVWEB_PAGE_CACHE_L1_SECONDS` (0.5 s), so another
    process's purge is seen within that time; a purge in this process clears L1 at once.
  * Conditional GET: every cached response carries an ETag and Last-Modified and a matching
    If-None-Match / If-Modified-Since is answered 304.
  * Never cached: non-GET/HEAD, requests carrying a session cookie, responses that are not 200,
    that set a cookie (CSRF tokens, sessions), vary on Cookie, or say private/no-store.

Configuration (environment):
  GOVWEB_PAGE_CACHE=0              switch the cache off
  GOVWEB_PAGE_CACHE_SECONDS=600    safety-net lifetime of an entry
  GOVWEB_EDGE_CACHE_SECONDS=1      how long nginx in front may keep a page (X-Accel-Expires)
  GOVWEB_PAGE_CACHE_L1_SECONDS=0.5 how often a process re-reads the purge clock
"""

import hashlib
import os
import threading
import time
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import InvalidCacheBackendError
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from . import a11y

ENTRY = "pc:e:"
GEN = "pc:g:"
CLOCK = "pc:clock"
MAX_QUERY_LENGTH = 512
MAX_QUERY_PARAMS = 8
MAX_BODY = 2 * 1024 * 1024
L1_SIZE = 256
# Response headers kept with an entry (the outer middlewares add the security headers again).
KEPT_HEADERS = {
    "content-type", "content-language", "content-security-policy", "x-frame-options",
    "link", "x-robots-tag", "cross-origin-opener-policy", "referrer-policy",
    "x-content-type-options",
}


def _env_float(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def enabled():
    return getattr(settings, "GOVWEB_PAGE_CACHE", os.environ.get("GOVWEB_PAGE_CACHE", "1") != "0")


def ttl():
    return int(_env_float("GOVWEB_PAGE_CACHE_SECONDS", 600))


def store():
    try:
        return caches["pagecache"]
    except InvalidCacheBackendError:
        return caches["default"]


def _token():
    return os.urandom(6).hex()


# --- tags -------------------------------------------------------------------------------------

def page_tags(page):
    """Tags of a served page: itself, its site, everything."""
    tags = {"g", f"p:{page.path}"}
    if page.depth >= 2:
        tags.add(f"site:{page.path[:8]}")
    tags.update(getattr(page, "cache_tags", lambda: ())())
    return tags


def site_tags(site, *, content=True):
    """Tags for a site-wide view (feed, sitemap): purged by any change on the site."""
    root_path = site.root_page.path if site else ""
    tags = {"g", f"site:{root_path}"}
    if content:
        tags.add(f"p:{root_path}")
    return tags


def tag_response(request, tags):
    """Let a view opt in to the page cache with the tags that should purge its response."""
    request._pagecache_tags = set(tags) | getattr(request, "_pagecache_tags", set())


# --- in-process tier --------------------------------------------------------------------------

class _Local:
    def __init__(self):
        self.lock = threading.Lock()
        self.entries = OrderedDict()
        self.clock = None
        self.read_at = 0.0

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.read_at = 0.0

    def check_clock(self, shared):
        now = time.monotonic()
        if now - self.read_at < _env_float("GOVWEB_PAGE_CACHE_L1_SECONDS", 0.5):
            return
        clock = shared.get(CLOCK)
        with self.lock:
            if clock != self.clock:
                self.entries.clear()
                self.clock = clock
            self.read_at = now

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                if entry["expires"] < time.time():
                    del self.entries[key]
                    return None
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > L1_SIZE:
                self.entries.popitem(last=False)


_local = _Local()


def clear():
    """Forget every cached page (tests, `govweb demo`)."""
    _local.clear()
    shared = store()
    shared.set(CLOCK, _token(), None)
    # Bumping "g" invalidates every entry without scanning the store.
    shared.set(GEN + "g", _token(), None)


def purge_tags(tags):
    """Invalidate every entry carrying one of the tags, in every process (≤ L1 interval)."""
    tags = set(tags)
    if not tags:
        return
    shared = store()
    shared.set_many({GEN + tag: _token() for tag in tags}, None)
    shared.set(CLOCK, _token(), None)
    _local.clear()


# --- keys and entries -------------------------------------------------------------------------

def normalised_query(request):
    """Sorted query string, or None when it is too long or wide to be worth a cache entry."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return ""
    if len(raw) > MAX_QUERY_LENGTH:
        return None
    params = parse_qsl(raw, keep_blank_values=True)
    if len(params) > MAX_QUERY_PARAMS:
        return None
    return urlencode(sorted(params))


def cache_key(request, query):
    mode = a11y.cache_token(request)
    raw = "\n".join([request.get_host().lower(), request.path, query, mode])
    return ENTRY + hashlib.sha1(raw.encode("utf-8", "surrogateescape")).hexdigest()


def _lookup(shared, key):
    entry = _local.get(key)
    if entry is not None:
        return entry
    entry = shared.get(key)
    if entry is None:
        return None
    current = shared.get_many([GEN + tag for tag in entry["tags"]])
    for tag, generation in entry["tags"].items():
        if current.get(GEN + tag) != generation:
            return None
    _local.put(key, entry)
    return entry


def _generations(shared, tags):
    keys = [GEN + tag for tag in tags]
    current = shared.get_many(keys)
    missing = [k for k in keys if k not in current]
    if missing:
        for k in missing:
            shared.add(k, _token(), None)
        current.update(shared.get_many(missing))
    return {tag: current.get(GEN + tag) for tag in tags}


def _not_modified(request, entry):
    etag = entry["etag"]
    inm = request.META.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        candidates = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return etag in candidates or "*" in candidates
    ims = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if ims:
        since = parse_http_date_safe(ims)
        return since is not None and int(entry["last_modified"]) <= since
    return False


def _validators(entry):
    return {
        "ETag": entry["etag"],
        "Last-Modified": http_date(entry["last_modified"]),
        "Cache-Control": "public, max-age=0, must-revalidate",
        "X-Accel-Expires": str(int(_env_float("GOVWEB_EDGE_CACHE_SECONDS", 1))),
    }


def _respond(request, entry, state):
    if _not_modified(request, entry):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(b"" if request.method == "HEAD" else entry["content"],
                                status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        if request.method == "HEAD":
            response["Content-Length"] = str(len(entry["content"]))
    for name, value in _validators(entry).items():
        response[name] = value
    response["X-Cache"] = state
    return response


def _cacheable_request(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.GOVWEB_ROLE != "public" or not enabled():
        return False
    if getattr(request, "_wagtail_site", None) is None:
        return False
    # A session means somebody is known to the site (a password-protected page, a form in
    # progress): never share what they see.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _cacheable_response(request, response):
    if response.status_code != 200 or response.streaming:
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    vary = response.get("Vary", "").lower()
    if "cookie" in vary or "*" in vary:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return False
    return len(response.content) <= MAX_BODY


class PageCacheMiddleware:
    """Serves anonymous public pages from the purgeable page cache (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        query = normalised_query(request)
        if query is None:
            return self.get_response(request)
        shared = store()
        _local.check_clock(shared)
        key = cache_key(request, query)
        entry = _lookup(shared, key)
        if entry is not None:
            return _respond(request, entry, "HIT")

        clock_before = shared.get(CLOCK)
        response = self.get_response(request)
        tags = getattr(request, "_pagecache_tags", None)
        if not tags or not _cacheable_response(request, response):
            return response
        content = response.content
        # The language is fixed by the path, so Accept-Language variance is not real here.
        if response.has_header("Vary"):
            kept = [v for v in (p.strip() for p in response["Vary"].split(",")) if v and v.lower() != "accept-language"]
            del response["Vary"]
            if kept:
                patch_vary_headers(response, kept)
        entry = {
            "status": response.status_code,
            "content": content,
            "headers": [(n, v) for n, v in response.items() if n.lower() in KEPT_HEADERS],
            "etag": f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"',
            "last_modified": time.time(),
            "expires": time.time() + ttl(),
        }
        # A purge while we rendered means what we rendered may already be stale: do not keep it.
        if shared.get(CLOCK) == clock_before:
            entry["tags"] = _generations(shared, tags)
            shared.set(key, entry, ttl())
        if _not_modified(request, entry):
            not_modified = HttpResponseNotModified()
            for name, value in _validators(entry).items():
                not_modified[name] = value
            not_modified["X-Cache"] = "MISS"
            return not_modified
        for name, value in _validators(entry).items():
            response[name] = value
        response["X-Cache"] = "MISS"
        return response
