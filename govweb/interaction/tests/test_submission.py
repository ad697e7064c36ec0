"""The submission path: committed in one short transaction before the 303, the receipt only in
the browser that wrote, retries answered with the first receipt, notices from the outbox job."""

import datetime as dt
import random
import re
import secrets
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from govweb.cluster.models import SiteProfile, SiteStatus
from govweb.interaction import actions, guard, notify
from govweb.interaction.forms import MessageForm
from govweb.interaction.models import DeadlineRule, Message, Outbox, WorkCalendarDay
from govweb.interaction.workdays import add_working_days

from .helpers import message_post, tracking_of

pytestmark = pytest.mark.django_db
HOST = "www-yunyan.localhost:8000"
SH = ZoneInfo("Asia/Shanghai")


def submit(title="同一时刻的两条留言", token=None, **fields):
    site = SiteProfile.objects.get(domain="www.yunyan.gov.cn")
    values = dict(site=site, unit=None, kind="help", title=title, name="李四",
                  content="小区门口的路灯坏了半个月，晚上出行很不方便。", phone="13912345678",
                  token=token or secrets.token_hex(16))
    values.update(fields)
    return actions.do_submit_message(**values)


def test_the_post_answers_303_to_a_receipt_only_this_browser_can_open(client):
    response, data = message_post(client, "yunyan", follow=False)
    message = Message.objects.get(idempotency_token=data["token"])
    assert response.status_code == 303 and response.content == b""
    location = response["Location"]
    assert location == f"/hudong/liuyan/huizhi/{message.tracking_number}/"
    assert message.check_code not in location  # the check code never travels in a URL

    receipt = client.get(location, HTTP_HOST=HOST)
    assert tracking_of(receipt) == (message.tracking_number, message.check_code)
    assert "no-store" in receipt["Cache-Control"]

    # Someone else with the (guessable) tracking number learns nothing of the message.
    stranger = Client().get(location, HTTP_HOST=HOST)
    html = stranger.content.decode()
    assert stranger.status_code == 404 and "回执已失效" in html
    assert message.title not in html and message.check_code not in html


def test_a_submission_writes_only_the_message_and_its_history(client):
    """No notice, no task row, no other table in the request: those follow from the job."""
    with CaptureQueriesContext(connection) as queries:
        response, data = message_post(client, "yunyan", follow=False)
    assert response.status_code == 303
    statements = [q["sql"] for q in queries.captured_queries]
    written = {table for sql in statements for table in re.findall(r'INSERT INTO "(\w+)"', sql)}
    changed = [sql for sql in statements if re.search(r'(UPDATE|DELETE FROM) "\w+"', sql)]
    assert written == {"interaction_message", "interaction_messageevent"} and not changed
    if connection.vendor == "postgresql":
        # Both rows in one statement, committed by itself (autocommit) before the 303.
        writes = [sql for sql in statements if "INSERT INTO" in sql]
        assert len(writes) == 1 and not any(sql.startswith("SAVEPOINT") for sql in statements)
    message = Message.objects.get(idempotency_token=data["token"])
    assert list(message.events.values_list("action", flat=True)) == ["submit"]
    event = message.events.get()
    assert event.to_state == "received" and event.at == message.received_at
    assert event.actor is None and event.note == ""


def test_a_retry_refused_by_the_rate_limit_still_gets_its_receipt(client, settings):
    settings.GOVWEB_INTERACTION_RATE_IP = "1/m"
    first, data = message_post(client, "yunyan")
    again = client.post("/hudong/liuyan/xie/", data, HTTP_HOST=HOST, follow=True)
    assert again.status_code == 200 and tracking_of(again) == tracking_of(first)
    assert Message.objects.filter(idempotency_token=data["token"]).count() == 1
    another, _ = message_post(client, "yunyan", title="同一地址的第二条留言")
    assert another.status_code == 429  # a new message from the same address is limited


def test_the_same_token_twice_stores_one_message():
    first, created = submit(token="ab" * 16)
    again, created_again = submit(title="重复点击时标题不同", token="ab" * 16)
    assert created and not created_again and again.pk == first.pk
    assert again.title == first.title and again.check_code == first.check_code
    assert Message.objects.filter(idempotency_token="ab" * 16).count() == 1
    assert first.events.count() == 1


def test_a_held_message_is_stored_with_its_note_and_its_unit():
    unit = SiteProfile.objects.get(domain="jyj.guiyang.gov.cn")
    message, _ = submit(unit=unit, held=True, email="li@example.com")
    stored = Message.objects.get(pk=message.pk)
    assert stored.held and stored.unit == unit and stored.email == "li@example.com"
    assert stored.check_code == message.check_code and len(stored.check_code) == 6
    assert stored.tracking_number == message.tracking_number
    event = stored.events.get()
    assert event.to_unit == unit and "敏感词" in event.note


def test_tracking_numbers_are_unique_and_name_their_own_row():
    now = dt.datetime(2025, 9, 30, 16, 59, tzinfo=SH)
    messages = [submit(title=f"同一时刻的留言{i}", now=now)[0] for i in range(12)]
    numbers = {m.tracking_number for m in messages}
    assert len(numbers) == len(messages)
    for message in messages:
        assert message.tracking_number.startswith("20250930")
        assert Message.pk_from_tracking_number(message.tracking_number) == message.pk
    number = messages[0].tracking_number
    typo = number[:-2] + str((int(number[-2]) + 1) % 10) + number[-1]
    assert Message.pk_from_tracking_number(typo) is None  # the check digit catches a typo


def test_receipt_notice_is_written_once_by_the_job_and_then_delivered():
    message, _ = submit()
    assert not Outbox.objects.filter(message=message).exists()
    assert actions.do_queue_receipt_notices() == 1
    assert actions.do_queue_receipt_notices() == 0  # a second run writes nothing more
    row = Outbox.objects.get(message=message)
    assert row.channel == Outbox.Channel.SMS and row.recipient == "13912345678"
    assert message.tracking_number in row.body and message.check_code in row.body
    assert row.sent_at is None
    assert notify.deliver_pending() == 1
    row.refresh_from_db()
    assert row.sent_at is not None and notify.deliver_pending() == 0


class FailingGateway(notify.OutboxSender):
    def deliver(self, row):
        raise RuntimeError("短信网关无响应")


def test_a_failing_gateway_keeps_the_notice_and_its_error(settings):
    settings.GOVWEB_INTERACTION_SENDER = f"{__name__}.FailingGateway"
    message, _ = submit()
    actions.do_queue_receipt_notices()
    assert notify.deliver_pending() == 0
    row = Outbox.objects.get(message=message)
    assert row.sent_at is None and "短信网关无响应" in row.error


def test_an_edited_deadline_rule_applies_to_the_next_message():
    monday = dt.datetime(2025, 3, 3, 10, 0, tzinfo=SH)
    rule, _ = DeadlineRule.objects.update_or_create(kind="help", defaults={"reply_days": 3})
    first, _ = submit(now=monday)
    assert first.deadline == add_working_days(monday, 3)
    rule.reply_days = 10
    rule.save()
    second, _ = submit(now=monday)
    assert second.deadline == add_working_days(monday, 10)


def test_a_unit_taken_offline_is_refused_by_the_form(client):
    jyj = SiteProfile.objects.get(domain="jyj.guiyang.gov.cn")
    page = client.get("/hudong/liuyan/xie/", HTTP_HOST=HOST).content.decode()
    assert f'<option value="{jyj.pk}">' in page
    jyj.status = SiteStatus.CLOSED
    jyj.save()
    response, data = message_post(client, "yunyan", unit=str(jyj.pk))
    assert "请选择有效的办理单位" in response.content.decode()
    assert not Message.objects.filter(idempotency_token=data["token"]).exists()


def test_an_office_calendar_edit_applies_to_the_next_deadline():
    monday = dt.datetime(2025, 3, 3, 10, 0, tzinfo=SH)
    first, _ = submit(now=monday)  # help: 3 working days → Thursday 6 March
    assert first.deadline == dt.date(2025, 3, 6)
    WorkCalendarDay.objects.create(date=dt.date(2025, 3, 5), is_workday=False, note="停工")
    second, _ = submit(now=monday)
    assert second.deadline == dt.date(2025, 3, 7)


def test_each_form_asks_its_own_captcha_question(settings):
    """Forms share their class's fields; the question is set on each form's own copy."""
    settings.GOVWEB_INTERACTION_CAPTCHA = True
    original = MessageForm.base_fields["captcha_answer"].label
    first = MessageForm()
    asked = first.fields["captcha_answer"].label
    assert "验证问题：" in asked
    others = [MessageForm() for _ in range(10)]
    bound = MessageForm({"token": "ab" * 16, "captcha_answer": "99"})
    bound.refresh_captcha()
    assert first.fields["captcha_answer"].label == asked
    assert MessageForm.base_fields["captcha_answer"].label is original
    questions = {form.fields["captcha_answer"].label for form in [first, bound, *others]}
    assert len(questions) > 1 and bound["captcha_answer"].label in questions


@pytest.mark.parametrize("shape", ["0{pk}", " {pk}", "{pk}.0", "+{pk}", "٣"])
def test_a_unit_is_accepted_only_as_listed(client, shape):
    unit = SiteProfile.objects.get(domain="jyj.guiyang.gov.cn")
    response, data = message_post(client, "yunyan", unit=shape.format(pk=unit.pk))
    assert "请选择有效的办理单位" in response.content.decode()
    assert not Message.objects.filter(idempotency_token=data["token"]).exists()
    response, data = message_post(client, "yunyan", unit=str(unit.pk))
    assert Message.objects.get(idempotency_token=data["token"]).unit == unit


def test_plain_text_without_markup_is_cleaned_as_the_html_parser_would():
    """The shortcut for text with no tag or entity gives what nh3 gives, on random text."""
    rng = random.Random(6)
    alphabet = list("留言内容 ab12>\"'=`/\\;#\r\n\t\x00\x01\x0b\x0c\x1f\x7f\x80\x85\xa0"
                    "\ufeff\ufffd\u2028\u200b\u3000") + ["\U0001F600", "\U0010FFFF"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        assert guard.plain_text(text) == guard.parsed_plain_text(text), repr(text)
    assert guard.plain_text("路灯\r\n坏了") == "路灯\n坏了"
    assert guard.plain_text("<b>路灯</b> &amp; 井盖<script>x</script>") == "路灯 & 井盖"
