"""In a real Chromium at a desktop's 1366 px and a phone's 390 px: the inbox, a task page and the dashboard fit
the phone's width (no sideways scrolling of the page), the inbox shows cards there, and axe-core finds no serious
or critical accessibility violation on the main pages of each role. Screenshots go to var/screenshots/."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import TASK_SUBMIT
from tests.process_support import Driver, start_projects
from tests.test_dashboard import raise_consultation
from tests.web_support import PASSWORD, ensure_user

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "var" / "screenshots"
AXE = ROOT / "web" / "static" / "editor" / "axe.min.js"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
USERS = {"zuzhibu": ("zuzhibu", "unit"), "office": ("tuijinban", "office"), "supervisor": ("duchake", "supervisor"),
         "auditor": ("tuijinban", "auditor"), "admin": ("tuijinban", "admin")}
# The main pages of each role (a unit's task page is added by the test: its id is known only then).
MAIN_PAGES = {
    "zuzhibu": ["/inbox", "/inbox/done", "/notifications", "/projects", "/projects/2", "/account/notifications"],
    "office": ["/inbox", "/dashboard", "/projects", "/instances", "/starts", "/reports"],
    "supervisor": ["/inbox", "/dashboard", "/projects"],
    "auditor": ["/dashboard", "/reports", "/instances"],
    "admin": ["/admin", "/admin/units", "/editor", "/editor/community_affairs_access", "/admin/outbox", "/calendar"],
}


@pytest.fixture
def played(db) -> Driver:
    """A plan with a few projects running and a consultation, and a user of each role."""
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2, 10, 42, 52)
    raise_consultation(driver, "minzhengju")
    for username, (unit, role) in USERS.items():
        ensure_user(db, username, unit, role)
    return driver


def signed_in(browser, live_server: str, username: str, viewport: dict):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(live_server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url, wait_until="domcontentloaded")
    return page


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def first_task_path(page) -> str:
    return page.locator("table.inbox a[href^='/tasks/']").first.get_attribute("href")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_the_inbox_a_task_page_and_the_dashboard_fit_the_width_without_sideways_scrolling(
        played, live_server, browser, viewport):
    width = viewport["width"]
    unit = signed_in(browser, live_server, "zuzhibu", viewport)
    unit.goto(live_server + "/inbox")
    shoot(unit, f"inbox-{width}")
    assert overflow(unit) <= 0
    unit.goto(live_server + first_task_path(unit))
    unit.wait_for_selector(TASK_SUBMIT)
    shoot(unit, f"task-{width}")
    assert overflow(unit) <= 0
    office = signed_in(browser, live_server, "office", viewport)
    office.goto(live_server + "/dashboard")
    shoot(office, f"dashboard-{width}")
    assert overflow(office) <= 0


def test_on_a_phone_the_inbox_shows_each_task_as_a_card_with_its_project_and_due_date(played, live_server, browser):
    unit = signed_in(browser, live_server, "zuzhibu", PHONE)
    unit.goto(live_server + "/inbox")
    card = unit.locator("table.inbox tr:has(a[href^='/tasks/'])").first
    box = card.bounding_box()
    assert box["width"] > 300  # one card across the phone, not a row of one-character columns
    assert unit.locator("table.inbox th").first.is_hidden()  # the header row gives way to the cards
    assert "2017-02" in card.inner_text() and "2017年6月19日" in card.inner_text()


def test_the_dashboard_is_sections_reached_from_its_top(played, live_server, browser):
    office = signed_in(browser, live_server, "office", DESKTOP)
    office.goto(live_server + "/dashboard")
    links = office.locator("nav.section-nav a")
    assert links.count() >= 4
    # The 55 projects' matrix scrolls in its own box: the page is a few screens, not 6,700 px.
    assert office.evaluate("document.documentElement.scrollHeight") < 3000
    office.click("nav.section-nav a[href='#consultations']")
    assert office.url.endswith("#consultations")
    assert office.locator("#consultations").is_visible()


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations of the page, served from the app (the CSP allows no other)."""
    page.add_script_tag(url="/static/editor/axe.min.js")
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [node["target"] for node in v["nodes"]][:5]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.skipif(not AXE.exists(), reason="web/static/editor/axe.min.js is built by `make` (scripts/build-editor.mjs)")
@pytest.mark.parametrize("username", sorted(MAIN_PAGES))
def test_axe_core_finds_no_serious_or_critical_violation_on_the_main_pages_of_each_role(
        played, live_server, browser, username):
    page = signed_in(browser, live_server, username, DESKTOP)
    paths = list(MAIN_PAGES[username])
    if username == "zuzhibu":
        page.goto(live_server + "/inbox")
        paths.append(first_task_path(page))
    found = {}
    for path in paths:
        page.goto(live_server + path, wait_until="load")
        if page.locator("#editor").count():  # the modeler draws after the page has loaded
            page.wait_for_selector("#editor[data-state=ready]")
        if violations := axe_violations(page):
            found[path] = violations
    assert found == {}, "\n".join(f"{path}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
                                   for path, violations in found.items() for v in violations)


def test_the_keyboard_reaches_the_content_first_and_shows_where_the_focus_is(played, live_server, browser):
    unit = signed_in(browser, live_server, "zuzhibu", DESKTOP)
    unit.goto(live_server + "/inbox")

    unit.keyboard.press("Tab")
    assert unit.evaluate("document.activeElement.textContent") == "跳到正文"
    unit.keyboard.press("Tab")
    focused = unit.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused not in ("none", "")  # a visible ring, not the browser's default removed
    unit.keyboard.press("Shift+Tab")
    unit.keyboard.press("Enter")
    assert unit.url.endswith("#main")


def test_on_a_desktop_the_inbox_keeps_task_names_and_due_dates_on_one_line(played, live_server, browser):
    unit = signed_in(browser, live_server, "zuzhibu", DESKTOP)
    unit.goto(live_server + "/inbox")
    font = unit.evaluate("parseFloat(getComputedStyle(document.querySelector('table.inbox td.due')).fontSize)")

    task = unit.locator("table.inbox a[href^='/tasks/']").first.bounding_box()
    # The due date's own text (the cell is as tall as its row): a range over its first text node.
    due_date = unit.evaluate("""() => {
      const range = document.createRange();
      range.selectNodeContents(document.querySelector('table.inbox td.due').firstChild);
      return range.getBoundingClientRect().height;
    }""")
    assert task["height"] < 2 * font  # one line (a line is 1.2–1.6 times the font), not three
    assert due_date < 2 * font  # 2017年6月19日 on one line
    assert unit.evaluate("document.querySelector('main').getBoundingClientRect().width") > 1300


def test_the_project_list_fits_a_phone_with_its_table_scrolling_in_its_box(played, live_server, browser):
    unit = signed_in(browser, live_server, "zuzhibu", PHONE)
    unit.goto(live_server + "/projects")
    shoot(unit, "projects-390")
    assert overflow(unit) <= 0
    desktop = signed_in(browser, live_server, "zuzhibu", DESKTOP)
    desktop.goto(live_server + "/projects")
    shoot(desktop, "projects-1366")
    assert overflow(desktop) <= 0
