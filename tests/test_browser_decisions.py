"""In a real Chromium: the office edits a rule's points of the year-end scoring table in dmn-js, previews which
projects' scores would change, publishes, and a project's year-end score follows."""
from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.browser_support import sign_in
from tests.web_support import ensure_user
from workflows.directory.units import load_directory
from workflows.plan import loading as plans
from workflows.records.scoring import year_end_score
from workflows.runtime import process_engine

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "web" / "static" / "dmn" / "dmn.js"
UNFINISHED_POINTS = "td[data-element-id='rule_5_points'] [contenteditable]"


@pytest.fixture(scope="module", autouse=True)
def dmn_bundle():
    """`make test` builds the bundle (Makefile, node-packages); a bare pytest run builds it here if missing."""
    if not BUNDLE.exists():
        subprocess.run(["node", str(ROOT / "scripts" / "build-dmn.mjs")], check=True, cwd=ROOT)


def test_the_office_edits_a_rules_points_previews_publishes_and_the_score_follows(db, live_server, page):
    load_directory(db)
    plans.load_plan(db, plans.DEFAULT_PLAN_FILE)
    process_engine(db).clock.set(datetime(2017, 6, 8, 9, 0))
    ensure_user(db, "office", "tuijinban", "office")
    db.commit()
    before = year_end_score(db, "2017-05", date(2017, 6, 8))["total"]
    scripts_refused = []  # the page runs only its bundle: no inline script for the policy to refuse
    page.on("console", lambda message: scripts_refused.append(message.text)
            if "Content Security Policy" in message.text and "script-src" in message.text else None)

    sign_in(page, live_server, "office")
    page.goto(live_server + "/admin/decisions/scoring")
    page.wait_for_selector("#dmn-editor[data-state=ready]", timeout=60_000)
    assert page.locator("text=命中策略").count() > 0  # the table editor's labels in Chinese

    cell = page.locator(UNFINISHED_POINTS)
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("10")
    page.click("h1")  # leave the cell

    page.click("#dmn-preview")
    page.wait_for_selector("#dmn-changes tbody tr[data-project='2017-05']", timeout=60_000)
    assert "55 个项目" in page.text_content("#dmn-status")
    assert "按期办结：0 → 10" in page.text_content("#dmn-changes tbody tr[data-project='2017-05']")

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#dmn-publish")
    page.wait_for_function("() => document.getElementById('dmn-status').textContent.includes('已发布为第 1 版')",
                           timeout=60_000)
    db.expire_all()
    assert year_end_score(db, "2017-05", date(2017, 6, 8))["total"] == before + 10
    assert scripts_refused == []
