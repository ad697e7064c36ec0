import re
from contextlib import contextmanager

from django.test import override_settings

from conftest import host_of

ADMIN_HOST = "127.0.0.1:8001"


def form_fields(html):
    """Hidden inputs of the first form on a page (token, captcha token)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def captcha_answer(html):
    match = re.search(r"验证问题：(\S) 加 (\S) 等于多少", html)
    numbers = "零一二三四五六七八九十"
    return str(numbers.index(match.group(1)) + numbers.index(match.group(2)))


def message_post(client, key, follow=True, **overrides):
    """GET the form on a site, fill it as a citizen would, POST it. Returns the response (by
    default the page the browser ends on: the receipt after the 303, or the form again)."""
    host = host_of(key)
    page = client.get("/hudong/liuyan/xie/", HTTP_HOST=host).content.decode()
    data = form_fields(page)
    data.update(kind="complaint", unit="", title="小区门口道路积水严重",
                content="每逢下雨小区门口道路积水没过脚踝，行人车辆通行困难，请尽快处理。",
                name="张三丰", phone="13812341234", email="zhang@example.com",
                may_publish="on", captcha_answer=captcha_answer(page))
    data.update(overrides)
    return client.post("/hudong/liuyan/xie/", data, HTTP_HOST=host, follow=follow), data


def tracking_of(response):
    html = response.content.decode()
    number = re.search(r'class="tracking-number">(\d+)<', html).group(1)
    code = re.search(r'class="check-code">(\w+)<', html).group(1)
    return number, code


@contextmanager
def as_admin_role():
    """Requests inside are served by the admin back end (the public role has no /admin/)."""
    with override_settings(GOVWEB_ROLE="admin", ROOT_URLCONF="govweb.urls.admin"):
        yield
