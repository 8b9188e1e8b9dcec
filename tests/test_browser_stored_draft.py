"""In a real Chromium (issue 14 §3): the office tries to store the issue's XHTML-script draft and is refused; it
stores a BPMN draft that the reader accepts but that carries the script in an extension element, and such
diagrams are deployed. The administrator then opens every URL that serves stored XML or a stored file, and the
pages that read them: no script from a stored document runs. Each role's main pages run no inline code the
Content-Security-Policy blocks (none is reported)."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import func, select

from tests.browser_support import sign_in
from tests.process_support import BPMN_DIR, Driver, start_projects
from tests.web_support import ensure_user
from workflows.accounts.actor import Actor
from workflows.accounts.models import User
from workflows.tasks import attachments as files

PWNED = "pwned-by-a-stored-document"
PAYLOAD = f'document.title = "{PWNED}"; new Image().src = "/{PWNED}";'
XHTML_SCRIPT = f'<h:script xmlns:h="http://www.w3.org/1999/xhtml">{PAYLOAD}</h:script>'
EXTENSION = f"<bpmn:extensionElements>{XHTML_SCRIPT}</bpmn:extensionElements>"
STREET = (Path(__file__).resolve().parent / "diagrams" / "street_inspection.bpmn").read_text(encoding="utf-8")
STREET_START = '<bpmn:process id="street_inspection" name="街面巡查" isExecutable="false">'
LIFECYCLE = (Path(BPMN_DIR) / "project_lifecycle.bpmn").read_text(encoding="utf-8")
LIFECYCLE_START = '<bpmn:process id="project_lifecycle" name="项目全年推进" isExecutable="true">'
SAVE_DRAFT = """async xml => {
  const token = document.querySelector('meta[name=csrf-token]').content;
  const response = await fetch('/editor/street_inspection/draft', {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}, body: JSON.stringify({xml})});
  return {status: response.status, body: await response.json()};
}"""
REPORT_VIOLATIONS = """document.addEventListener('securitypolicyviolation',
  e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber))"""


@pytest.fixture
def stored(db):
    """The plan and diagrams; project 5's lifecycle and 街面巡查 deployed with the script in an extension element;
    a text attachment holding an HTML script on project 5's first task; office, admin and the other roles."""
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    driver.engine.deploy(LIFECYCLE.replace(LIFECYCLE_START, LIFECYCLE_START + EXTENSION, 1), deployed_by="office")
    driver.engine.deploy(STREET.replace(STREET_START, STREET_START + EXTENSION, 1).replace(
        'isExecutable="false"', 'isExecutable="true"'), deployed_by="office")
    start_projects(driver, 5)
    task = driver.tasks(business_key="2017-05")[0]
    attachment = files.upload(db, task, Actor("test", task.assigned_unit, "unit"), "说明.txt",
                              f"<html><body><script>{PAYLOAD}</script></body></html>".encode(),
                              now=driver.engine.clock.now())
    for username, unit, role in (("office", "tuijinban", "office"), ("admin", "tuijinban", "admin"),
                                 ("duchake", "duchake", "supervisor"), (task.assigned_unit, task.assigned_unit, "unit")):
        ensure_user(db, username, unit, role)
    db.commit()
    return {"task": task.id, "unit": task.assigned_unit, "attachment": attachment.id}


def watched_page(browser):
    """A fresh browser page that records CSP reports, console errors and any request the payload would make."""
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.reports, page.payload_requests = [], []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: message.type == "error" and page.reports.append(message.text))
    page.on("request", lambda request: PWNED in request.url and page.payload_requests.append(request.url))
    return page


def assert_no_payload_ran(page) -> None:
    assert page.title() != PWNED and page.payload_requests == []


def test_no_stored_document_runs_a_script_in_the_admins_browser(stored, db, live_server, browser):
    office = watched_page(browser)
    sign_in(office, live_server, "office")
    office.goto(live_server + "/editor/street_inspection")
    refused = office.evaluate(SAVE_DRAFT, XHTML_SCRIPT)
    accepted = office.evaluate(SAVE_DRAFT, STREET.replace(STREET_START, STREET_START + EXTENSION, 1))
    assert refused["status"] == 422 and "bpmn:definitions" in refused["body"]["message"]
    assert accepted["status"] == 200
    users_before = db.scalar(select(func.count()).select_from(User))

    admin = watched_page(browser)
    sign_in(admin, live_server, "admin")
    for url in ("/editor/street_inspection/draft", "/projects/5/diagram.xml"):
        admin.goto(live_server + url)
        assert_no_payload_ran(admin)
        assert "h:script" in admin.locator("body").inner_text()  # shown as text
    for url in ("/editor/street_inspection/versions/1.bpmn", f"/attachments/{stored['attachment']}"):
        admin.goto(live_server + "/inbox")
        with admin.expect_download():
            try:
                admin.goto(live_server + url)
            except PlaywrightError:  # Chromium ends a navigation that becomes a download with "Download is starting"
                pass
        assert_no_payload_ran(admin)
    admin.goto(live_server + "/editor/street_inspection")  # the modeler reads the draft
    admin.wait_for_selector("#editor[data-state=ready]")
    admin.goto(live_server + "/projects/5")  # the viewer reads the lifecycle's XML
    admin.wait_for_selector("#diagram .djs-element.active")
    assert_no_payload_ran(admin)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(User)) == users_before
    admin.context.close()
    office.context.close()


def main_pages(stored) -> dict[str, list[str]]:
    common = ["/inbox", "/inbox/done", "/start", "/projects", "/projects/5", "/overview", "/account"]
    overseer = ["/dashboard?year=2017", "/reports"]
    office = ["/editor", "/editor/street_inspection", "/admin", "/admin/calendar", "/admin/calendar/2027"]
    return {"office": common + overseer + office, "admin": common + overseer + office,
            "duchake": common + overseer, stored["unit"]: common + [f"/tasks/{stored['task']}"]}


def test_each_roles_main_pages_run_no_code_the_policy_blocks(stored, live_server, browser):
    reports = {}
    for username, urls in main_pages(stored).items():
        page = watched_page(browser)
        sign_in(page, live_server, username)
        for url in urls:
            response = page.goto(live_server + url)
            assert response.status == 200, url
            if url.startswith("/editor/"):
                page.wait_for_selector("#editor[data-state=ready]")
                page.locator("#editor-canvas .djs-element.djs-shape").nth(2).click()  # the properties panel opens
                page.wait_for_selector("#editor-properties .bio-properties-panel-header")
            if url == "/projects/5":
                page.wait_for_selector("#diagram .djs-element.active")
            if url.startswith("/dashboard"):
                assert page.locator(".chart svg .title").count() >= 1  # pygal's styles applied: titles laid out
        reports[username] = [text for text in page.reports if "Content Security Policy" in text or "CSP" in text]
        page.context.close()

    assert reports == {username: [] for username in main_pages(stored)}
