"""Citizens' view of the demo cluster in real Chromium: rendering and accessibility."""

import pytest

from tests.browser.conftest import assert_accessible, screenshot

SITES = [("portal", "www-guiyang.localhost", "贵阳市人民政府"),
         ("yunyan", "www-yunyan.localhost", "云岩区人民政府"),
         ("jyj", "jyj-guiyang.localhost", "贵阳市教育局")]


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("key, host, name", SITES)
def test_home_renders_accessibly(public_server, page_at, key, host, name, width):
    page = page_at(width)
    response = page.goto(public_server["url"](host))
    assert response.status == 200
    assert page.locator(".banner-mark").inner_text() == "中国·贵阳"
    assert name in page.locator(".site-name").inner_text()
    assert page.locator("footer").get_by_text("网站标识码").is_visible()
    screenshot(page, f"home-{key}-{width}")
    assert_accessible(page)


def test_keyboard_reaches_main_content_first(public_server, page_at):
    page = page_at(1280)
    page.goto(public_server["url"]("www-yunyan.localhost"))
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent")
    assert skip.strip() == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_article_page_renders_accessibly(public_server, page_at):
    page = page_at(1280)
    page.goto(public_server["url"]("jyj-guiyang.localhost"))
    page.locator(".home-column .item-list a").first.click()
    page.wait_for_load_state()
    assert page.locator("meta[name=ArticleTitle]").get_attribute("content")
    screenshot(page, "article-jyj-1280")
    assert_accessible(page)
