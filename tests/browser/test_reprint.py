"""推送 in real Chromium: an item of 市教育局 pushed to the portal reads the same there."""

from tests.browser.conftest import assert_accessible, screenshot


def _titles(page):
    return {t.strip() for t in page.locator("main a").all_inner_texts() if t.strip()}


def test_pushed_item_is_listed_and_readable_on_the_portal(public_server, page_at):
    page = page_at(1280)
    page.goto(public_server["url"]("jyj-guiyang.localhost"))
    jyj_titles = _titles(page)
    page.goto(public_server["url"]("www-guiyang.localhost"))
    # The portal's first news column received the push (demo: govweb/reprint/demo.py).
    page.locator(".home-column h2 a").first.click()
    page.wait_for_load_state()
    shared = [a for a in page.locator(".listing a").all() if a.inner_text().strip() in jyj_titles]
    assert shared, "no item of 市教育局 is listed on the portal"
    title = shared[0].inner_text().strip()
    shared[0].click()
    page.wait_for_load_state()
    assert page.url.startswith(public_server["url"]("www-guiyang.localhost"))
    assert page.locator("meta[name=ArticleTitle]").get_attribute("content") == title
    assert page.locator("meta[name=SiteName]").get_attribute("content") == "贵阳市人民政府"
    screenshot(page, "reprint-pushed-on-portal-1280")
    assert_accessible(page)
