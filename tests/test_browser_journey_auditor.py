"""In a real Chromium, through the UI only: the auditor signs in and lands on 年度评估报告, downloads project
2017-07's PDF by typing "2017-07", asks for the year-end book and sees its progress while it is made in the
background, and downloads the CSV summary: each download in words, not codes. The app here queues book jobs for a
consumer (none runs), as in production. Screenshots at 1366 px under var/screenshots/journeys/."""
from __future__ import annotations

import re
import subprocess
import uuid

import pytest

from tests.browser_support import journey_shot
from tests.conftest import fresh_app
from tests.process_support import REPORT, Driver, start_projects
from tests.web_support import PASSWORD, ensure_user
from web import create_app

CODES = re.compile(r"\b(on_track|delayed|at_risk|submitted|accepted|returned|pending|tuijinban|auditor)\b")


@pytest.fixture
def app(database_url, tmp_path):
    """The test app on a fresh schema, its year-end book jobs queued in a file of this test's for a consumer."""
    migrated = fresh_app(database_url)
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "WTF_CSRF_ENABLED": True,
                              "SECRET_KEY": "test", "HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
                              "REPORT_CACHE_DIR": str(tmp_path / "reports"),
                              "HUEY_NAME": f"putuo-journey-{uuid.uuid4().hex[:8]}"})
    yield application
    application.extensions["sqlalchemy_engine"].dispose()
    migrated.extensions["sqlalchemy_engine"].dispose()


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def test_the_auditor_lands_on_the_reports_and_downloads_a_project_pdf_the_year_book_and_the_csv(
        db, live_server, wide_page, tmp_path):
    page = wide_page
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 7)
    driver.complete(driver.task(name="汇总填报季度报告", business_key="2017-07"), REPORT)
    ensure_user(db, "auditor", "tuijinban", "auditor").display_name = "审计 李明"
    db.commit()

    page.goto(live_server + "/login")
    page.fill("input[name=username]", "auditor")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/reports$"), wait_until="domcontentloaded")
    assert page.inner_text("h1") == "年度评估报告"
    assert page.locator("main a", has_text="驾驶舱").count() == 1
    journey_shot(page, "auditor", "1-lands-on-reports")

    page.fill("input[name=number]", "2017-07")
    with page.expect_download() as download:
        page.click("button:has-text('下载项目评估报告')")
    project_pdf = tmp_path / "project.pdf"
    download.value.save_as(project_pdf)
    assert download.value.suggested_filename == "2017-07项目评估报告.pdf"
    text = pdf_text(project_pdf)
    assert "2017-07" in text and "正常推进" in text and not CODES.search(text)

    page.click("main a:has-text('评估报告 PDF')")
    page.wait_for_selector("section.report-job")
    journey_shot(page, "auditor", "2-year-book-in-progress")
    assert "正在后台生成 2017 年度评估报告" in page.inner_text("section.report-job")
    assert page.locator("section.report-job progress").count() == 1

    with page.expect_download() as download:
        page.click("main a:has-text('汇总表 CSV')")
    summary = tmp_path / "summary.csv"
    download.value.save_as(summary)
    assert download.value.suggested_filename == "2017年度评估汇总表.csv"
    table = summary.read_text(encoding="utf-8-sig")
    assert "2017-07" in table and not CODES.search(table)
