"""The link checker (链接可用性检查): a polite crawler over every published page of a site.

Every live page's stored content (body links, page and document links) is read from the
database in one pass; a sample of rendered pages per site (the home page, every column's first
listing page, the newest item(s) of each column — the templates every other page shares) is
rendered *through the public role* in-process, so navigation, header and footer links are
checked as a visitor meets them. Internal link targets are resolved against the cluster's map
of live pages, or rendered once each when they are another route; external targets get an HTTP
HEAD (GET when HEAD is refused) with connect/read timeouts, a per-link deadline, a size limit, a
redirect limit with loop detection, bounded concurrency, one request at a time per host with a
delay, and robots.txt respected. Nothing here can hang a run: every wait is bounded.
"""

import json
import logging
import re
import threading
import time
import urllib.robotparser
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.html import strip_tags
from wagtail.models import Page, Site

logger = logging.getLogger("govweb.supervision")

SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "#", "sms:")
HREF_RE = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"']*)["'][^>]*>(.*?)</a>""", re.I | re.S)
RICH_LINK_RE = re.compile(r"""<a\b[^>]*?\blinktype\s*=\s*["'](page|document)["'][^>]*?\bid\s*=\s*["'](\d+)["']""", re.I)
PUBDATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


@dataclass
class LinkResult:
    """How one link target answered."""

    ok: bool
    status: int | None = None
    reason: str = ""
    severity: str = "problem"
    elapsed: float = 0.0


@dataclass
class LinkProblem:
    source_url: str
    target_url: str
    text: str
    reason: str
    severity: str = "problem"


@dataclass
class PageContent:
    """One live page's stored text: title, the HTML fragments of its body, its public URL."""

    pk: int
    url: str
    title: str
    fragments: list
    model: str = ""

    def text(self):
        return self.title + "\n" + "\n".join(strip_tags(f) for f in self.fragments)


@dataclass
class SiteCrawl:
    pages: int = 0
    rendered: int = 0
    links: int = 0
    problems: list = field(default_factory=list)
    missing_pubdate: list = field(default_factory=list)  # [(url, title)] item pages without PubDate
    render_seconds: float = 0.0


# --- reading the stored content ---------------------------------------------------------------

def _body_models():
    """Concrete page models with a `body` (StreamField or rich text)."""
    from django.apps import apps

    result = []
    for model in apps.get_models():
        if issubclass(model, Page) and model is not Page:
            try:
                f = model._meta.get_field("body")
            except Exception:
                continue
            if f.model is model:  # declared here, not inherited from a concrete parent
                result.append(model)
    return result


def _fragments(raw):
    """HTML fragments of a stored StreamField (JSON text) or a rich-text field."""
    if not raw:
        return []
    if raw[:1] not in "[{":
        return [raw]
    try:
        data = json.loads(raw)
    except ValueError:
        return [raw]
    out = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            value = node.get("value", node) if "type" in node else node
            if isinstance(value, str):
                out.append(value)
            elif value is not node:
                stack.append(value)
            else:
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
                out.extend(v for k, v in node.items() if isinstance(v, str) and "<" in v)
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, str):
                    out.append(item)
                else:
                    stack.append(item)
    return out


def iter_site_content(root, base_url, batch=2000):
    """Yield PageContent for every live page with a body under `root` (one query per model)."""
    prefix_len = len(root.url_path)
    for model in _body_models():
        qs = (model.objects.filter(path__startswith=root.path, live=True)
              .annotate(body_text=Cast("body", TextField()))
              .values_list("pk", "url_path", "title", "body_text").order_by("pk"))
        for pk, url_path, title, raw in qs.iterator(chunk_size=batch):
            yield PageContent(pk, base_url + "/" + url_path[prefix_len:], title or "",
                              _fragments(raw), model.__name__)


# --- the cluster's map of live pages ----------------------------------------------------------

class ClusterMap:
    """host → site, and per site the set of live public paths; live page and document ids."""

    def __init__(self):
        self.sites = {}
        self.paths = defaultdict(set)
        roots = {}
        for site in Site.objects.select_related("root_page"):
            self.sites[site.hostname.lower()] = site
            roots[site.root_page.path] = (site, site.root_page.url_path)
        self.live_ids = set()
        steplen = Page.steplen
        for pk, path, url_path in Page.objects.filter(live=True, depth__gte=2).values_list(
                "pk", "path", "url_path").iterator(chunk_size=5000):
            self.live_ids.add(pk)
            owner = roots.get(path[: 2 * steplen])
            if owner:
                site, root_url = owner
                self.paths[site.pk].add("/" + url_path[len(root_url):])
        from wagtail.documents import get_document_model

        self.document_ids = set(get_document_model().objects.values_list("pk", flat=True))

    def site_for(self, host):
        return self.sites.get((host or "").lower())


# --- rendering through the public role --------------------------------------------------------

class PublicRenderer:
    """Render URLs in-process as the public role does (Host header = the site's host)."""

    def __init__(self):
        from django.test import Client

        self.client = Client(raise_request_exception=False)
        self.cache = {}
        self.seconds = 0.0
        self.count = 0

    def get(self, host, path):
        key = (host, path)
        if key not in self.cache:
            from django.test import override_settings

            started = time.perf_counter()
            with override_settings(GOVWEB_ROLE="public", ROOT_URLCONF="govweb.urls.public"):
                response = self.client.get(path, HTTP_HOST=host, HTTP_USER_AGENT="govweb-jianguan/1.0")
            body = b""
            if response.status_code < 300 and "html" in response.get("Content-Type", ""):
                body = b"".join(response) if response.streaming else response.content
            elif response.status_code < 300 and path.endswith("robots.txt"):
                body = response.content
            self.seconds += time.perf_counter() - started
            self.count += 1
            self.cache[key] = (response.status_code, body.decode("utf-8", "replace"))
        return self.cache[key]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.meta, self._a = [], {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") is not None:
            self._a = [attrs["href"], ""]
            self.links.append(self._a)
        elif tag == "img" and attrs.get("src"):
            self.links.append([attrs["src"], attrs.get("alt") or ""])
        elif tag == "meta" and attrs.get("name"):
            self.meta[attrs["name"]] = attrs.get("content", "")

    def handle_data(self, data):
        if self._a is not None:
            self._a[1] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._a = None


def parse_html(html):
    parser = _Links()
    try:
        parser.feed(html)
    except Exception:  # malformed markup: keep what was read
        pass
    return parser.links, parser.meta


# --- external HTTP checks ---------------------------------------------------------------------

class HttpFetcher:
    """HEAD (or GET) a URL with bounded time, size and redirects; never raises."""

    def __init__(self, conf):
        import requests

        self.conf = conf
        self.session = requests.Session()
        self.session.headers["User-Agent"] = conf["user_agent"]

    def __call__(self, url):
        import requests

        conf = self.conf
        deadline = time.monotonic() + conf["link_deadline_seconds"]
        started = time.monotonic()
        seen = set()
        method = "HEAD"
        current = url
        for _hop in range(conf["max_redirects"] + 1):
            if current in seen:
                return LinkResult(False, None, "重定向循环", elapsed=time.monotonic() - started)
            seen.add(current)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return LinkResult(False, None, "响应超时", elapsed=time.monotonic() - started)
            try:
                response = self.session.request(
                    method, current, allow_redirects=False, stream=True,
                    timeout=(min(conf["connect_timeout"], remaining), min(conf["read_timeout"], remaining)))
            except requests.exceptions.Timeout:
                return LinkResult(False, None, "响应超时", elapsed=time.monotonic() - started)
            except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                    requests.exceptions.InvalidSchema, ValueError):
                return LinkResult(False, None, "无效链接地址")
            except requests.exceptions.RequestException as error:
                return LinkResult(False, None, f"无法连接（{type(error).__name__}）",
                                  elapsed=time.monotonic() - started)
            try:
                if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                    current = urljoin(current, response.headers["Location"])
                    continue
                if method == "HEAD" and response.status_code in (403, 405, 501):
                    method = "GET"
                    seen.discard(current)
                    continue
                status = response.status_code
                if status >= 400:
                    return LinkResult(False, status, f"HTTP {status}", elapsed=time.monotonic() - started)
                if method == "GET":
                    size = 0
                    for chunk in response.iter_content(65536):
                        size += len(chunk)
                        if size > conf["max_bytes"]:
                            return LinkResult(True, status, "页面超过大小上限", severity="warning",
                                              elapsed=time.monotonic() - started)
                        if time.monotonic() > deadline:
                            return LinkResult(False, status, "响应超时", elapsed=time.monotonic() - started)
                else:
                    length = response.headers.get("Content-Length", "")
                    if length.isdigit() and int(length) > conf["max_bytes"]:
                        return LinkResult(True, status, "页面超过大小上限", severity="warning",
                                          elapsed=time.monotonic() - started)
                return LinkResult(True, status, elapsed=time.monotonic() - started)
            finally:
                response.close()
        return LinkResult(False, None, "重定向次数过多", elapsed=time.monotonic() - started)

    def robots(self, scheme, host):
        """A RobotFileParser for an outside host (allow everything when it cannot be read)."""
        parser = urllib.robotparser.RobotFileParser()
        try:
            response = self.session.get(f"{scheme}://{host}/robots.txt", stream=True,
                                        timeout=(self.conf["connect_timeout"], self.conf["read_timeout"]))
            text = response.raw.read(65536, decode_content=True).decode("utf-8", "replace") \
                if response.status_code == 200 else ""
            response.close()
        except Exception:
            text = ""
        parser.parse(text.splitlines())
        return parser


def valid_url(url):
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        return False
    del port
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in parts.netloc


class Crawler:
    """Check every link of the given sites. `fetch(url) -> LinkResult` may be replaced (tests)."""

    def __init__(self, conf, fetch=None, renderer=None):
        self.conf = conf
        self.fetcher = None if fetch else HttpFetcher(conf)
        self.fetch = fetch or self.fetcher
        self.renderer = renderer or PublicRenderer()
        self.map = ClusterMap()
        self._host_locks = defaultdict(threading.Lock)
        self._host_last = {}
        self._robots = {}
        self._results = {}

    # internal ----------------------------------------------------------------------------------
    def _internal_status(self, site, host, path):
        from django.urls import Resolver404, resolve

        path = unquote(path or "/")
        if path in self.map.paths[site.pk] or path.rstrip("/") + "/" in self.map.paths[site.pk]:
            return 200
        bare = path[3:] if path.startswith("/en/") else path
        if bare in self.map.paths[site.pk]:
            return 200
        try:
            match = resolve(path, urlconf="govweb.urls.public")
        except Resolver404:
            return 404
        if match.url_name == "wagtail_serve":
            return 404  # a page path that is not in the map of live pages
        status, _html = self.renderer.get(host, path)
        return status

    def _robots_for_site(self, site, host):
        status, text = self.renderer.get(host, "/robots.txt")
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(text.splitlines() if status == 200 else [])
        return parser

    # external ----------------------------------------------------------------------------------
    def _check_external(self, url):
        parts = urlsplit(url)
        host = parts.netloc.lower()
        only = self.conf.get("only_hosts") or []
        if only and parts.hostname not in only:
            return LinkResult(True, None, "")  # outside the configured hosts: not checked
        lock = self._host_locks[host]
        with lock:  # one request at a time per host, with a pause between them
            if self.fetcher is not None:
                if host not in self._robots:
                    self._robots[host] = self.fetcher.robots(parts.scheme, host)
                if not self._robots[host].can_fetch(self.conf["user_agent"], url):
                    return LinkResult(True, None, "robots.txt 不允许检查")
            wait = self._host_last.get(host, 0) + self.conf["delay_seconds"] - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                return self.fetch(url)
            except Exception as error:  # a broken fetcher must not stop the run
                return LinkResult(False, None, f"检查出错（{type(error).__name__}）")
            finally:
                self._host_last[host] = time.monotonic()

    # per site ----------------------------------------------------------------------------------
    def crawl_site(self, profile, deadline=None):
        from govweb.library.models import ColumnPage, LibraryItemPage

        site = profile.site
        host = f"{site.hostname}:{site.port}" if site.port not in (80, 443) else site.hostname
        base = site.root_url
        root = site.root_page
        result = SiteCrawl()
        robots = self._robots_for_site(site, host)
        ua = self.conf["user_agent"]
        links = []  # (source_url, href, text)

        # 1. rendered sample: home, every column, the newest item(s) of each column
        sample = ["/"]
        prefix = len(root.url_path)
        n_items = self.conf["sample_items_per_column"]
        for column in ColumnPage.objects.descendant_of(root).live().only("pk", "url_path"):
            sample.append("/" + column.url_path[prefix:])
            if n_items:
                for url_path in (LibraryItemPage.objects.filter(column_id=column.pk).live()
                                 .order_by("-pub_date").values_list("url_path", flat=True)[:n_items]):
                    sample.append("/" + url_path[prefix:])
        for path in sample:
            if not robots.can_fetch(ua, base + path):
                continue
            status, html = self.renderer.get(host, path)
            result.rendered += 1
            source = base + path
            if status >= 400:
                result.problems.append(LinkProblem(source, source, "", f"页面无法打开（HTTP {status}）"))
                continue
            found, meta = parse_html(html)
            if "ArticleTitle" in meta and not PUBDATE_RE.match(meta.get("PubDate", "").strip()):
                result.missing_pubdate.append((source, meta.get("ArticleTitle", "")))
            links.extend((source, href, text) for href, text in found)

        # 2. stored content of every live page
        for content in iter_site_content(root, base):
            result.pages += 1
            for fragment in content.fragments:
                for href, text in HREF_RE.findall(fragment):
                    links.append((content.url, unescape(href), strip_tags(text)))
                for kind, pk in RICH_LINK_RE.findall(fragment):
                    ids = self.map.live_ids if kind == "page" else self.map.document_ids
                    if int(pk) not in ids:
                        label = "站内页面" if kind == "page" else "文档"
                        result.problems.append(LinkProblem(
                            content.url, f"{kind}:{pk}", "", f"链接的{label}已删除或未发布"))
        result.pages = max(result.pages, result.rendered)

        # 3. classify and check targets (each distinct target once)
        external = defaultdict(list)
        first_url = {}
        seen_internal = {}
        for source, href, text in links:
            href = (href or "").strip()
            if not href or href.lower().startswith(SKIP_SCHEMES):
                continue
            target = urldefrag(urljoin(source, href))[0]
            if not valid_url(target):
                result.problems.append(LinkProblem(source, href[:500], text[:100], "无效链接地址"))
                continue
            parts = urlsplit(target)
            target_site = self.map.site_for(parts.hostname)
            result.links += 1
            if target_site is not None:
                if not robots.can_fetch(ua, target):
                    continue
                thost = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
                key = (thost, parts.path)
                if key not in seen_internal:
                    seen_internal[key] = self._internal_status(target_site, thost, parts.path)
                status = seen_internal[key]
                if status >= 400 and status not in (401, 403, 405):
                    result.problems.append(LinkProblem(source, target, text[:100], f"站内链接失效（HTTP {status}）"))
            else:
                # One check per address: the same path with another query (e.g. the national
                # error-report link carrying each page's URL) answers alike.
                bare = target.split("?", 1)[0]
                first_url.setdefault(bare, target)
                external[bare].append((source, text))

        targets = list(external)[: self.conf["max_external_links"]]
        unchecked = len(external) - len(targets)
        with ThreadPoolExecutor(max_workers=self.conf["max_workers"]) as pool:
            futures = {pool.submit(self._cached_external, first_url[url], deadline): url for url in targets}
            for future in as_completed(futures):
                url = futures[future]
                outcome = future.result()
                if outcome is None:
                    unchecked += 1
                    continue
                if not outcome.ok or outcome.severity == "warning" and outcome.reason:
                    for source, text in external[url][:5]:
                        result.problems.append(LinkProblem(source, first_url[url], text[:100], outcome.reason,
                                                           "problem" if not outcome.ok else "warning"))
        if unchecked:
            logger.info("%s: %d external links not checked within the limits", profile, unchecked)
        result.render_seconds = self.renderer.seconds
        return result

    def _cached_external(self, url, deadline):
        if deadline is not None and time.monotonic() > deadline:
            return None
        if url not in self._results:
            self._results[url] = self._check_external(url)
        return self._results[url]
