"""Online services in real Chromium: catalogue pages are accessible and guides print on A4."""

from tests.browser.conftest import SCREENSHOTS, assert_accessible, screenshot

PORTAL = "www-guiyang.localhost"
A4_CONTENT_WIDTH_PX = 688  # 210 mm minus 2 × 14 mm margins at 96 dpi


def open_guide(public_server, page, name="住房公积金提取（购买自住住房）"):
    page.goto(public_server["url"](PORTAL, "/banshi/shixiang/?q=" + name))
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == name


def test_services_home_is_accessible(public_server, page_at):
    for width in (1280, 375):
        page = page_at(width)
        response = page.goto(public_server["url"](PORTAL, "/banshi/"))
        assert response.status == 200
        assert page.locator("h1").inner_text() == "办事服务"
        assert page.get_by_role("link", name="个人办事").first.is_visible()
        screenshot(page, f"services-home-{width}")
        assert_accessible(page)


def test_category_page_is_accessible(public_server, page_at):
    page = page_at(1280)
    page.goto(public_server["url"](PORTAL, "/banshi/"))
    page.locator(".topic-tiles a", has_text="开办企业").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "开办企业"
    assert page.locator(".service-list li").count() >= 3
    screenshot(page, "services-category-1280")
    assert_accessible(page)
    page.goto(public_server["url"](PORTAL, "/banshi/geren/"))
    assert_accessible(page)


def test_guide_is_accessible_and_downloads_work(public_server, page_at):
    page = page_at(1280)
    open_guide(public_server, page)
    for heading in ("设定依据", "申请条件", "申请材料", "办理流程", "办理地点与时间"):
        assert page.get_by_role("heading", name=heading).is_visible()
    screenshot(page, "services-guide-1280")
    assert_accessible(page)
    head = """async (url) => { const r = await fetch(url);
        const b = new Uint8Array(await r.arrayBuffer());
        return [r.status, String.fromCharCode(...b.slice(0, 4))]; }"""
    assert page.evaluate(head, page.url + "pdf/") == [200, "%PDF"]
    sample = page.locator(".materials a", has_text="示例样表").first.get_attribute("href")
    assert page.evaluate(head, sample) == [200, "%PDF"]


def test_guide_prints_on_a4_without_cut_off_tables(public_server, page_at):
    page = page_at(A4_CONTENT_WIDTH_PX, 1000)
    open_guide(public_server, page, "住房公积金个人住房贷款")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()  # print shows the guide only
    overflow = page.evaluate("""(limit) => {
        const bad = [];
        for (const table of document.querySelectorAll('.guide table')) {
            const box = table.getBoundingClientRect();
            if (box.right > limit + 1 || table.scrollWidth > table.clientWidth + 1) bad.push(table.className);
            for (const cell of table.querySelectorAll('th, td')) {
                if (cell.scrollWidth > cell.clientWidth + 1) bad.push(table.className + ' ' + cell.textContent.slice(0, 20));
            }
        }
        return bad;
    }""", A4_CONTENT_WIDTH_PX)
    assert overflow == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SCREENSHOTS / "services-guide-a4.pdf"), format="A4", prefer_css_page_size=True)
    assert (SCREENSHOTS / "services-guide-a4.pdf").stat().st_size > 10_000


def test_rating_form_is_accessible_and_works_without_javascript(public_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        open_guide(public_server, page, "就业登记")
        page.get_by_role("link", name="评价此事项").click()
        page.wait_for_load_state()
        assert page.locator("form.rating-form").is_visible()
        page.get_by_role("button", name="提交评价").click()
        page.wait_for_load_state()
        assert "请选择评分" in page.content()
        page.get_by_label("4分 满意").check()
        page.get_by_role("button", name="提交评价").click()
        page.wait_for_load_state()
        assert "感谢您的评价" in page.content()
    finally:
        context.close()
