"""Interaction platform against real gunicorn servers with their own SQLite demo data:
a live interview answer arriving without reload, axe-core on every public interaction page,
and the kill -9 test (nothing acknowledged is lost, nothing is stored twice)."""

import http.cookiejar
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, _free_port, assert_accessible, screenshot

NUMBERS = "零一二三四五六七八九十"


@pytest.fixture(scope="module")
def data_dir():
    """A data dir with the demo cluster (migrated and loaded once for this module)."""
    path = Path(tempfile.mkdtemp(prefix="govweb-interaction-"))
    env = _env(path)
    for args in (["migrate", "-v0"], ["collectstatic", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "-m", "django", *args], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    return path


def _env(data_dir, port=8000, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(GOVWEB_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="govweb.settings.base",
               GOVWEB_ROLE="public", GOVWEB_PUBLIC_PORT=str(port), **extra)
    return env


class Server:
    def __init__(self, data_dir, **extra):
        self.data_dir, self.extra = data_dir, extra
        self.port = _free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "govweb.wsgi:application", "--bind",
             f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", "120",
             "--log-level", "warning"],
            env=_env(self.data_dir, self.port, **self.extra), cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2)
                return self
            except Exception:
                if time.monotonic() > deadline:
                    self.kill()
                    raise
                time.sleep(0.3)

    def kill(self):
        """kill -9 the whole server (master and worker), as a power cut would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def host(self, key):
        domain = {"yunyan": "www-yunyan", "portal": "www-guiyang", "jyj": "jyj-guiyang"}[key]
        return f"{domain}.localhost:{self.port}"

    def url(self, key, path="/"):
        return f"http://{self.host(key)}{path}"


@pytest.fixture(scope="module")
def server(data_dir):
    server = Server(data_dir).start()
    yield server
    server.kill()


def _shell(data_dir, code):
    return subprocess.run([sys.executable, "-m", "django", "shell", "-c", code],
                          env=_env(data_dir), cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]


# ---------------------------------------------------------------------------------------------
# Browser: live interview and accessibility


def test_live_interview_receives_an_approved_answer_without_reload(browser_tools, page_at,
                                                                   server, data_dir):
    interview_id = _shell(data_dir, (
        "from govweb.interaction.models import Interview;"
        "print(Interview.objects.filter(site__domain='jyj.guiyang.gov.cn')"
        ".order_by('-starts_at').first().pk)"))
    question_id = _shell(data_dir, (
        "from govweb.interaction.models import Interview, InterviewQuestion;"
        f"q = InterviewQuestion.objects.create(interview_id={interview_id}, asker='观山湖网友',"
        "content='新学期校车线路会调整吗？', idempotency_token='b' * 32); print(q.pk)"))
    page = page_at()
    page.goto(server.url("jyj", f"/hudong/fangtan/{interview_id}/"))
    assert page.locator(".phase").inner_text() == "正在直播"
    page.evaluate("window.__notReloaded = true")
    assert page.locator(f"#qa-{question_id}").count() == 0
    # The moderator approves and the guest answers (through the same actions as the desk).
    _shell(data_dir, (
        "from govweb.interaction import actions; from govweb.interaction.models import "
        f"InterviewQuestion as Q; q = Q.objects.get(pk={question_id});"
        "actions.do_moderate_question(q, None, approve=True);"
        "actions.do_answer_question(q, None, answer='校车线路将在开学前一周公布。', guest='王立新')"))
    page.wait_for_selector(f"#qa-{question_id}", timeout=15000)
    assert "校车线路将在开学前一周公布" in page.locator(f"#qa-{question_id}").inner_text()
    assert page.evaluate("window.__notReloaded") is True
    screenshot(page, "interaction-live-interview")


def _captcha(page):
    label = page.locator("label[for=id_captcha_answer]").inner_text()
    match = re.search(r"(\S) 加 (\S) 等于", label)
    return str(NUMBERS.index(match.group(1)) + NUMBERS.index(match.group(2)))


def test_public_interaction_pages_are_accessible(browser_tools, page_at, server, data_dir):
    ids = _shell(data_dir, (
        "from govweb.interaction.models import Consultation as C, Survey as S, Interview as I,"
        " Message as M;"
        "print(C.objects.filter(feedback_published_at__isnull=False).first().pk,"
        " C.objects.filter(feedback_published_at__isnull=True).first().pk,"
        " S.objects.order_by('closes_at').first().pk, S.objects.order_by('-closes_at').first().pk,"
        " I.objects.order_by('starts_at').first().pk,"
        " M.objects.filter(state='published', may_publish=True, held=False).first().tracking_number)"
    )).split()
    closed_c, open_c, closed_s, open_s, archived_i, number = ids
    pages = [
        ("yunyan", "/hudong/"), ("yunyan", "/hudong/liuyan/"), ("yunyan", "/hudong/liuyan/xie/"),
        ("yunyan", "/hudong/liuyan/chaxun/"), ("yunyan", "/hudong/jiucuo/?url=http://x.cn/"),
        ("portal", f"/hudong/liuyan/{number}/"), ("portal", "/hudong/zhengji/?all=1"),
        ("portal", f"/hudong/zhengji/{closed_c}/"), ("portal", f"/hudong/zhengji/{open_c}/"),
        ("portal", "/hudong/diaocha/"), ("portal", f"/hudong/diaocha/{open_s}/"),
        ("portal", f"/hudong/diaocha/{closed_s}/"), ("portal", "/hudong/fangtan/"),
        ("portal", f"/hudong/fangtan/{archived_i}/"), ("jyj", "/hudong/wenda/?q=小学入学材料"),
        ("jyj", "/hudong/wenda/"),
    ]
    page = page_at()
    for key, path in pages:
        page.goto(server.url(key, path))
        assert_accessible(page)
    # A form with errors, and the receipt after a real submission.
    page.goto(server.url("yunyan", "/hudong/liuyan/xie/"))
    page.click("form.hudong-form button[type=submit]")
    page.wait_for_selector("#form-errors")
    assert page.locator(".error").count() > 0
    assert_accessible(page)
    page.check("input[name=kind][value=help]")
    page.fill("#id_title", "楼道灯损坏求助")
    page.fill("#id_content", "我们单元楼道的声控灯坏了一个多月，老人晚上上下楼很不方便。")
    page.fill("#id_name", "黄小明")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_captcha_answer", _captcha(page))
    page.click("form.hudong-form button[type=submit]")
    page.wait_for_selector(".tracking-number")
    assert re.fullmatch(r"\d{16}", page.locator(".tracking-number").inner_text())
    assert_accessible(page)
    screenshot(page, "interaction-receipt")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(server.url("yunyan", "/hudong/liuyan/xie/"))
    assert_accessible(page)


# ---------------------------------------------------------------------------------------------
# Kill -9 between receiving and answering: never two, never a success page for a lost message


def _form(server, key):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(urllib.request.Request(
        f"http://127.0.0.1:{server.port}/hudong/liuyan/xie/",
        headers={"Host": server.host(key)}), timeout=10).read().decode()
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    match = re.search(r"验证问题：(\S) 加 (\S) 等于", html)
    data.update(kind="complaint", unit="", title="夜市油烟扰民", name="钱多多",
                phone="13700001111", may_publish="on",
                content="楼下夜市烧烤油烟直排，窗户都不敢开，请城管部门管一管。",
                captcha_answer=str(NUMBERS.index(match.group(1)) + NUMBERS.index(match.group(2))))
    return opener, data


def _post(server, key, opener, data, timeout=60):
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/hudong/liuyan/xie/",
        data=urllib.parse.urlencode(data).encode(),
        headers={"Host": server.host(key), "Referer": server.url(key, "/hudong/liuyan/xie/")})
    return opener.open(request, timeout=timeout).read().decode()


def _count(data_dir, token):
    with sqlite3.connect(data_dir / "govweb.sqlite3") as db:
        return db.execute("select count(*) from interaction_message where idempotency_token=?",
                          (token,)).fetchone()[0]


@pytest.mark.parametrize("stage", ["after_commit", "before_commit"])
def test_kill_9_during_submission_never_loses_or_duplicates(data_dir, stage):
    paused = Server(data_dir, GOVWEB_INTERACTION_TEST_PAUSE=f"{stage}:60").start()
    opener, data = _form(paused, "yunyan")
    outcome = {}

    def submit():
        try:
            outcome["html"] = _post(paused, "yunyan", opener, data)
        except Exception as error:  # the connection dies with the server
            outcome["error"] = error

    thread = threading.Thread(target=submit)
    thread.start()
    if stage == "after_commit":
        deadline = time.monotonic() + 30
        while _count(data_dir, data["token"]) == 0:
            assert time.monotonic() < deadline, "the message was never committed"
            time.sleep(0.1)
    else:
        time.sleep(3)  # inside the open transaction
    paused.kill()
    thread.join(timeout=30)
    assert "html" not in outcome and "error" in outcome  # no success page was ever sent
    stored = _count(data_dir, data["token"])
    assert stored == (1 if stage == "after_commit" else 0)

    restarted = Server(data_dir).start()
    try:
        first = _post(restarted, "yunyan", opener, data)
        again = _post(restarted, "yunyan", opener, data)  # and a double click on top
    finally:
        restarted.kill()
    number = re.search(r'class="tracking-number">(\d+)<', first).group(1)
    assert re.search(r'class="tracking-number">(\d+)<', again).group(1) == number
    assert _count(data_dir, data["token"]) == 1
