"""A message's whole life over HTTP, unit isolation, idempotency and privacy."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from govweb.cluster.models import SiteProfile
from govweb.interaction.actions import do_queue_receipt_notices
from govweb.interaction.models import Message, MessageState, Outbox

from .helpers import ADMIN_HOST, as_admin_role, message_post, tracking_of

pytestmark = pytest.mark.django_db
User = get_user_model()


def unit(domain):
    return SiteProfile.objects.get(domain=domain)


def desk(client, username, pk, **data):
    client.force_login(User.objects.get(username=username))
    with as_admin_role():
        return client.post(f"/admin/hudong/liuyan/{pk}/", data, HTTP_HOST=ADMIN_HOST)


def admin_get(client, path):
    with as_admin_role():
        return client.get(path, HTTP_HOST=ADMIN_HOST)


def test_submission_gives_a_tracking_number_that_is_stored(client):
    response, _data = message_post(client, "yunyan")
    assert response.status_code == 200, response.content.decode()[:3000]
    number, code = tracking_of(response)
    message = Message.objects.get(pk=Message.pk_from_tracking_number(number))
    assert message.tracking_number == number and message.check_code == code
    assert message.site.domain == "www.yunyan.gov.cn" and message.unit is None
    assert message.state == MessageState.RECEIVED
    # The citizen is told by email (outbox), with the number, by the periodic job.
    do_queue_receipt_notices()
    assert Outbox.objects.filter(message=message, recipient="zhang@example.com",
                                 body__contains=number).exists()


def test_double_click_creates_one_message(client):
    first, data = message_post(client, "yunyan")
    before = Message.objects.count()
    again = client.post("/hudong/liuyan/xie/", data, HTTP_HOST="www-yunyan.localhost:8000",
                        follow=True)
    assert again.status_code == 200
    assert tracking_of(again) == tracking_of(first)
    assert Message.objects.count() == before


def test_invalid_form_names_the_field_in_chinese(client):
    response, _ = message_post(client, "yunyan", title="", phone="12345")
    html = response.content.decode()
    assert "请填写标题" in html
    assert "手机号码格式不正确" in html
    assert not Message.objects.filter(content__startswith="每逢下雨小区门口").exists()


def test_wrong_captcha_is_refused(client):
    response, _ = message_post(client, "yunyan", captcha_answer="99")
    assert "验证问题回答不正确" in response.content.decode()
    assert not Message.objects.filter(content__startswith="每逢下雨小区门口").exists()


def test_html_is_stripped_and_sensitive_words_hold(client):
    response, _ = message_post(client, "yunyan", title="<b>求助</b>有人<script>x()</script>代开发票")
    number, _code = tracking_of(response)
    message = Message.objects.get(pk=Message.pk_from_tracking_number(number))
    assert message.title == "求助有人代开发票"
    assert message.held


def test_full_life_of_a_message_over_http(client):
    """Submit on 云岩区 → triage → assign → transfer to 市教育局 → reply → review → publish →
    public page with masked name → rating."""
    response, _ = message_post(client, "yunyan", title="孩子转学到云岩区如何办理",
                               content="我家孩子从外省转学到云岩区，联系电话13812341234，请问流程？")
    number, code = tracking_of(response)
    message = Message.objects.get(pk=Message.pk_from_tracking_number(number))
    yunyan, jyj = unit("www.yunyan.gov.cn"), unit("jyj.guiyang.gov.cn")

    # Triage by the general office: 云岩区 handles it.
    r = desk(client, "admin", message.pk, action="accept", unit=yunyan.pk)
    assert r.status_code == 302
    message.refresh_from_db()
    assert message.state == MessageState.ACCEPTED and message.unit == yunyan

    # 云岩区's editor assigns it within the unit, then transfers it to 市教育局.
    editor = User.objects.get(username="yunyan_editor")
    desk(client, "yunyan_editor", message.pk, action="assign", official=editor.pk)
    message.refresh_from_db()
    assert message.state == MessageState.ASSIGNED and message.assigned_to == editor
    desk(client, "yunyan_editor", message.pk, action="transfer", unit=jyj.pk,
         note="属于教育部门职责")
    message.refresh_from_db()
    assert message.unit == jyj and message.state == MessageState.ACCEPTED
    # 云岩区 no longer sees it.
    client.force_login(editor)
    assert admin_get(client, f"/admin/hudong/liuyan/{message.pk}/").status_code == 403

    # 市教育局 drafts the reply; its reviewer signs it off.
    mail.outbox.clear()
    desk(client, "jyj_editor", message.pk, action="reply",
         text="转学请持原学校转学申请表到云岩区教育局办理。")
    message.refresh_from_db()
    assert message.state == MessageState.REPLIED
    assert mail.outbox, "the unit's reviewer is told a reply awaits sign-off"
    # The drafter cannot sign his own reply off.
    r = desk(client, "jyj_editor", message.pk, action="sign_off")
    message.refresh_from_db()
    assert message.state == MessageState.REPLIED
    desk(client, "jyj_reviewer", message.pk, action="sign_off")
    message.refresh_from_db()
    assert message.state == MessageState.PUBLISHED and message.replied_at

    # The public page shows the reply with the name and phone masked.
    client.logout()
    host = "www-yunyan.localhost:8000"
    page = client.get(f"/hudong/liuyan/{number}/", HTTP_HOST=host).content.decode()
    assert "转学请持原学校转学申请表" in page
    assert "张*" in page and "张三丰" not in page
    assert "138****1234" in page and "13812341234" not in page
    assert "zhang@example.com" not in page
    listing = client.get("/hudong/liuyan/", HTTP_HOST=host).content.decode()
    assert "孩子转学到云岩区如何办理" in listing
    api = client.get("/hudong/api/liuyan.json", HTTP_HOST=host).content.decode()
    assert number in api and "13812341234" not in api and "张三丰" not in api

    # The history records every step, including the transfer with its reason.
    actions = list(message.events.values_list("action", flat=True))
    assert actions == ["submit", "accept", "assign", "transfer", "draft_reply", "sign_off"]
    assert message.events.get(action="transfer").note == "属于教育部门职责"

    # The citizen looks it up with number + check code and rates the reply.
    r = client.post("/hudong/liuyan/chaxun/", {"tracking_number": number, "check_code": code},
                    HTTP_HOST=host)
    assert "转学请持原学校转学申请表" in r.content.decode()
    r = client.post("/hudong/liuyan/chaxun/", {"tracking_number": number, "check_code": code,
                                                "rating": "4", "comment": "很及时"},
                    HTTP_HOST=host)
    assert "感谢您的评价" in r.content.decode()
    message.refresh_from_db()
    assert message.rating == 4 and message.state == MessageState.CLOSED


def test_wrong_check_code_reveals_nothing(client):
    response, _ = message_post(client, "yunyan")
    number, _code = tracking_of(response)
    r = client.post("/hudong/liuyan/chaxun/", {"tracking_number": number, "check_code": "AAAAAA"},
                    HTTP_HOST="www-yunyan.localhost:8000")
    html = r.content.decode()
    assert "未找到该留言" in html and "每逢下雨" not in html


def test_unpublished_message_is_not_public(client):
    response, _ = message_post(client, "yunyan")
    number, _code = tracking_of(response)
    r = client.get(f"/hudong/liuyan/{number}/", HTTP_HOST="www-yunyan.localhost:8000")
    assert r.status_code == 404


def test_jyj_official_cannot_see_or_act_on_yunyan_messages(client):
    yunyan = unit("www.yunyan.gov.cn")
    response, _ = message_post(client, "yunyan", unit=str(yunyan.pk))
    number, _code = tracking_of(response)
    message = Message.objects.get(pk=Message.pk_from_tracking_number(number))
    assert message.unit == yunyan

    assert admin_get(client, f"/admin/hudong/liuyan/{message.pk}/").status_code == 302  # login
    client.force_login(User.objects.get(username="jyj_editor"))
    assert admin_get(client, f"/admin/hudong/liuyan/{message.pk}/").status_code == 403
    for data in ({"action": "accept"}, {"action": "reject", "reason": "abusive"},
                 {"action": "note", "note": "x"}):
        r = desk(client, "jyj_editor", message.pk, **data)
        assert r.status_code == 403
    message.refresh_from_db()
    assert message.state == MessageState.RECEIVED and not message.events.exclude(action="submit")
    queue = admin_get(client, "/admin/hudong/?state=all").content.decode()
    assert number not in queue
    # ... while 云岩区's own editor does see it.
    client.force_login(User.objects.get(username="yunyan_editor"))
    queue = admin_get(client, "/admin/hudong/?state=all").content.decode()
    assert number in queue


def test_statistics_export_xlsx(client):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(User.objects.get(username="admin"))
    r = admin_get(client, "/admin/hudong/tongji/?format=xlsx")
    assert r.status_code == 200
    book = load_workbook(BytesIO(r.content))
    rows = list(book["留言办理"].values)
    assert rows[0][0] == "单位" and rows[-1][0] == "合计"
    assert rows[-1][1] == Message.objects.count()
    assert "网民纠错" in book.sheetnames


def test_a_failed_attempt_shows_a_new_question_that_works(client):
    from .helpers import captcha_answer, form_fields

    response, data = message_post(client, "yunyan", captcha_answer="99")
    html = response.content.decode()
    assert "验证问题回答不正确" in html
    fresh = form_fields(html)
    assert fresh["captcha_token"] != data["captcha_token"]
    data.update(captcha_token=fresh["captcha_token"], captcha_answer=captcha_answer(html))
    again = client.post("/hudong/liuyan/xie/", data, HTTP_HOST="www-yunyan.localhost:8000",
                        follow=True)
    assert tracking_of(again)[0]
