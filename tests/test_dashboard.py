"""The office dashboard (驾驶舱): the report matrix, overdue tasks per unit and consultation figures from real
processes played on the simulated clock, and the page, its charts and the JSON API with who may see them.

June 2017 has no holiday (端午 was 28–30 May), so its working days are Monday to Friday:
Thu 8, Fri 9, Mon 12 … Fri 16, Mon 19, Tue 20, Wed 21, Thu 22 June.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from tests.process_support import REPORT, Driver, start_projects
from tests.web_support import db, ensure_user, login_as  # noqa: F401
from workflows.accounts.tokens import issue_token
from workflows.cases import opening as cases
from workflows.records.models import QuarterlyReport
from workflows.projects.report_cells import report_cell
from workflows.reports.dashboard import dashboard

COMPILE, REVIEW = "汇总填报季度报告", "审核季度报告"
SIGNED = {"signer": "王科长", "signer_phone": "52564588"}
REPLIED = {"reply_kind": "plan", "reply_text": "已列入排水管网改造计划，7月底前完成"}
ON_TIME, RETURNED, MISSING, LATE = "2017-02", "2017-52", "2017-10", "2017-42"  # 组织部, 人社局, 司法局, 科委


def raise_consultation(driver: Driver, *departments: str, dispatch: bool = True):
    instance = cases.raise_consultation(driver.session, driver.engine, "caoyang", {
        "description": "曹杨路积水点改造涉及排水管网", "place": "曹杨路兰溪路口",
        "invited_departments": list(departments)}, actor="caoyang")
    driver.session.commit()
    if dispatch:
        driver.complete(driver.task(name="分派约请部门", instance_id=instance.id), {})
    return instance


def consultation_step(driver: Driver, name: str, department: str, data: dict) -> None:
    [task] = [t for t in driver.tasks(name=name) if driver.engine.task_view(t).data["department"] == department]
    driver.complete(task, data)


def submit_report(driver: Driver, business_key: str) -> None:
    driver.complete(driver.task(name=COMPILE, business_key=business_key), REPORT)


@pytest.fixture
def driver(db) -> Driver:  # noqa: F811
    driver = Driver(db)
    driver.load_plan_and_diagrams()  # Thursday 2017-06-08 09:00
    return driver


@pytest.fixture
def played(driver) -> Driver:
    """Four projects' second quarter and three consultations, played from 8 to 21 June 2017."""
    start_projects(driver, 2, 52, 10, 42)
    submit_report(driver, ON_TIME)
    driver.complete(driver.task(name=REVIEW, business_key=ON_TIME), {"verdict": "accept"})
    submit_report(driver, RETURNED)
    driver.complete(driver.task(name=REVIEW, business_key=RETURNED),
                    {"verdict": "return", "office_comment": "请补充街道落实情况"})
    raise_consultation(driver, "minzhengju", "fangguanju")  # invited Thu 06-08

    driver.advance(days=1)  # Fri 06-09
    consultation_step(driver, "签收约请", "minzhengju", SIGNED)
    driver.advance(days=3)  # Mon 06-12: the last day to sign
    consultation_step(driver, "签收约请", "fangguanju", SIGNED)
    driver.advance(days=2)  # Wed 06-14
    consultation_step(driver, "答复约请", "minzhengju", REPLIED)
    consultation_step(driver, "评价答复", "minzhengju", {"rating": "satisfied"})
    raise_consultation(driver, "chengguanju")  # invited Wed 06-14, to sign by Fri 06-16; it never does
    driver.advance(days=5)  # Mon 06-19: the quarterly reports' last day
    consultation_step(driver, "答复约请", "fangguanju", REPLIED)
    consultation_step(driver, "评价答复", "fangguanju", {"rating": "unsatisfied", "rating_reason": "未明确施工时间"})

    driver.advance(days=2)  # Wed 06-21: 司法局's report is missing; 科委's comes in late
    submit_report(driver, LATE)
    raise_consultation(driver, "minzhengju", dispatch=False)  # the office is to dispatch it by Thu 06-22
    assert driver.today == date(2017, 6, 21)
    return driver


def test_each_project_quarter_shows_whether_its_report_came_on_time_late_returned_or_not_at_all(played):
    board = dashboard(played.session, 2017, played.today)

    rows = {row.business_key: row for row in board.matrix.rows}
    statuses = {key: [cell.status for cell in rows[key].cells] for key in (ON_TIME, RETURNED, MISSING, LATE)}
    # The lifecycles started on 06-08, after the first quarter's report date (03-20): no first quarter.
    assert statuses == {
        ON_TIME: ["not_applicable", "on_time", "not_due", "not_due"],
        RETURNED: ["not_applicable", "returned", "not_due", "not_due"],
        MISSING: ["not_applicable", "missing", "not_due", "not_due"],
        LATE: ["not_applicable", "late", "not_due", "not_due"],
    }
    on_time = rows[ON_TIME].cells[1]
    assert (on_time.due_on, on_time.submitted_on, on_time.accepted) == (date(2017, 6, 19), date(2017, 6, 8), True)
    assert (rows[LATE].cells[1].submitted_on, rows[LATE].cells[1].accepted) == (date(2017, 6, 21), False)
    assert rows["2017-01"].started is False and {c.status for c in rows["2017-01"].cells} == {"not_applicable"}
    assert len(board.matrix.rows) == 55
    assert board.matrix.totals[1] == {"on_time": 0, "late": 0, "returned": 0, "missing": 0, "not_due": 0,
                                      "not_applicable": 55}
    assert board.matrix.totals[2] == {"on_time": 1, "late": 1, "returned": 1, "missing": 1, "not_due": 0,
                                      "not_applicable": 51}
    assert board.matrix.totals[3] == {"on_time": 0, "late": 0, "returned": 0, "missing": 0, "not_due": 4,
                                      "not_applicable": 51}


def test_overdue_tasks_are_counted_per_unit_with_the_oldest_in_working_days_and_those_due_soon(played):
    board = dashboard(played.session, 2017, played.today)

    assert [(u.unit_code, u.unit_name, u.overdue, u.oldest_overdue_workdays, u.due_soon) for u in board.units] == [
        # 按意见修改季度报告, returned Thu 06-08, due 3 working days later (Tue 06-13): 14, 15, 16, 19, 20, 21.
        ("rensheju", "区人社局", 1, 6, 0),
        # 签收约请 due Fri 06-16: Mon 19, Tue 20, Wed 21 have passed since → 3 working days.
        ("chengguanju", "区城管执法局", 1, 3, 0),
        # 汇总填报季度报告 due Mon 06-19: Tue 20, Wed 21 → 2 working days.
        ("sifaju", "区司法局", 1, 2, 0),
        # 督办签收 from Mon 06-19, due a working day later (Tue 06-20): 1 working day late. Due Thu 06-22, within
        # 3 working days: 分派约请部门 raised Wed 06-21 and the two 催办季度报告 of that day.
        ("tuijinban", "区推进办", 1, 1, 3),
    ]


def test_consultation_figures_give_open_cases_average_working_days_and_satisfaction(played):
    figures = dashboard(played.session, 2017, played.today).consultations

    # Signing, from the invitation: 民政局 Thu 08 → Fri 09 = 1; 房管局 Thu 08 → Mon 12 = 2 (Fri 9, Mon 12).
    # Replying, from the invitation: 民政局 → Wed 14 = 4 (9, 12, 13, 14); 房管局 → Mon 19 = 7 (9, 12–16, 19).
    # 城管执法局 has not signed; the third consultation is not dispatched, so it has no invitation yet.
    assert (figures.total, figures.open) == (3, 3)
    overall = figures.overall
    assert (overall.invitations, overall.signed, overall.average_sign_workdays) == (3, 2, 1.5)
    assert (overall.replied, overall.average_reply_workdays) == (2, 5.5)
    assert (overall.rated, overall.satisfied, overall.satisfaction_rate) == (2, 1, 0.5)
    assert [(d.name, d.average_sign_workdays, d.average_reply_workdays, d.satisfaction_rate)
            for d in figures.by_department] == [("区城管执法局", None, None, None),
                                                ("区房管局", 2.0, 7.0, 0.0),
                                                ("区民政局", 1.0, 4.0, 1.0)]


def test_completions_count_projects_past_their_date_without_a_report(played):
    completions = dashboard(played.session, 2017, played.today).completions

    assert completions.counts == {"confirmed": 0, "submitted": 0, "returned": 0, "not_submitted": 55}
    assert completions.overdue_not_submitted == 2  # 2017-21 (3月底前) and 2017-05 (5月底前)


def test_a_confirmed_completion_withdraws_the_reports_not_yet_due_but_not_one_already_missing():
    scheduled = {2, 3, 4}
    closed_on, today = date(2017, 6, 25), date(2017, 7, 1)

    assert report_cell(2017, 2, scheduled, None, closed_on, today).status == "missing"
    assert report_cell(2017, 3, scheduled, None, closed_on, today).status == "not_applicable"
    chased = QuarterlyReport(quarter=2, due_on=date(2017, 6, 19), status="pending", chased=True)
    assert report_cell(2017, 2, scheduled, chased, None, today).status == "missing"


# -- the page and the API -----------------------------------------------------------------------------------

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


@pytest.mark.parametrize("role", ["office", "supervisor", "auditor", "admin"])
def test_overseers_see_the_dashboard_with_tables_and_inline_charts_that_load_nothing_from_elsewhere(
        driver, login_as, role):
    start_projects(driver, 2)
    submit_report(driver, ON_TIME)
    client = login_as(f"dash_{role}", unit="tuijinban", role=role)

    page = client.get("/dashboard")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2017年驾驶舱" in html and 'id="matrix-2017-02"' in html
    assert re.search(r'<td class="cell-on_time" data-quarter="2" data-status="on_time"', html)
    assert 'id="chart-reports"><svg' in html and "font-family:Noto Sans CJK SC" in html
    assert not EXTERNAL.search(html)
    charts = "".join(re.findall(r"<svg\b.*?</svg>", html, re.S))
    assert "<script" not in charts  # pygal's tooltip script (js=[]) and its settings script are left out
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", charts))
    assert urls == {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # XML namespaces only
    assert 'href="/dashboard">驾驶舱</a>' in html


def test_a_units_clerk_is_refused_the_dashboard_and_has_no_link_to_it(driver, login_as):
    client = login_as("zuzhibu")

    assert client.get("/dashboard").status_code == 403
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and 'href="/dashboard"' not in inbox.get_data(as_text=True)


def test_a_bad_or_unknown_year_is_answered_with_a_message(driver, login_as):
    client = login_as("office", unit="tuijinban", role="office")

    bad = client.get("/dashboard?year=20x7")
    assert bad.status_code == 422 and "四位年份" in bad.get_data(as_text=True)
    unknown = client.get("/dashboard?year=2016")
    assert unknown.status_code == 404 and "没有 2016 年的计划" in unknown.get_data(as_text=True)
    assert client.get("/dashboard?year=2017").status_code == 200


@pytest.fixture
def call(app, driver):
    """``call(username, path, unit=..., role=...)``: a GET with that user's API token."""
    client = app.test_client()

    def get(username, path, *, unit=None, role="unit"):
        user = ensure_user(driver.session, username, unit or username, role)
        token = issue_token(driver.session, user, datetime.utcnow())
        driver.session.commit()
        return client.get(path, headers={"Authorization": f"Bearer {token}"})

    return get


def test_the_api_gives_the_dashboard_figures_to_the_office_with_a_token(driver, call):
    start_projects(driver, 2, 10)
    submit_report(driver, ON_TIME)
    driver.advance(days=13)  # Wed 06-21: 司法局's report of 2017-10 is missing since Tue 06-20

    response = call("office", "/api/dashboard", unit="tuijinban", role="office")

    assert response.status_code == 200
    figures = response.json
    assert (figures["year"], figures["today"]) == (2017, "2017-06-21")
    rows = {row["business_key"]: row for row in figures["matrix"]["rows"]}
    assert [c["status"] for c in rows["2017-02"]["cells"]] == ["not_applicable", "on_time", "not_due", "not_due"]
    assert rows["2017-10"]["cells"][1] == {"quarter": 2, "status": "missing", "label": "逾期未报",
                                           "due_on": "2017-06-19", "submitted_on": None, "accepted": False}
    assert figures["matrix"]["totals"]["2"]["missing"] == 1
    assert figures["units"] == [{"unit_code": "sifaju", "unit_name": "区司法局", "overdue": 1,
                                 "oldest_overdue_workdays": 2, "due_soon": 0},
                                # the office's 催办季度报告 of Wed 06-21, due the next working day
                                {"unit_code": "tuijinban", "unit_name": "区推进办", "overdue": 0,
                                 "oldest_overdue_workdays": 0, "due_soon": 1}]
    assert figures["consultations"]["overall"]["satisfaction_rate"] is None


def test_the_api_refuses_a_unit_and_answers_a_bad_year_with_422(driver, call):
    refused = call("zuzhibu", "/api/dashboard")
    assert refused.status_code == 403 and "驾驶舱" in refused.json["error"]

    bad = call("office", "/api/dashboard?year=abc", unit="tuijinban", role="office")
    assert bad.status_code == 422 and "year" in bad.json["errors"]
    assert call("office", "/api/dashboard?year=2030", unit="tuijinban", role="office").status_code == 404
    assert "/api/dashboard" in call("office", "/api/openapi.json", unit="tuijinban", role="office").json["paths"]
