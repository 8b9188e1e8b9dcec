"""Browser tests: the app served on a free local port, and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import re
from pathlib import Path
import threading

import pytest
from werkzeug.serving import make_server

from tests.web_support import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
# The submit button of the task's own form (a task page may also carry other forms posting under /tasks/).
TASK_SUBMIT = "section.form button[type=submit]:has-text('提交')"
INBOX = re.compile(r".*/inbox(\?.*)?$")


@pytest.fixture
def live_server(app):
    """The test app on 127.0.0.1 with a port of its own; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, live_server: str, username: str) -> None:
    """Sign in through the login form; the inbox opens. Whoever was signed in on this page is signed out first."""
    sign_out(page)
    page.goto(live_server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    # The login form's own button: a browser still signed in (a late response can set a cookie again after
    # clear_cookies) also shows the header's 退出 button, which "button[type=submit]" would find first.
    page.click("main form button[type=submit]")
    try:
        page.wait_for_url(INBOX, wait_until="domcontentloaded")
    except Exception as error:  # say where the sign-in ended instead (a refusal, a lock, an error page)
        raise AssertionError(f"{username} did not reach the inbox: {page.url}\n{page.inner_text('body')[:600]}") from error


def open_task(page, name: str) -> None:
    """Open the first inbox task of that name (its link, not a flash naming it) and wait for its form."""
    page.locator("main a", has_text=name).first.click()
    page.wait_for_selector(TASK_SUBMIT)


def submit_task(page) -> None:
    """Submit the task's form; the inbox opens again."""
    page.click(TASK_SUBMIT)
    page.wait_for_url(INBOX, wait_until="domcontentloaded")


SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


@pytest.fixture
def wide_page(browser):
    """A 1366 px wide page (the office's usual screen), for tests that keep screenshots; it waits up to 30 s, as the
    suite may share the machine with other work."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def screenshot(page, name: str, folder: str = "") -> None:
    """Save the whole page as var/screenshots/[<folder>/]<name>.png, a test's artifact to look at."""
    (SCREENSHOTS / folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / folder / f"{name}.png"), full_page=True)


def journey_shot(page, journey: str, name: str) -> None:
    """Save the whole page as var/screenshots/journeys/<journey>-<name>.png, the journey's artifact."""
    screenshot(page, f"{journey}-{name}", "journeys")


def sign_out(page) -> None:
    """Forget the signed-in user, so the next sign_in starts afresh. The cookies are cleared once nothing of the
    last page is on its way: a late answer would set the old session again, and the login form's CSRF token
    would then be refused (请求未被接受)."""
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
