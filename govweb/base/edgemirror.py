"""Edge mirror (静态镜像): cached pages written as files that nginx serves like static files.

Why: nginx's proxy_cache costs ≈ 3 µs more CPU per hit than a static file on the same machine
(it opens, reads and re-parses the stored response on every hit), which caps a proxy-cached
front at ≈ 0.7 × nginx-static (benchmarks/front.py; docs/subsystems/front.md). Government
sites have always been served "statically published" for that reason. Here the app keeps the
page cache as the truth and mirrors what it answers into a directory nginx reads, with the
freshness bound of the proxy cache (one second) instead of a publish-time file push.

How it works (docs/deploy/govweb-edge-mirror.conf and govweb-edge-maps.conf):
  * nginx looks for `<GOVWEB_EDGE_MIRROR_DIR>/<current epoch second>/<host><path>index.html`
    for a plain anonymous GET/HEAD (no query string, no session, no accessibility cookie) and
    serves it like a static file, adding the page headers the app would have sent;
  * otherwise it asks the app through its proxy cache; for a request that could have been
    served from the mirror it bypasses the proxy cache and tells the app so
    (`X-Govweb-Mirror: 1`), and the app — answering from its own tag-purged page cache —
    writes the page into the directory of the current second;
  * a file is therefore served at most until its second ends: a publish is visible within
    1 s (nginx's own revalidation takes 1–2 s), with nothing to purge; directories of past
    seconds are removed by the writers.
A page is mirrored only when nginx would send exactly the headers the app sends
(`mirrorable_headers`): a page with another CSP, say, is never mirrored and goes on through
the proxy cache. The app and nginx must share the directory (same host; tmpfs recommended).

Configuration: GOVWEB_EDGE_MIRROR_DIR (unset: no mirror; the app then ignores X-Govweb-Mirror
and logs once that nginx asks for it).
"""

import logging
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.http.request import split_domain_port

logger = logging.getLogger("govweb.pagecache")

# Headers nginx adds itself (file serving) or that change per answer: not compared.
PER_ANSWER = {"date", "server", "content-length", "etag", "last-modified", "cache-control",
              "x-cache", "expires", "connection", "accept-ranges"}
KEEP_SECONDS = 3  # directories of the current and the last two seconds stay (a write may lag)
_SAFE_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$")
_warned = threading.Event()
_last_sweep = [0.0]


def mirror_dir():
    value = os.environ.get("GOVWEB_EDGE_MIRROR_DIR", "")
    return Path(value) if value else None


def content_language(path):
    """Content-Language nginx sends for a mirrored path (the language is in the path)."""
    return "en" if path.startswith("/en/") else settings.LANGUAGE_CODE


def _csp_directives(value):
    return frozenset(" ".join(part.split()) for part in value.split(";") if part.strip())


def expected_headers(path, csp):
    """What the mirror location of docs/deploy/govweb-edge-mirror.conf sends with a page, besides
    the per-answer headers: the page headers of the public role (the security middlewares'
    settings) for this path. `csp` is the policy nginx sends (from the configuration file)."""
    headers = {
        "content-type": "text/html; charset=utf-8",
        "content-language": content_language(path),
        "x-frame-options": settings.X_FRAME_OPTIONS,
        "content-security-policy": csp,
    }
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers["x-content-type-options"] = "nosniff"
    if settings.SECURE_REFERRER_POLICY:
        headers["referrer-policy"] = settings.SECURE_REFERRER_POLICY
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers["cross-origin-opener-policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    return headers


def same_headers(sent, expected):
    """True when two header maps (lower-case names) mean the same; CSP compared by directive."""
    sent = {k: v for k, v in sent.items() if k not in PER_ANSWER}
    expected = {k: v for k, v in expected.items() if k not in PER_ANSWER}
    if sent.keys() != expected.keys():
        return False
    for name, value in sent.items():
        if name == "content-security-policy":
            if _csp_directives(value) != _csp_directives(expected[name]):
                return False
        elif value != expected[name]:
            return False
    return True


def standard_csp():
    """The public role's Content-Security-Policy as django-csp sends it."""
    from csp.utils import build_policy

    return build_policy()


def mirrorable_headers(path, page_headers):
    """Would nginx, serving this page as a file, send the headers the app gives it? The page's
    headers are those kept in its cache entry (inner middlewares); the outer ones (nosniff,
    Referrer-Policy, COOP) come from settings on every answer and are compared through them."""
    sent = {name.lower(): value for name, value in page_headers}
    expected = expected_headers(path, standard_csp())
    # Outer middlewares add these to every answer, hit or miss; the entry does not hold them.
    for name in ("x-content-type-options", "referrer-policy", "cross-origin-opener-policy"):
        if name in expected:
            sent.setdefault(name, expected[name])
    return same_headers(sent, expected)


def file_for(root, second, host, path):
    """The mirror file of host+path for one second, or None when the name is not safe."""
    host = host.lower()
    if not _SAFE_HOST.match(host) or ".." in host:
        return None
    if not path.startswith("/") or not path.endswith("/") or "\x00" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") or len(p.encode()) > 200 for p in parts) or len(parts) > 32:
        return None
    return Path(root, str(second), host, *parts, "index.html")


def write(request, content, last_modified, page_headers):
    """Mirror the page answered to nginx for this request, if it may be (see module docstring)."""
    if request.META.get("HTTP_X_GOVWEB_MIRROR") != "1" or request.method != "GET":
        return None
    root = mirror_dir()
    if root is None:
        if not _warned.is_set():
            _warned.set()
            logger.warning("nginx asks for the edge mirror but GOVWEB_EDGE_MIRROR_DIR is not set")
        return None
    if request.META.get("QUERY_STRING"):
        return None
    host = split_domain_port(request.get_host())[0]
    now = time.time()
    target = file_for(root, int(now), host, request.path)
    if target is None:
        return None
    # Another thread or worker mirrored it this second already; a refresh after a publish
    # (X-Govweb-Refresh) replaces it.
    if "HTTP_X_GOVWEB_REFRESH" not in request.META and target.exists():
        return target
    from . import a11y

    if a11y.cache_token(request) or not mirrorable_headers(request.path, page_headers):
        return None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".w-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        # nginx derives ETag and Last-Modified from the file: keep them those of the page, so a
        # browser's revalidation gets 304 for as long as the page is unchanged.
        os.utime(temporary, (last_modified, last_modified))
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError:
        logger.exception("edge mirror: could not write %s", target)
        return None
    if now - _last_sweep[0] >= 1:
        _last_sweep[0] = now
        sweep(root, now)
    return target


def sweep(root, now=None):
    """Remove the directories of seconds nginx no longer reads."""
    oldest_kept = int(now if now is not None else time.time()) - KEEP_SECONDS + 1
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        if entry.name.isdigit() and int(entry.name) < oldest_kept:
            shutil.rmtree(entry.path, ignore_errors=True)
