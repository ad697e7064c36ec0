"""The public front in real headless Chromium: every page type on two sites at desktop and
phone width, axe-core (serious/critical fail), keyboard use, elder mode and high contrast.

Screenshots go to artifacts/screenshots/ (front-<site>-<type>-<width>.png).
"""

import re
import urllib.error
import urllib.request
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import assert_accessible, screenshot

SITES = {"portal": "www-guiyang.localhost", "jyj": "jyj-guiyang.localhost",
         "yunyan": "www-yunyan.localhost"}
# The site pair every page type is checked on (the portal and a department).
CHECKED = ["portal", "jyj"]
WIDTHS = [1280, 375]
MAX_CRAWL = 60


def _request(url, **headers):
    """Python does not resolve *.localhost names (browsers do): go to 127.0.0.1 with a Host."""
    parts = urlsplit(url)
    target = parts._replace(netloc=f"127.0.0.1:{parts.port}").geturl()
    return urllib.request.Request(target, headers={"Host": parts.netloc, **headers})


def _fetch(url):
    with urllib.request.urlopen(_request(url), timeout=10) as response:
        return response.read().decode()


def find_page_types(server, key):
    """Crawl a site over HTTP (breadth first, bounded) and keep one URL per page type."""
    host = SITES[key]
    base = server["url"](host)
    found = {"sitemap": server["url"](host, "/sitemap/"), "english-home": server["url"](host, "/en/")}
    queue, seen = deque([base, server["url"](host, "/sitemap/")]), set()
    while queue and len(seen) < MAX_CRAWL:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            html = _fetch(url)
        except Exception:
            continue
        kind = re.search(r'data-page-type="([^"]+)"', html)
        if kind and kind.group(1) not in found and kind.group(1) != "view":
            found[kind.group(1)] = url
        for href in re.findall(r'href="([^"#]+)"', html):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if (parts.hostname == host and not parts.query and "/en/" not in parts.path
                    and not parts.path.startswith(("/static/", "/media/", "/documents/",
                                                   "/feeds/", "/a11y/", "/search/"))
                    and not parts.path.endswith(".xml")):
                queue.append(target)
    return found


@pytest.fixture(scope="module")
def page_types(public_server):
    return {key: find_page_types(public_server, key) for key in CHECKED}


def test_crawl_found_the_main_page_types(page_types):
    for key in CHECKED:
        assert {"sitehomepage", "columnpage", "articlepage"} <= set(page_types[key]), page_types[key]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("key", CHECKED)
def test_every_page_type_renders_accessibly(public_server, page_types, page_at, key, width):
    checked = []
    for kind, url in sorted(page_types[key].items()):
        page = page_at(width)
        response = page.goto(url)
        assert response.status == 200, (kind, url)
        assert page.locator(".banner-mark").inner_text() == "中国·贵阳"
        footer = page.locator("footer").inner_text()
        assert "网站标识码" in footer or "Site identification code" in footer, kind
        assert page.locator("meta[name=SiteIDCode]").count() == 1, kind
        # Phones: nothing wider than the screen except inside scrolling table regions.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (kind, url, overflow)
        screenshot(page, f"front-{key}-{kind}-{width}")
        assert_accessible(page)
        checked.append(kind)
        page.context.close()
    assert len(checked) >= 5


@pytest.mark.parametrize("key", CHECKED)
def test_not_found_page_is_chinese_and_accessible(public_server, page_at, key):
    page = page_at(375)
    response = page.goto(public_server["url"](SITES[key], "/no-such-page/"))
    assert response.status == 404
    assert "页面不存在" in page.locator("h1").inner_text()
    screenshot(page, f"front-{key}-404-375")
    assert_accessible(page)


def test_keyboard_reaches_main_content_and_the_search_box(public_server, page_at):
    page = page_at(1280)
    page.goto(public_server["url"](SITES["jyj"]))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto(public_server["url"](SITES["jyj"]))
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search-q":
            break
    else:
        pytest.fail("the search box is not reachable with Tab")
    page.keyboard.type("招生")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/search/" and "q=" in page.url


def test_focus_is_visible(public_server, page_at):
    page = page_at(1280)
    page.goto(public_server["url"](SITES["portal"]))
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_elder_mode_and_high_contrast_switch_and_persist(public_server, page_at):
    page = page_at(1280)
    page.goto(public_server["url"](SITES["yunyan"]))
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("button", name="长者模式").click()
    page.wait_for_load_state()
    assert "a11y-elder" in page.evaluate("document.body.className")
    elder_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert elder_size >= normal_size * 1.3
    page.get_by_role("button", name="高对比度").click()
    page.wait_for_load_state()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    screenshot(page, "front-yunyan-elder-contrast-1280")
    assert_accessible(page)
    # Another page of the site, and a new visit: the choice persists (cookie).
    page.locator(".site-nav a").nth(1).click()
    page.wait_for_load_state()
    classes = page.evaluate("document.body.className")
    assert "a11y-elder" in classes and "a11y-contrast" in classes
    assert page.get_by_role("button", name="长者模式").get_attribute("aria-pressed") == "true"
    # Line spacing stays at least 1.3 in paragraphs.
    ratio = page.evaluate("""() => { const p = document.querySelector('main p, main li');
        const s = getComputedStyle(p); return parseFloat(s.lineHeight) / parseFloat(s.fontSize); }""")
    assert ratio >= 1.3
    # Carried to another site of the cluster through its parent-site link.
    page.locator(".parent-link a").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).hostname == SITES["portal"]
    assert "a11y-elder" in page.evaluate("document.body.className")
    page.get_by_role("button", name="恢复默认").click()
    page.wait_for_load_state()
    assert "a11y-elder" not in page.evaluate("document.body.className")


def test_accessibility_toolbar_works_without_javascript(public_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(public_server["url"](SITES["jyj"]))
        page.get_by_role("button", name="大字").click()
        page.wait_for_load_state()
        assert "a11y-large" in page.locator("body").get_attribute("class")
    finally:
        context.close()


def test_touch_targets_are_at_least_44px_on_phones(public_server, page_at):
    page = page_at(375)
    page.goto(public_server["url"](SITES["portal"]))
    small = page.evaluate("""() => [...document.querySelectorAll(
            '.site-nav a, .a11y-toolbar button:not([hidden]), .site-search button, .site-search input, .lang-switch a, .pagination a')]
        .filter(e => e.getBoundingClientRect().height < 44)
        .map(e => e.outerHTML.slice(0, 80))""")
    assert not small, small


def test_read_aloud_is_offered_where_speech_synthesis_exists(public_server, page_at):
    page = page_at(1280)
    page.goto(public_server["url"](SITES["portal"]))
    has_speech = page.evaluate("'speechSynthesis' in window")
    assert page.locator(".read-aloud").is_visible() == has_speech


def test_english_home_of_the_portal(public_server, page_at):
    page = page_at(1280)
    page.goto(public_server["url"](SITES["portal"]))
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/en/"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Welcome to" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    screenshot(page, "front-portal-english-1280")
    assert_accessible(page)


def test_pages_come_from_cache_and_answer_304(public_server):
    url = public_server["url"](SITES["jyj"])
    urllib.request.urlopen(_request(url)).read()
    with urllib.request.urlopen(_request(url)) as response:
        assert response.headers["X-Cache"] == "HIT"
        etag = response.headers["ETag"]
    request = _request(url, **{"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request)
    assert answer.value.code == 304
