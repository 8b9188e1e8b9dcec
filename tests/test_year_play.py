"""Playing 2017 from the plan's issue date to the year's end for all 55 projects, by the clock."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from workflows.records import Evaluation, ProjectCompletion, QuarterlyReport
from workflows.workdays import quarter_report_date, quarter_window_opens
from tests.process_support import REPORT, Driver

LATE_IN_Q3 = {7 * k for k in range(1, 8)}          # these lead units miss the Q3 deadline
RETURNED_IN_Q2 = {11, 22, 33, 44, 55}               # the office sends these Q2 reports back once
NO_DATE_FINISH = date(2017, 11, 15)                 # projects without a fixed date finish here
OVERDUE_FINISH = date(2017, 6, 20)                  # projects already overdue finish late, here


def completion_day(due: date | None) -> date:
    if due is None:
        return NO_DATE_FINISH
    if due < date(2017, 6, 8):
        return OVERDUE_FINISH
    return min(due, date(2017, 12, 10)) - timedelta(days=5)


class YearPlayer:
    """Answers every open task the way a diligent district would, with a few deliberate lapses."""

    def __init__(self, driver: Driver):
        self.d = driver
        self.returned: set[int] = set()

    def answer(self, task) -> bool:
        today = self.d.today
        if task.name == "提交办结报告" and today < completion_day(task.due_on):
            return False
        data = self.d.engine.task_view(task).data
        number = (data.get("project") or {}).get("number")
        answers = {
            "提供季度进展材料": lambda: {"contribution": "本单位按计划推进"},
            "责任单位提供材料": lambda: {"contribution": "已落实"},
            "汇总填报季度报告": lambda: self.report(number, data, today),
            "按意见修改季度报告": lambda: {k: v for k, v in REPORT.items() if k != "next_step"},
            "审核季度报告": lambda: self.review(number, data),
            "催办季度报告": lambda: {"chase_note": "已电话催报"},
            "催办办结": lambda: {"chase_note": "已督促办结"},
            "提交办结报告": lambda: {"completion_summary": "已完成"},
            "确认办结": lambda: {"completion_verdict": "confirm"},
            "撰写自评报告": lambda: {"self_summary": "全年任务完成", "self_score": 90},
            "检查评分": lambda: {"supervisor_score": data["computed_score"], "supervisor_comment": "按规则评分"},
            "确认最终得分": lambda: {"score_decision": "confirm", "final_score": data["computed_score"]},
        }
        submission = answers[task.name]()
        if submission is None:
            return False
        self.d.complete(task, submission)
        return True

    def report(self, number, data, today):
        if data["quarter"] == 3 and number in LATE_IN_Q3 and today < date(2017, 9, 22):
            return None
        return REPORT

    def review(self, number, data):
        if data["quarter"] == 2 and number in RETURNED_IN_Q2 and number not in self.returned:
            self.returned.add(number)
            return {"verdict": "return", "office_comment": "请补充量化数据"}
        return {"verdict": "accept"}

    def answer_all(self) -> None:
        answered = True
        while answered:
            answered = any([self.answer(task) for task in self.d.tasks()])


@pytest.fixture
def played(db):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    driver.activate()
    overdue_on_day_one = {t.instance.business_key for t in driver.tasks(name="提交办结报告") if t.due_on and t.due_on < driver.today}
    player = YearPlayer(driver)
    while driver.today < date(2018, 1, 1):
        player.answer_all()
        driver.advance(days=1)
    return driver, overdue_on_day_one


def opened_quarters(completion: ProjectCompletion) -> set[int]:
    return {q for q in (2, 3, 4) if quarter_window_opens(2017, q) <= completion.confirmed_on}


def expected_quarters(completion: ProjectCompletion) -> set[int]:
    """Q2 for all (every project was open when it fell due), later quarters while not yet confirmed complete."""
    return {q for q in (2, 3, 4) if q == 2 or quarter_report_date(2017, q) <= completion.confirmed_on}


def test_a_played_year_ends_with_every_project_reported_completed_and_scored(played):
    driver, overdue_on_day_one = played
    session = driver.session
    assert overdue_on_day_one == {"2017-05", "2017-21"}
    lifecycles = [driver.instance(f"2017-{n:02d}") for n in range(1, 56)]
    assert {i.status for i in lifecycles} == {"completed"}
    assert driver.tasks() == []

    completions = {c.project.number if hasattr(c, "project") else c.project_id: c
                   for c in session.scalars(select(ProjectCompletion))}
    assert len(completions) == 55 and {c.status for c in completions.values()} == {"confirmed"}
    reports = session.scalars(select(QuarterlyReport)).all()
    by_project: dict[int, dict[int, QuarterlyReport]] = {}
    for report in reports:
        by_project.setdefault(report.project.number, {})[report.quarter] = report
    for number in range(1, 56):
        completion = next(c for c in completions.values() if c.project_id == by_project[number][2].project_id)
        assert expected_quarters(completion) <= set(by_project[number]) <= opened_quarters(completion), number
        assert all(r.status == "accepted" for r in by_project[number].values()), number
        if 3 in by_project[number]:
            assert by_project[number][3].late == (number in LATE_IN_Q3), number
    assert all(by_project[n][2].returned_count == 1 for n in RETURNED_IN_Q2)
    assert not any(by_project[n][2].late for n in range(1, 56))

    evaluations = session.scalars(select(Evaluation)).all()
    assert len(evaluations) == 55 and all(e.final_score is not None for e in evaluations)
    late_q3 = next(e for e in evaluations if e.project.number == 14)
    assert late_q3.final_score < next(e for e in evaluations if e.project.number == 15).final_score
    assert any("逾期报送" in item["reason"] for item in late_q3.breakdown["items"])
