"""Browser test: the search page in real Chromium — accessible (axe-core), usable by
keyboard and without JavaScript, suggestions filled in as one types."""

from urllib.parse import quote

from .conftest import assert_accessible, screenshot

HOST = "www-guiyang.localhost"


def test_search_results_page_is_accessible_and_shows_a_service_card(public_server, page_at):
    page = page_at(1280, 900)
    page.goto(public_server["url"](HOST, "/search/?q=" + quote("公积金怎么提取")))
    assert page.locator(".answer-card h3").first.inner_text() == "住房公积金提取"
    assert page.locator(".answer-card .card-action").first.is_visible()
    screenshot(page, "search-service-card")
    assert_accessible(page)


def test_search_with_facets_keyboard_and_mobile(public_server, page_at):
    page = page_at(390, 844)
    page.goto(public_server["url"](HOST, "/search/"))
    page.keyboard.press("Tab")  # skip link first
    page.fill("#search-q", "义务教育入学")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".result").count() > 0
    assert page.locator(".result mark").count() > 0
    assert page.locator(".facets h3").count() == 4
    first_type = page.locator(".facets section").first.locator("a").first
    with page.expect_navigation():
        first_type.click()
    assert page.locator('.facets a[aria-current="true"]').count() == 1
    screenshot(page, "search-results-mobile")
    assert_accessible(page)


def test_suggestions_fill_the_datalist_as_one_types(public_server, page_at):
    page = page_at()
    page.goto(public_server["url"](HOST, "/search/"))
    page.locator("#search-q").press_sequentially("gjj", delay=50)
    page.wait_for_function(
        "document.querySelectorAll('#search-suggestions option').length > 0", timeout=5000)
    values = page.eval_on_selector_all("#search-suggestions option", "els => els.map(e => e.value)")
    assert "公积金" in values


def test_english_search_page_is_accessible(public_server, page_at):
    page = page_at()
    page.goto(public_server["url"](HOST, "/search/?lang=en&q=" + quote("教育")))
    assert page.locator("h1").inner_text() == "Search"
    assert_accessible(page)
