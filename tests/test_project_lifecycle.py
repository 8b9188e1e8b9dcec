"""A project's year (项目全年推进) on the real diagrams: activation, completion, the year-end evaluation."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.process_support import REPORT, Driver, start_projects
from workflows.plan.models import Plan, Project
from workflows.projects.activation import expand
from workflows.records.models import Evaluation, ProjectCompletion

COMPILE, REVIEW = "汇总填报季度报告", "审核季度报告"
PARTNER_INPUT = "提供季度进展材料"
SUBMIT_COMPLETION, CONFIRM_COMPLETION, CHASE_COMPLETION = "提交办结报告", "确认办结", "催办办结"
REVISE_COMPLETION = "按意见补充办结报告"
SELF_EVALUATION, SCORING, FINAL_SCORE = "撰写自评报告", "检查评分", "确认最终得分"


@pytest.fixture
def activated(driver) -> Driver:
    driver.activate()
    return driver


def projects(driver: Driver) -> list[Project]:
    return list(driver.session.scalars(select(Project).join(Plan).where(Plan.year == 2017).order_by(Project.number)))


def fact_of(driver: Driver, model, number: int):
    """The fact row (completion, evaluation) of a 2017 project, or None."""
    return driver.session.scalar(select(model).join(Project, Project.id == model.project_id)
                                 .where(Project.number == number))


def completion_of(driver: Driver, number: int) -> ProjectCompletion | None:
    return fact_of(driver, ProjectCompletion, number)


def report_on_time_and_accept(driver: Driver, business_key: str) -> None:
    driver.complete(driver.task(business_key=business_key, name=COMPILE), REPORT)
    driver.complete(driver.task(business_key=business_key, name=REVIEW), {"verdict": "accept"})


def submit_completion(driver: Driver, business_key: str, summary: str = "已按计划完成",
                      name: str = SUBMIT_COMPLETION) -> None:
    driver.complete(driver.task(business_key=business_key, name=name), {"completion_summary": summary})


def review_completion(driver: Driver, business_key: str, verdict: str = "confirm", comment: str = "") -> None:
    driver.complete(driver.task(business_key=business_key, name=CONFIRM_COMPLETION),
                    {"completion_verdict": verdict, "completion_comment": comment})


def test_an_accepted_quarter_leaves_no_finished_sub_workflow_in_the_stored_state(activated):
    finished = {64, 128, 256}  # SpiffWorkflow's COMPLETED, ERROR, CANCELLED
    running_before = len(activated.instance("2017-10").state["subprocesses"])
    report_on_time_and_accept(activated, "2017-10")
    subprocesses = activated.instance("2017-10").state["subprocesses"].values()
    assert subprocesses and all(any(task["state"] not in finished for task in subprocess["tasks"].values())
                                for subprocess in subprocesses)
    assert len(subprocesses) <= running_before  # the third quarter's report took the second's place


def test_activation_starts_one_lifecycle_per_project_and_running_it_again_starts_none(driver):
    business_keys = [f"2017-{number:02d}" for number in range(1, 56)]

    first = driver.activate()
    assert sorted(first.started) == business_keys
    assert all(driver.instance(key).status == "running" for key in business_keys)

    again = driver.activate()

    assert again.started == [] and sorted(again.already_running) == business_keys
    assert driver.engine.count_instances("project_lifecycle") == 55


def test_after_activation_each_projects_second_quarter_report_waits_with_its_lead_units(activated):
    for project in projects(activated):
        coordinator, *partners = [unit.code for unit in expand(project.lead_units)]
        key = project.business_key
        waiting = activated.tasks(business_key=key, name=PARTNER_INPUT if partners else COMPILE)
        assert sorted(task.assigned_unit for task in waiting) == sorted(partners or [coordinator]), key
        assert {task.due_on for task in waiting} == {date(2017, 6, 19)}, key
        assert activated.task(business_key=key, name=SUBMIT_COMPLETION).assigned_unit == coordinator

    partner_of_17 = activated.task(business_key="2017-17", name=PARTNER_INPUT)
    assert partner_of_17.assigned_unit == "shequban"
    street_group = activated.tasks(business_key="2017-36", name=PARTNER_INPUT)
    assert len(street_group) == 9 and "caoyang" not in {task.assigned_unit for task in street_group}


def test_projects_whose_deadline_passed_before_activation_are_overdue_and_chased_from_day_one(driver):
    start_projects(driver, 5, 21, 2)

    for key, due_on in (("2017-05", date(2017, 5, 31)), ("2017-21", date(2017, 3, 31))):
        assert driver.task(business_key=key, name=SUBMIT_COMPLETION).due_on == due_on < driver.today
        assert driver.task(business_key=key, name=CHASE_COMPLETION).assigned_unit == "tuijinban"
    assert driver.task(business_key="2017-02", name=SUBMIT_COMPLETION).due_on == date(2017, 12, 31)
    assert driver.tasks(business_key="2017-02", name=CHASE_COMPLETION) == []


def test_a_project_without_a_fixed_date_is_never_chased_for_completion(driver):
    start_projects(driver, 1)

    driver.advance(days=210)  # 2018-01-04

    assert driver.task(business_key="2017-01", name=SUBMIT_COMPLETION).due_on is None
    assert driver.tasks(business_key="2017-01", name=CHASE_COMPLETION) == []


def test_a_confirmed_completion_stops_quarterly_reporting_and_the_evaluation_opens_in_december(driver):
    start_projects(driver, 2, 8)  # both led by 区委组织部; 8 keeps going as a comparison
    for key in ("2017-02", "2017-08"):
        report_on_time_and_accept(driver, key)
    driver.advance(days=32)  # 07-10

    submit_completion(driver, "2017-02")
    review_completion(driver, "2017-02")

    completion = completion_of(driver, 2)
    assert (completion.status, completion.confirmed_on, completion.late) == ("confirmed", date(2017, 7, 10), False)
    driver.advance(days=54)  # 09-02
    assert driver.task(business_key="2017-08", name=COMPILE).due_on == date(2017, 9, 19)
    assert driver.tasks(business_key="2017-02") == []

    driver.advance(days=109)  # 12-20: the evaluation waits for the last quarterly report's due date
    assert driver.tasks(business_key="2017-02") == []
    driver.advance(days=1)  # 12-21
    assert driver.task(business_key="2017-02", name=SELF_EVALUATION).assigned_unit == "zuzhibu"


def test_a_completion_report_returned_by_the_office_is_resubmitted_and_confirmed(driver):
    start_projects(driver, 2)
    submit_completion(driver, "2017-02", summary="已完成")
    review_completion(driver, "2017-02", verdict="return", comment="请补充成效数据")

    returned = completion_of(driver, 2)
    assert (returned.status, returned.office_comment, returned.returned_count) == ("returned", "请补充成效数据", 1)
    assert driver.task(business_key="2017-02", name=REVISE_COMPLETION).assigned_unit == "zuzhibu"

    submit_completion(driver, "2017-02", summary="已完成，成效数据见附件", name=REVISE_COMPLETION)
    review_completion(driver, "2017-02")

    completion = completion_of(driver, 2)
    assert (completion.status, completion.summary, completion.returned_count) == (
        "confirmed", "已完成，成效数据见附件", 1)
    assert driver.tasks(business_key="2017-02", name=SUBMIT_COMPLETION) == []


def test_returning_an_overdue_completion_report_does_not_chase_it_a_second_time(driver):
    start_projects(driver, 21)
    submit_completion(driver, "2017-21")
    review_completion(driver, "2017-21", verdict="return", comment="请补充")

    assert len(driver.tasks(business_key="2017-21", name=CHASE_COMPLETION)) == 1


def test_confirming_an_overdue_completion_closes_the_offices_chase(driver):
    start_projects(driver, 21)
    submit_completion(driver, "2017-21")
    review_completion(driver, "2017-21")

    assert completion_of(driver, 21).status == "confirmed"
    assert driver.tasks(business_key="2017-21", name=CHASE_COMPLETION) == []


def test_the_year_end_evaluation_explains_the_score_records_the_final_one_and_closes_the_year(driver):
    start_projects(driver, 21)  # 区社区办; due 03-31, so its completion is late and chased from day one
    chase = driver.task(business_key="2017-21", name=CHASE_COMPLETION)  # left open by the office
    report_on_time_and_accept(driver, "2017-21")
    submit_completion(driver, "2017-21")
    review_completion(driver, "2017-21")
    driver.advance(days=196)  # 12-21

    self_evaluation = driver.task(business_key="2017-21", name=SELF_EVALUATION)
    assert self_evaluation.assigned_unit == "shequban"
    driver.complete(self_evaluation, {"self_summary": "手册已制发", "self_score": 90})

    scoring = driver.task(business_key="2017-21", name=SCORING)
    assert scoring.assigned_unit == "duchake"
    breakdown = driver.engine.task_view(scoring).data["score_breakdown"]
    items = {item["rule"]: item for item in breakdown["items"]}
    assert items["季度信息报送"]["points"] == items["季度信息报送"]["max"]
    assert "第2季度按时报送" in items["季度信息报送"]["reason"]
    assert items["按期办结"]["points"] < items["按期办结"]["max"]
    assert "晚于完成时间" in items["按期办结"]["reason"]
    assert breakdown["total"] == round(sum(item["points"] for item in breakdown["items"]))
    driver.complete(scoring, {"supervisor_score": 82, "supervisor_comment": "办结晚于完成时间"})

    driver.complete(driver.task(business_key="2017-21", name=FINAL_SCORE),
                    {"score_decision": "confirm", "final_score": 80})

    evaluation = fact_of(driver, Evaluation, 21)
    assert (evaluation.self_score, evaluation.computed_score, evaluation.supervisor_score, evaluation.final_score) == (
        90, breakdown["total"], 82, 80)
    assert driver.instance("2017-21").status == "completed"
    assert driver.tasks(business_key="2017-21") == []
    driver.session.refresh(chase)
    assert chase.state == "cancelled"
