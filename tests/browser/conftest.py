"""Browser tests: a real public-role server (gunicorn, demo data) driven by headless Chromium.

In CI (CI=true) a missing Chromium or axe-core fails the run instead of skipping.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def _missing():
    if not Path(CHROMIUM).exists():
        return "Debian chromium is not installed (apt-get install chromium)"
    if not AXE.exists():
        return "axe-core is not installed (cd tests/browser && npm ci)"
    return None


@pytest.fixture(scope="session")
def browser_tools():
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def public_server(browser_tools):
    """The demo cluster served by the public role on a free loopback port."""
    data_dir = Path(tempfile.mkdtemp(prefix="govweb-browser-"))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(GOVWEB_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="govweb.settings.base",
               GOVWEB_ROLE="public", GOVWEB_PUBLIC_PORT=str(port))
    for args in (["migrate", "-v0"], ["collectstatic", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "-m", "django", *args], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "govweb.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            break
        except Exception:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.3)
    yield {"port": port, "url": lambda host, path="/": f"http://{host}:{port}{path}"}
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(browser_tools):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-background-networking",
                  "--disable-gpu", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_at(browser):
    """Open a fresh page with the given viewport width; closed after the test."""
    contexts = []

    def open_page(width=1280, height=900):
        # bypass_csp: axe-core is injected as an inline script, which the site's CSP forbids.
        context = browser.new_context(viewport={"width": width, "height": height},
                                      bypass_csp=True)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core (WCAG 2.1 A/AA rules) in the page; return the serious/critical violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"] if v["impact"] in impacts
    ]


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
