"""/analytics: where the time goes, checked against a played 2017. The year is played once for the module (a few
minutes); every expected figure is computed here from the record tables (quarterly_report: when each report was
filed, returned, chased) and the year player's known lapses, not from the human_task rows analytics reads."""
from __future__ import annotations

import json
import re
import statistics
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.browser_support import sign_in
from tests.process_support import prepared_app
from tests.web_support import db, login_as, text  # noqa: F401
from tests.year_support import LATE_IN_Q3, play_year
from workflows.analytics import figures as analytics
from workflows.analytics.figures import percentile_90
from workflows.plan.models import Plan, Project, TaskArea
from workflows.records.models import QuarterlyReport
from workflows.workdays import quarter_window_opens, workdays_between

ACTIVATED = date(2017, 6, 8)  # Driver.load_plan_and_diagrams sets the clock here; the plan is activated that day
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def app(database_url):
    """One app for the module on a database holding the played 2017."""
    with prepared_app(database_url, play_year) as application:
        yield application


@pytest.fixture
def reader(login_as):
    return login_as("office", unit="tuijinban", role="office")


def figures_of(db, key: str, **filters) -> analytics.ProcessFigures:
    return analytics.process_figures(db, key, analytics.Filters(**filters), SHANGHAI)


def step(result: analytics.ProcessFigures, element_id: str) -> analytics.Figures:
    return next(s.figures for s in result.steps if s.step.element_id == element_id)


def filed_reports(db) -> list[QuarterlyReport]:
    return list(db.scalars(select(QuarterlyReport).where(QuarterlyReport.submitted_on.is_not(None))))


def days_to_file(report: QuarterlyReport) -> int:
    """From the day the report's drafting opened (its window, or the plan's activation) to the day it was filed."""
    opened = max(quarter_window_opens(report.year, report.quarter), ACTIVATED)
    return workdays_between(opened, report.submitted_on)


def test_each_review_of_a_filed_report_and_each_return_counts_as_a_finished_step(db):
    result = figures_of(db, "quarterly_report")
    reports = filed_reports(db)
    returned = sum(report.returned_count for report in reports)
    assert returned == 5  # the office sent back the Q2 reports of projects 11, 22, 33, 44 and 55
    assert step(result, "review_report").finished == len(reports) + returned
    assert step(result, "revise_report").finished == returned
    assert step(result, "chase_report").finished == sum(report.chased for report in reports) > 0


def test_the_median_and_90th_percentile_of_drafting_a_report_match_the_days_the_reports_took(db):
    times = [days_to_file(report) for report in filed_reports(db)]
    compiled = step(figures_of(db, "quarterly_report"), "compile_report")
    assert compiled.finished == len(times)
    assert compiled.median == statistics.median(times)
    assert compiled.p90 == percentile_90(times)
    assert max(times) > 0  # the Q3 reports filed late on 2017-09-22 (fewer than one in ten: the p90 may be 0)


def test_the_slowest_unit_at_drafting_is_the_lead_of_a_report_filed_late(db):
    result = figures_of(db, "quarterly_report")
    drafting = [(unit, figures) for s, unit, figures in result.unit_rows if s.step.element_id == "compile_report"]
    slowest_unit = max(drafting, key=lambda row: (row[1].p90, row[1].median))[0]
    late_leads = {unit.name for project in db.scalars(select(Project).where(Project.number.in_(LATE_IN_Q3)))
                  for unit in project.lead_units}
    assert slowest_unit in late_leads


def test_the_five_slowest_steps_are_user_tasks_slowest_first(db):
    slowest = figures_of(db, "project_completion").slowest
    assert 0 < len(slowest) <= 5 and all(s.step.kind == "user" for s in slowest)
    medians = [s.figures.median for s in slowest]
    assert medians == sorted(medians, reverse=True)
    assert slowest[0].step.element_id == "submit_completion"  # units write it when their project is done


def test_a_call_activity_sums_the_tasks_of_the_process_it_calls(db):
    lifecycle = figures_of(db, "project_lifecycle")
    reports = figures_of(db, "quarterly_report")
    called = step(lifecycle, "quarterly_reports")
    assert called.finished == sum(s.figures.finished for s in reports.steps if s.step.kind == "user")
    assert called.waiting == sum(s.figures.waiting for s in reports.steps if s.step.kind == "user")


def test_the_filters_by_year_area_and_version_select_their_share(db):
    total = step(figures_of(db, "quarterly_report"), "compile_report").finished
    assert step(figures_of(db, "quarterly_report", year=2017), "compile_report").finished == total
    assert step(figures_of(db, "quarterly_report", year=2016), "compile_report").finished == 0
    assert step(figures_of(db, "project_lifecycle", version=1), "quarterly_reports").finished > 0
    areas = db.scalars(select(TaskArea.id).join(Plan).where(Plan.year == 2017)).all()
    assert len(areas) > 1
    assert sum(step(figures_of(db, "quarterly_report", area_id=area), "compile_report").finished
               for area in areas) == total


def test_the_page_overlays_each_step_with_its_figures(reader, db):
    page = text(reader.get("/analytics/quarterly_report"))
    overlay = json.loads(re.search(r'id="analytics-overlay" type="application/json">(.*?)</script>', page, re.S)
                         .group(1))
    assert overlay["review_report"]["finished"] == step(figures_of(db, "quarterly_report"), "review_report").finished
    assert "最慢的五个环节" in page and "各单位在各环节的耗时" in page and "审核季度报告" in page
    assert "季度信息报送" in text(reader.get("/analytics"))
    assert reader.get("/analytics/no_such_process").status_code == 404
    assert reader.get("/analytics/quarterly_report?version=9").status_code == 404


def test_a_filter_that_is_not_a_number_in_range_is_refused_naming_it(reader):
    for query, name in (("year=99999", "年度"), ("area=abc", "任务领域"), ("version=-1", "版本")):
        response = reader.get(f"/analytics/quarterly_report?{query}")
        assert response.status_code == 422 and name in text(response), query


def test_the_csv_has_a_bom_and_every_steps_figures(reader, db):
    response = reader.get("/analytics/quarterly_report/export.csv?year=2017")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    content = response.data.decode("utf-8-sig")
    reviewed = step(figures_of(db, "quarterly_report"), "review_report").finished
    assert f"审核季度报告,用户任务,0,{reviewed}," in content
    assert "【最慢的五个环节】" in content and "【各单位各环节】" in content


@pytest.mark.parametrize("role", ["supervisor", "auditor", "admin"])
def test_the_overseers_may_read_the_analytics(login_as, role):
    assert login_as(f"reader_{role}", unit="tuijinban", role=role).get("/analytics/quarterly_report").status_code == 200


def test_a_unit_may_not_read_the_analytics(login_as):
    client = login_as("caoyang", unit="caoyang")
    for url in ("/analytics", "/analytics/quarterly_report", "/analytics/quarterly_report/export.csv",
                "/analytics/quarterly_report/diagram"):
        assert client.get(url).status_code == 403, url


def test_the_browser_shows_the_played_years_counts_on_the_diagram(live_server, page, login_as, db):
    login_as("office", unit="tuijinban", role="office")
    sign_in(page, live_server, "office")
    page.goto(live_server + "/analytics/quarterly_report")
    page.wait_for_selector("#diagram[data-ready=true]", timeout=60_000)
    reviewed = step(figures_of(db, "quarterly_report"), "review_report").finished
    badge = page.locator('.djs-overlays[data-container-id="review_report"] .analytics-badge')
    assert f"已办 {reviewed}" in badge.inner_text()
    page.screenshot(path="var/analytics_quarterly_report.png", full_page=True)
