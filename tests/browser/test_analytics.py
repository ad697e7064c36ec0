"""Browser test: the cluster dashboard draws its ECharts charts in the admin (no console errors)."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, _free_port, screenshot


@pytest.fixture(scope="module")
def admin_server(browser_tools):
    """The demo cluster (with its analytics demo data) served by the admin role."""
    data_dir = Path(tempfile.mkdtemp(prefix="govweb-browser-admin-"))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(GOVWEB_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="govweb.settings.base",
               GOVWEB_ROLE="admin", WAGTAILADMIN_BASE_URL=f"http://127.0.0.1:{port}")
    for args in (["migrate", "-v0"], ["collectstatic", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "-m", "django", *args], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "govweb.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"], env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2)
            break
        except Exception:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.3)
    passwords = dict(line.split("\t")[:2] for line in
                     (data_dir / "demo-users.txt").read_text(encoding="utf-8").splitlines())
    yield {"url": f"http://127.0.0.1:{port}", "passwords": passwords}
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(data_dir, ignore_errors=True)


def _login(page, server, username):
    page.goto(f"{server['url']}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", server["passwords"][username])
    page.click("button[type=submit]")
    page.wait_for_url(f"{server['url']}/admin/")


def test_cluster_dashboard_renders_its_charts(admin_server, page_at):
    page = page_at(1400, 1000)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, admin_server, "admin")
    page.goto(f"{admin_server['url']}/admin/analytics/")
    page.wait_for_selector("[data-chart] canvas")
    charts = page.locator("[data-chart]")
    assert charts.count() == 5
    assert page.locator("[data-chart] canvas").count() == 5
    assert page.locator("h1").first.inner_text().startswith("访问统计")
    # The demo log feeds real figures: the page-view total is not zero.
    assert page.locator(".analytics-kpis strong").first.inner_text() not in {"", "0"}
    screenshot(page, "analytics-dashboard")
    page.goto(f"{admin_server['url']}/admin/analytics/evaluation/")
    page.wait_for_selector("[data-chart] canvas")
    assert page.locator("table.analytics-table tbody tr").count() >= 9
    screenshot(page, "analytics-evaluation")
    assert errors == []


def test_site_manager_dashboard_is_limited_to_their_site(admin_server, page_at):
    page = page_at()
    _login(page, admin_server, "yunyan_editor")
    page.goto(f"{admin_server['url']}/admin/analytics/")
    page.wait_for_selector("[data-chart] canvas")
    assert "云岩区人民政府" in page.locator("h1").first.inner_text()
    options = page.locator("select[name=site] option").all_inner_texts()
    assert options == ["云岩区人民政府"]
