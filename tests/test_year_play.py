"""Playing 2017 from the plan's issue date to the year's end for all 55 projects, by the clock."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from workflows.records.models import Evaluation, ProjectCompletion, QuarterlyReport
from workflows.workdays import quarter_report_date, quarter_window_opens
from tests.process_support import Driver
from tests.year_support import LATE_IN_Q3, RETURNED_IN_Q2, play_year


@pytest.fixture
def played(db):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    return driver, play_year(driver)


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
