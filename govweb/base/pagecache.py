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
    Requests from the nginx front (`X-Govweb-Edge`, `X-Govweb-Refresh`: misses and once-a-second
    revalidations only) re-read the clock every time, so the edge never re-confirms a purged page.
  * Two hit paths. `FrontDoor` (the WSGI application in govweb/wsgi.py) answers a request that
    this process has already answered as a full hit, before Django runs at all, replaying that
    answer's final status and headers (see its docstring). Otherwise `PageCacheMiddleware`,
    right after the host check and the access log (settings.MIDDLEWARE), answers without
    session, locale, CSRF or auth work; an entry keeps every header the inner middlewares gave
    the rendered page (CSP, X-Frame-Options, Content-Language, …) and the outer middlewares
    (SecurityMiddleware: HSTS, nosniff, …) run on hits and misses alike. Either way a hit
    carries the headers of a miss but X-Cache.
  * Conditional GET: every cached response carries an ETag and Last-Modified and a matching
    If-None-Match / If-Modified-Since is answered 304.
  * Edge: `Cache-Control: public, max-age=0, s-maxage=<GOVWEB_EDGE_CACHE_SECONDS>` lets nginx
    (docs/deploy/) keep a page that long while browsers always revalidate;
    `GOVWEB_EDGE_STALE_SECONDS` > 0 adds `stale-while-revalidate`, which lets nginx answer from
    the old copy while it revalidates in the background — bounded, unlike nginx's own
    `proxy_cache_use_stale updating`.
  * Never cached: non-GET/HEAD, requests carrying a session cookie, responses that are not 200,
    that set a cookie (CSRF tokens, sessions), vary on Cookie, or say private/no-store.

Configuration (environment, read at start):
  GOVWEB_PAGE_CACHE=0              switch the cache off
  GOVWEB_PAGE_CACHE_SECONDS=600    safety-net lifetime of an entry
  GOVWEB_EDGE_CACHE_SECONDS=1      how long nginx in front may keep a page (s-maxage)
  GOVWEB_EDGE_STALE_SECONDS=0      stale-while-revalidate for nginx (0: always revalidate first)
  GOVWEB_PAGE_CACHE_L1_SECONDS=0.5 how often a process re-reads the purge clock
"""

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import InvalidCacheBackendError
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, HttpResponseNotModified
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from . import a11y, edgemirror

logger = logging.getLogger("govweb.pagecache")

ENTRY = "pc:e:"
GEN = "pc:g:"
CLOCK = "pc:clock"
MAX_QUERY_LENGTH = 512
MAX_QUERY_PARAMS = 8
MAX_BODY = 2 * 1024 * 1024
L1_SIZE = 256
# Headers of the rendered page that an entry does not keep: set anew for every answer (the
# validators, X-Cache, Content-Length), or never present on a cacheable response.
NOT_KEPT = {"set-cookie", "date", "expires", "x-cache", "etag", "last-modified", "cache-control",
            "x-accel-expires", "content-length"}


def _env_float(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


L1_SECONDS = _env_float("GOVWEB_PAGE_CACHE_L1_SECONDS", 0.5)
_ENABLED = os.environ.get("GOVWEB_PAGE_CACHE", "1") != "0"


def enabled():
    return getattr(settings, "GOVWEB_PAGE_CACHE", _ENABLED)


def ttl():
    return int(_env_float("GOVWEB_PAGE_CACHE_SECONDS", 600))


def edge_cache_control():
    """Cache-Control of a cached page: browsers revalidate, nginx keeps it s-maxage seconds."""
    edge = max(int(_env_float("GOVWEB_EDGE_CACHE_SECONDS", 1)), 0)
    stale = max(int(_env_float("GOVWEB_EDGE_STALE_SECONDS", 0)), 0)
    value = f"public, max-age=0, s-maxage={edge}"
    if edge and stale:
        value += f", stale-while-revalidate={stale}"
    return value


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


# --- answers ----------------------------------------------------------------------------------

class Hit:
    """A cache entry made ready to answer: header maps built once, not per request."""

    __slots__ = ("entry", "content", "status", "etag", "last_modified", "expires", "page_id",
                 "full_headers", "not_modified_headers")

    def __init__(self, entry):
        self.entry = entry
        self.content = entry["content"]
        self.status = entry["status"]
        self.etag = entry["etag"]
        self.last_modified = entry["last_modified"]
        self.expires = entry["expires"]
        self.page_id = entry.get("page_id")
        validators = _validators(entry)
        self.not_modified_headers = _header_map([*validators, ("X-Cache", "HIT")])
        self.full_headers = _header_map([*entry["headers"], *validators,
                                         ("Content-Length", str(len(self.content))),
                                         ("X-Cache", "HIT")])

    def not_modified(self, request):
        return _not_modified(request, self.etag, self.last_modified)

    def respond(self, request):
        if self.not_modified(request):
            response = HttpResponseNotModified()
            _set_headers(response, self.not_modified_headers)
            return response
        head = request.method == "HEAD"
        response = HttpResponse(b"" if head else self.content, status=self.status)
        _set_headers(response, self.full_headers)
        return response


def _header_map(pairs):
    """{lower-case name: (name, value)}: what Django's ResponseHeaders keeps internally."""
    result = {}
    for name, value in pairs:
        result[name.lower()] = (name, value)
    return result


def _set_headers(response, header_map):
    store_ = getattr(response.headers, "_store", None)
    if isinstance(store_, dict):
        store_.update(header_map)  # values were checked when the page was rendered
    else:  # pragma: no cover - another Django's ResponseHeaders
        for name, value in header_map.values():
            response[name] = value


def _validators(entry):
    return [
        ("ETag", entry["etag"]),
        ("Last-Modified", http_date(entry["last_modified"])),
        ("Cache-Control", edge_cache_control()),
    ]


def _not_modified(request, etag, last_modified):
    inm = request.META.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        candidates = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return etag in candidates or "*" in candidates
    ims = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if ims:
        since = parse_http_date_safe(ims)
        return since is not None and int(last_modified) <= since
    return False


# --- in-process tier --------------------------------------------------------------------------

class _Local:
    def __init__(self):
        self.lock = threading.Lock()
        self.entries = OrderedDict()
        # WSGI-level answers (FrontDoor): raw request key -> Answer, emptied with `entries`.
        self.answers = {}
        self.clock = None
        self.read_at = 0.0

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.answers = {}
            self.read_at = 0.0

    def fresh(self):
        """True while the purge clock was read less than L1_SECONDS ago."""
        return time.monotonic() - self.read_at < L1_SECONDS

    def check_clock(self, shared, force=False):
        now = time.monotonic()
        if not force and now - self.read_at < L1_SECONDS:
            return
        clock = shared.get(CLOCK)
        with self.lock:
            if clock != self.clock:
                self.entries.clear()
                self.answers = {}
                self.clock = clock
            self.read_at = now

    def remember(self, key, answer):
        with self.lock:
            answers = self.answers
            if len(answers) >= 2 * L1_SIZE:
                answers.pop(next(iter(answers)))
            answers[key] = answer

    def get(self, key):
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None:
                if hit.expires < time.time():
                    del self.entries[key]
                    return None
                self.entries.move_to_end(key)
            return hit

    def put(self, key, hit):
        with self.lock:
            self.entries[key] = hit
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
    # The raw Host: an entry exists only for a host that rendered a page, i.e. passed
    # ALLOWED_HOSTS and RoleHostMiddleware, so get_host()'s validation need not run per hit.
    raw = "\n".join([request._get_raw_host().lower(), request.path, query, mode])
    return ENTRY + hashlib.sha1(raw.encode("utf-8", "surrogateescape")).hexdigest()


def _lookup(shared, key):
    hit = _local.get(key)
    if hit is not None:
        return hit
    entry = shared.get(key)
    if entry is None or "tags" not in entry:
        return None
    current = shared.get_many([GEN + tag for tag in entry["tags"]])
    for tag, generation in entry["tags"].items():
        if current.get(GEN + tag) != generation:
            return None
    hit = Hit(entry)
    _local.put(key, hit)
    return hit


def _generations(shared, tags):
    keys = [GEN + tag for tag in tags]
    current = shared.get_many(keys)
    missing = [k for k in keys if k not in current]
    if missing:
        for k in missing:
            shared.add(k, _token(), None)
        current.update(shared.get_many(missing))
    return {tag: current.get(GEN + tag) for tag in tags}


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
        meta = request.META
        _local.check_clock(shared, force="HTTP_X_GOVWEB_EDGE" in meta or "HTTP_X_GOVWEB_REFRESH" in meta)
        key = cache_key(request, query)
        hit = _lookup(shared, key)
        if hit is not None:
            if hit.page_id is not None:
                request._analytics_page_id = hit.page_id  # the access log counts the page
            response = hit.respond(request)
            if response.status_code == 200 and request.method == "GET":
                meta[FRONT_DOOR_HIT] = hit  # FrontDoor may answer the same request itself next time
                if "HTTP_X_GOVWEB_MIRROR" in meta:
                    edgemirror.write(request, hit.content, hit.last_modified, hit.entry["headers"])
            return response

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
        now = time.time()
        entry = {
            "status": response.status_code,
            "content": content,
            "headers": [(n, v) for n, v in response.items() if n.lower() not in NOT_KEPT],
            "etag": f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"',
            "last_modified": now,
            "expires": now + ttl(),
            "page_id": getattr(request, "_analytics_page_id", None),
        }
        # A purge while we rendered means what we rendered may already be stale: do not keep it.
        if shared.get(CLOCK) == clock_before:
            entry["tags"] = _generations(shared, tags)
            shared.set(key, entry, ttl())
            if "HTTP_X_GOVWEB_MIRROR" in meta:
                edgemirror.write(request, content, entry["last_modified"], entry["headers"])
        validators = _validators(entry)
        if _not_modified(request, entry["etag"], entry["last_modified"]):
            response = HttpResponseNotModified()
        for name, value in validators:
            response[name] = value
        response["X-Cache"] = "MISS"
        return response


# --- the front door: hits answered before Django ----------------------------------------------

FRONT_DOOR_HIT = "govweb.pagecache.hit"


class Answer:
    """What a page-cache hit that went through the whole stack answered: status line and the
    final header list (after every middleware), with the entry it came from."""

    __slots__ = ("hit", "status", "headers")

    def __init__(self, hit, status, headers):
        self.hit, self.status, self.headers = hit, status, list(headers)


class FrontDoor:
    """WSGI wrapper that answers page-cache hits held in this process before Django runs.

    A hit through Django costs the handler, every outer middleware and the response object
    (≈ 200 µs of a 300 µs request under gunicorn); answering here costs a dictionary lookup.
    It answers only what PageCacheMiddleware would answer identically:
      * the first time a request (exact host, path, query, scheme, accessibility cookie) is a
        full 200 hit through the stack, the status and the *final* header list are recorded —
        so the security headers are exactly those of the full stack, by construction;
      * later identical requests get those bytes while this process's purge clock is fresh
        (read < GOVWEB_PAGE_CACHE_L1_SECONDS ago) and the entry has not expired; every purge
        and clock change forgets them all;
      * everything else goes through Django as before: other methods, a session cookie,
        conditional requests (304s are built there), requests from the nginx front
        (X-Govweb-Edge/Refresh re-read the clock), an unknown host, a stale clock.
    The access log still gets one record per request, through AccessLogMiddleware itself.
    Outer middlewares must therefore add nothing that varies per request (none does).
    """

    def __init__(self, application):
        self.application = application
        self.access_log = self.site_for_host = None

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is not None and _local.fresh():
            answer = _local.answers.get(key)
            if answer is not None and answer.hit.expires > time.time():
                return self._answer(environ, start_response, key, answer)
        if key is None:
            return self.application(environ, start_response)
        started = []

        def recording_start_response(status, headers, exc_info=None):
            started.append((status, headers))
            return start_response(status, headers, exc_info)

        result = self.application(environ, recording_start_response)
        hit = environ.get(FRONT_DOOR_HIT)
        if hit is not None and started and started[-1][0].startswith("200"):
            _local.remember(key, Answer(hit, *started[-1]))
        return result

    @staticmethod
    def _key(environ):
        if environ.get("REQUEST_METHOD") != "GET" or not enabled() or settings.GOVWEB_ROLE != "public":
            return None
        if ("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
                or "HTTP_X_GOVWEB_EDGE" in environ or "HTTP_X_GOVWEB_REFRESH" in environ):
            return None
        if settings.USE_X_FORWARDED_HOST or settings.SECURE_SSL_REDIRECT:
            return None  # keep the exact host and redirect rules of the full stack
        a11y_cookie = ""
        cookie_header = environ.get("HTTP_COOKIE")
        if cookie_header:
            cookies = parse_cookie(cookie_header)
            if settings.SESSION_COOKIE_NAME in cookies:
                return None
            a11y_cookie = cookies.get(a11y.COOKIE, "")
        proxy = settings.SECURE_PROXY_SSL_HEADER
        return (environ.get("HTTP_HOST") or environ.get("SERVER_NAME"), environ.get("SCRIPT_NAME", ""),
                environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), a11y_cookie,
                environ.get("wsgi.url_scheme"), environ.get(proxy[0]) if proxy else None)

    def _answer(self, environ, start_response, key, answer):
        start_response(answer.status, list(answer.headers))
        self._log(environ, key, answer)
        return [answer.hit.content]

    def _log(self, environ, key, answer):
        """One access record, written by AccessLogMiddleware exactly as for a Django hit."""
        try:
            if self.access_log is None:
                from govweb.analytics.middleware import AccessLogMiddleware

                from . import hosts

                self.access_log, self.site_for_host = AccessLogMiddleware, hosts.site_for_host
            request = WSGIRequest(environ)
            request._wagtail_site = self.site_for_host(split_domain_port(key[0] or "")[0])
            if answer.hit.page_id is not None:
                request._analytics_page_id = answer.hit.page_id
            response = HttpResponse(answer.hit.content, status=answer.hit.status)
            self.access_log(lambda _request: response)(request)
        except Exception:  # the log must never break a page
            logger.exception("access record of a front-door hit failed")


def wsgi_application():
    """Django's WSGI application behind the front door (for govweb/wsgi.py; sets Django up)."""
    from django.core.wsgi import get_wsgi_application

    return FrontDoor(get_wsgi_application())
