"""Error reports (2 working days), consultations, surveys, interviews, smart Q&A, privacy."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from govweb.cluster.models import SiteProfile
from govweb.interaction import actions, guard
from govweb.interaction.models import (
    Consultation,
    ConsultationComment,
    ErrorReport,
    Interview,
    Message,
    Survey,
    SurveyQuestion,
)

from .helpers import as_admin_role, captcha_answer, form_fields, message_post

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
YUNYAN = "www-yunyan.localhost:8000"
PORTAL = "www-guiyang.localhost:8000"


def profile(domain):
    return SiteProfile.objects.get(domain=domain)


# ---- error reports ------------------------------------------------------------------------

def test_error_report_from_the_footer_link_is_prefilled_and_stored(client):
    page = client.get("/hudong/jiucuo/?url=http://www-yunyan.localhost:8000/zwgk/",
                      HTTP_HOST=YUNYAN).content.decode()
    assert 'value="http://www-yunyan.localhost:8000/zwgk/"' in page
    data = form_fields(page)
    data.update(page_url="http://www-yunyan.localhost:8000/zwgk/", kind="broken_link",
                description="第二页链接打不开", captcha_answer=captcha_answer(page))
    r = client.post("/hudong/jiucuo/", data, HTTP_HOST=YUNYAN)
    assert "纠错已收到" in r.content.decode()
    report = ErrorReport.objects.get(idempotency_token=data["token"])
    assert report.site.domain == "www.yunyan.gov.cn"


def test_unanswered_error_report_is_overdue_after_two_working_days():
    # Received Friday 2026-09-25 10:00 → 2 working days: Sun 27 Sep is not one, Mon 28 and Tue 29.
    received = dt.datetime(2026, 9, 25, 10, 0, tzinfo=SH)
    report, _ = actions.do_submit_error_report(
        site=profile("www.yunyan.gov.cn"), page_url="http://www-yunyan.localhost:8000/",
        kind="typo", description="错别字", token="a" * 32, now=received)
    assert report.deadline == dt.date(2026, 9, 29)
    assert not report.is_overdue(dt.datetime(2026, 9, 29, 17, 0, tzinfo=SH))
    assert report.is_overdue(dt.datetime(2026, 9, 30, 9, 0, tzinfo=SH))
    counts = actions.check_deadlines(now=dt.datetime(2026, 9, 30, 9, 0, tzinfo=SH))
    assert counts["errors_escalated"] >= 1
    report.refresh_from_db()
    assert report.escalated_at is not None
    # Answered in time: not overdue.
    other, _ = actions.do_submit_error_report(
        site=profile("www.yunyan.gov.cn"), page_url="", kind="other", description="其他",
        token="b" * 32, now=received)
    actions.do_answer_error_report(other, None, reply="已修改",
                                   now=dt.datetime(2026, 9, 28, 9, tzinfo=SH))
    assert not other.is_overdue(dt.datetime(2026, 10, 9, tzinfo=SH))


def test_overdue_message_escalates_once_and_reminds_before(mailoutbox):
    received = dt.datetime(2024, 9, 30, 16, 0, tzinfo=SH)
    message, _ = actions.do_submit_message(
        site=profile("www.yunyan.gov.cn"), unit=profile("www.yunyan.gov.cn"), kind="complaint",
        title="测试超期", content="测试超期督办的留言内容", name="李四", phone="13900001111",
        token="c" * 32, now=received)
    assert message.deadline == dt.date(2024, 10, 12)
    r = actions.check_deadlines(now=dt.datetime(2024, 10, 11, 9, tzinfo=SH))
    assert r["reminded"] >= 1 and message.events.filter(action="remind").exists()
    r = actions.check_deadlines(now=dt.datetime(2024, 10, 14, 9, tzinfo=SH))
    assert message.events.filter(action="escalate").count() == 1
    actions.check_deadlines(now=dt.datetime(2024, 10, 15, 9, tzinfo=SH))
    assert message.events.filter(action="escalate").count() == 1
    assert any("超期" in m.subject for m in mailoutbox)


# ---- consultations and surveys ---------------------------------------------------------------

def test_consultation_closes_on_its_date_and_publishes_feedback(client):
    now = timezone.now()
    consultation = Consultation.objects.create(
        site=profile("www.yunyan.gov.cn"), title="云岩区停车管理办法（征求意见稿）",
        draft_text="<p>第一条</p>", opens_at=now - dt.timedelta(days=5),
        closes_at=now + dt.timedelta(days=5))
    comment, _ = actions.do_submit_comment(consultation, name="王五", content="建议增加夜间停车位",
                                           token="d" * 32, now=now)
    # On the closing date it stops accepting comments.
    closing = consultation.closes_at
    with pytest.raises(actions.ActionError):
        actions.do_submit_comment(consultation, name="赵六", content="太晚了的意见",
                                  token="e" * 32, now=closing)
    with pytest.raises(actions.ActionError):  # no feedback before closing
        actions.do_publish_feedback(consultation, None, report="<p>x</p>", now=now)
    actions.do_moderate_comment(comment, None, approve=True)
    actions.do_mark_adoption(comment, None, adopted=False, note="与上位法不符")
    actions.do_publish_feedback(consultation, None, report="<p>共收到意见1条，未采纳1条。</p>",
                                now=closing + dt.timedelta(days=1))
    consultation.closes_at = now - dt.timedelta(minutes=1)  # the date has come
    consultation.save()
    page = client.get(f"/hudong/zhengji/{consultation.pk}/", HTTP_HOST=YUNYAN).content.decode()
    assert "意见采纳情况反馈" in page and "与上位法不符" in page
    assert "共收到意见 1 条，采纳 0 条，未采纳 1 条" in page
    assert "发表意见" not in page
    r = client.post(f"/hudong/zhengji/{consultation.pk}/", {"name": "x", "content": "迟到的意见"},
                    HTTP_HOST=YUNYAN)
    assert r.status_code == 403
    assert ConsultationComment.objects.filter(consultation=consultation).count() == 1


def _survey(now, closes_in_days=5):
    survey = Survey.objects.create(site=profile("www.guiyang.gov.cn"), title="网站满意度测试问卷",
                                   opens_at=now - dt.timedelta(days=1),
                                   closes_at=now + dt.timedelta(days=closes_in_days))
    q1 = SurveyQuestion.objects.create(survey=survey, sort_order=0, text="总体评价",
                                       kind="single", options="满意\n一般")
    q2 = SurveyQuestion.objects.create(survey=survey, sort_order=1, text="评分", kind="rating")
    return survey, q1, q2


def test_survey_refuses_a_second_response_from_the_same_visitor(client):
    survey, q1, q2 = _survey(timezone.now())
    url = f"/hudong/diaocha/{survey.pk}/"
    client.get(url, HTTP_HOST=PORTAL)  # the visitor cookie is issued here
    r = client.post(url, {f"q{q1.pk}": "满意"}, HTTP_HOST=PORTAL)
    assert "请回答第 2 题" in r.content.decode()  # required question
    r = client.post(url, {f"q{q1.pk}": "满意", f"q{q2.pk}": "5"}, HTTP_HOST=PORTAL)
    assert r.status_code == 200 and "问卷已提交" in r.content.decode()
    r = client.post(url, {f"q{q1.pk}": "一般", f"q{q2.pk}": "1"}, HTTP_HOST=PORTAL)
    assert r.status_code == 409 and "只能提交一次" in r.content.decode()
    assert survey.responses.count() == 1
    # Results (charts and table) appear after close.
    survey.closes_at = timezone.now() - dt.timedelta(seconds=1)
    survey.save()
    page = client.get(url, HTTP_HOST=PORTAL).content.decode()
    assert "调查结果" in page and re.search(r"<td>满意</td><td>1</td><td>100%</td>", page)


# ---- interviews ----------------------------------------------------------------------------

def test_interview_question_appears_live_only_after_approval_and_answer(client):
    interview = Interview.objects.filter(site__domain="jyj.guiyang.gov.cn").order_by("-starts_at").first()
    host = "jyj-guiyang.localhost:8000"
    page = client.get(f"/hudong/fangtan/{interview.pk}/", HTTP_HOST=host).content.decode()
    data = form_fields(page)
    data.update(asker="南明网友", content="课后服务收费标准是多少？", captcha_answer=captcha_answer(page))
    client.post(f"/hudong/fangtan/{interview.pk}/", data, HTTP_HOST=host)
    question = interview.questions.get(content="课后服务收费标准是多少？")
    live = client.get(f"/hudong/fangtan/{interview.pk}/live.json", HTTP_HOST=host).json()
    assert all(a["id"] != question.pk for a in live["answers"])
    user = get_user_model().objects.get(username="jyj_reviewer")
    client.force_login(user)
    with as_admin_role():
        r = client.post(f"/admin/hudong/fangtan/{interview.pk}/",
                        {"question": question.pk, "action": "answer", "guest": "王立新",
                         "answer": "按成本补偿原则收取。"}, HTTP_HOST="127.0.0.1:8001")
    assert r.status_code == 302
    live = client.get(f"/hudong/fangtan/{interview.pk}/live.json", HTTP_HOST=host).json()
    assert any(a["id"] == question.pk and a["answer"] == "按成本补偿原则收取。"
               for a in live["answers"])


# ---- smart Q&A -----------------------------------------------------------------------------

def test_smart_qa_answers_from_faqs_and_offers_a_message(client):
    host = "jyj-guiyang.localhost:8000"
    page = client.get("/hudong/wenda/?q=小学新生入学要准备什么材料", HTTP_HOST=host).content.decode()
    assert "户口簿" in page
    assert 'action="/hudong/liuyan/xie/"' in page
    form = client.get("/hudong/liuyan/xie/?q=小学新生入学要准备什么材料", HTTP_HOST=host)
    assert "小学新生入学要准备什么材料</textarea>" in form.content.decode()
    none = client.get("/hudong/wenda/?q=火星移民签证", HTTP_HOST=host).content.decode()
    assert "暂时没有找到合适的答案" in none and "转为留言" in none


# ---- abuse and privacy ---------------------------------------------------------------------

def test_rate_limit_refuses_a_flood_from_one_ip(client, settings):
    settings.GOVWEB_INTERACTION_RATE_IP = "3/m"
    statuses = [message_post(client, "yunyan", title=f"重复提交测试{i}")[0].status_code
                for i in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]


def test_attachments_are_checked_by_content(client):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    r, _ = message_post(client, "yunyan", attachments=fake)
    assert "不是有效的 JPG、PNG 图片或 PDF 文件" in r.content.decode()
    pdf = SimpleUploadedFile("材料.exe", b"%PDF-1.4\n%...\n", content_type="application/x-msdownload")
    r, data = message_post(client, "yunyan", attachments=pdf)
    message = Message.objects.get(idempotency_token=data["token"])
    attachment = message.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.file.name.endswith(".pdf")


def test_masking_rules():
    assert guard.mask_name("张三丰") == "张**"
    assert guard.mask_name("张三") == "张*"
    assert guard.mask_phone("13812341234") == "138****1234"
    text = guard.mask_text("电话13812341234，身份证520102199001011234，邮箱a.b@qq.com")
    assert "13812341234" not in text and "520102199001011234" not in text and "@qq.com" not in text
    assert "138****1234" in text


def test_public_pages_answer_on_every_site(client):
    for path in ["/hudong/", "/hudong/liuyan/", "/hudong/liuyan/xie/", "/hudong/liuyan/chaxun/",
                 "/hudong/jiucuo/", "/hudong/zhengji/", "/hudong/zhengji/?all=1",
                 "/hudong/diaocha/", "/hudong/fangtan/", "/hudong/wenda/?q=社保"]:
        for host in (YUNYAN, PORTAL):
            assert client.get(path, HTTP_HOST=host).status_code == 200, (path, host)
    html = client.get("/hudong/liuyan/", HTTP_HOST=PORTAL).content.decode()
    for message in Message.objects.filter(state__in=["published", "closed"]):
        assert message.phone not in html and message.name not in html
