"""The quarterly report (季度信息报送) on the real diagrams: drafting, review, several lead units, the clock."""
from __future__ import annotations

from datetime import timedelta, date

import pytest
from sqlalchemy import select

from engine.worker import sweep
from tests.process_support import REPORT, Driver, start_projects
from workflows.accounts.actor import NotAllowed
from workflows.forms import FormInvalid
from workflows.records.models import QuarterlyReport
from workflows.runtime import process_engine

COMPILE, REVIEW, REVISE = "汇总填报季度报告", "审核季度报告", "按意见修改季度报告"
PARTNER_INPUT, RESPONSIBLE_INPUT, CHASE = "提供季度进展材料", "责任单位提供材料", "催办季度报告"
REMINDER = ("timer_fired", "到期前提醒")
REVISED = {key: value for key, value in REPORT.items() if key != "next_step"}  # the revision form has no next step


def report_of(driver: Driver, business_key: str, quarter: int = 2) -> QuarterlyReport | None:
    number = int(business_key.split("-")[1])
    return driver.session.scalar(select(QuarterlyReport).where(
        QuarterlyReport.quarter == quarter,
        QuarterlyReport.project.has(number=number)))


def submit_report(driver: Driver, business_key: str, **changes) -> None:
    driver.complete(driver.task(name=COMPILE, business_key=business_key), dict(REPORT, **changes))


def review(driver: Driver, business_key: str, verdict: str = "accept", **fields) -> None:
    driver.complete(driver.task(name=REVIEW, business_key=business_key), {"verdict": verdict, **fields})


def ready_task_ids(driver: Driver, business_key: str) -> list[int]:
    return [task.id for task in driver.tasks(business_key=business_key)]


def test_a_report_submitted_on_time_and_accepted_is_recorded_as_accepted_and_not_late(driver):
    start_projects(driver, 2)
    submit_report(driver, "2017-02", percent=40)
    assert driver.task(business_key="2017-02", name=REVIEW).assigned_unit == "tuijinban"

    review(driver, "2017-02")

    report = report_of(driver, "2017-02")
    assert (report.status, report.late, report.submitted_on, report.percent) == (
        "accepted", False, date(2017, 6, 8), 40)
    assert driver.tasks(business_key="2017-02", name=REVIEW) == []
    history = driver.history_kinds(driver.instance("2017-02").id)
    assert ("task_completed", COMPILE) in history and ("task_completed", REVIEW) in history


def test_the_office_cannot_return_a_report_without_saying_why_and_the_refusal_changes_nothing(driver):
    start_projects(driver, 2)
    submit_report(driver, "2017-02")
    review_task = driver.task(business_key="2017-02", name=REVIEW)
    history_before = driver.history_kinds(review_task.instance_id)

    with pytest.raises(FormInvalid) as refused:
        review(driver, "2017-02", verdict="return")

    assert list(refused.value.errors) == ["office_comment"]
    assert driver.task(business_key="2017-02", name=REVIEW).id == review_task.id
    assert driver.tasks(business_key="2017-02", name=REVISE) == []
    assert driver.history_kinds(review_task.instance_id) == history_before
    assert report_of(driver, "2017-02").status == "submitted"


def test_a_returned_report_goes_back_to_the_unit_with_the_comment_and_is_accepted_when_resent(driver):
    start_projects(driver, 2)
    submit_report(driver, "2017-02", percent=40)
    review(driver, "2017-02", verdict="return", office_comment="请补充街道落实情况")

    returned = report_of(driver, "2017-02")
    assert (returned.status, returned.office_comment) == ("returned", "请补充街道落实情况")
    revise = driver.task(business_key="2017-02", name=REVISE)
    assert revise.assigned_unit == "zuzhibu"

    driver.complete(revise, dict(REVISED, percent=45))
    review(driver, "2017-02")

    report = report_of(driver, "2017-02")
    assert (report.status, report.returned_count, report.percent, report.late) == ("accepted", 1, 45, False)


def test_a_partner_lead_unit_contributes_before_the_coordinator_can_compile_the_report(driver):
    start_projects(driver, 17)
    partner_task = driver.task(business_key="2017-17", name=PARTNER_INPUT)
    assert (partner_task.assigned_unit, partner_task.due_on) == ("shequban", date(2017, 6, 19))
    assert driver.tasks(business_key="2017-17", name=COMPILE) == []

    driver.complete(partner_task, {"contribution": "区社区办负责的考评结果运用已完成"})

    compile_task = driver.task(business_key="2017-17", name=COMPILE)
    assert (compile_task.assigned_unit, compile_task.due_on) == ("rensheju", date(2017, 6, 19))


def test_a_partner_lead_unit_cannot_complete_the_coordinators_report(driver):
    start_projects(driver, 17)
    driver.complete(driver.task(business_key="2017-17", name=PARTNER_INPUT), {"contribution": "已完成"})
    compile_task = driver.task(business_key="2017-17", name=COMPILE)

    with pytest.raises(NotAllowed):
        driver.complete(compile_task, REPORT, as_unit="shequban")

    assert driver.task(business_key="2017-17", name=COMPILE).id == compile_task.id
    assert report_of(driver, "2017-17") is None


def test_the_coordinator_can_ask_each_responsible_unit_for_input_before_compiling_again(driver):
    start_projects(driver, 42)  # 区科委 leads; 区公安分局, 区房管局 and 区网格中心 are responsible
    submit_report(driver, "2017-42", next_step="consult")

    asked = driver.tasks(business_key="2017-42", name=RESPONSIBLE_INPUT)
    assert sorted(task.assigned_unit for task in asked) == ["fangguanju", "gonganfenju", "wanggezhongxin"]
    assert {task.due_on for task in asked} == {date(2017, 6, 19)}
    assert driver.tasks(business_key="2017-42", name=COMPILE) == []
    assert report_of(driver, "2017-42") is None

    for task in asked[:-1]:
        driver.complete(task, {"contribution": "已落实"})
    assert driver.tasks(business_key="2017-42", name=COMPILE) == []
    driver.complete(asked[-1], {"contribution": "已落实"})

    assert driver.task(business_key="2017-42", name=COMPILE).assigned_unit == "kewei"
    submit_report(driver, "2017-42")
    assert driver.task(business_key="2017-42", name=REVIEW).assigned_unit == "tuijinban"


def test_a_report_sent_to_the_office_after_asking_to_consult_no_one_is_recorded_as_submitted(driver):
    start_projects(driver, 52)  # 区人社局 leads alone and has no responsible units
    submit_report(driver, "2017-52", next_step="consult", percent=60)
    assert driver.task(business_key="2017-52", name=REVIEW).assigned_unit == "tuijinban"

    report = report_of(driver, "2017-52")
    assert report is not None
    assert (report.status, report.submitted_on, report.percent) == ("submitted", date(2017, 6, 8), 60)


def test_the_unit_is_reminded_three_working_days_before_the_20th(driver):
    start_projects(driver, 2)
    instance_id = driver.instance("2017-02").id

    driver.advance(days=6)  # Wednesday 06-14 09:00: four working days are left
    assert REMINDER not in driver.history_kinds(instance_id)

    driver.advance(days=1, hours=1)  # Thursday 06-15 10:00: 15, 16 and 19 June are left
    assert REMINDER in driver.history_kinds(instance_id)
    assert driver.task(business_key="2017-02", name=COMPILE).assigned_unit == "zuzhibu"
    assert driver.tasks(business_key="2017-02", name=CHASE) == []


def test_the_worker_does_not_spin_on_a_timer_whose_instant_is_exactly_now_and_fires_it_just_after(driver):
    start_projects(driver, 2)
    driver.engine.clock.set(driver.engine.clock.now().replace(day=15))  # 06-15 09:00, the reminder's instant
    driver.session.commit()

    session_factory = lambda: type(driver.session)(bind=driver.session.get_bind(), expire_on_commit=False)  # noqa: E731
    result = sweep(session_factory, process_engine, limit=3)  # bounded, so a regression fails instead of hanging
    driver.session.expire_all()
    assert result.fired == 0
    assert REMINDER not in driver.history_kinds(driver.instance("2017-02").id)

    assert driver.advance(hours=0, days=0) == 0
    driver.engine.clock.advance(timedelta(seconds=1))
    driver.session.commit()
    assert driver.sweep() == 1
    assert REMINDER in driver.history_kinds(driver.instance("2017-02").id)


def test_a_report_not_in_by_the_20th_is_chased_by_the_office(driver):
    start_projects(driver, 2)
    driver.advance(days=11)  # 06-19 09:00, the last day
    assert driver.tasks(business_key="2017-02", name=CHASE) == []

    driver.advance(days=1)  # 06-20 09:00

    assert driver.task(business_key="2017-02", name=CHASE).assigned_unit == "tuijinban"
    assert driver.task(business_key="2017-02", name=COMPILE).assigned_unit == "zuzhibu"


def test_the_offices_chase_is_recorded_on_the_report(driver):
    start_projects(driver, 2)
    driver.advance(days=12)
    driver.complete(driver.task(business_key="2017-02", name=CHASE), {"chase_note": "已电话催报"})

    report = report_of(driver, "2017-02")
    assert (report.chased, report.status, report.submitted_on) == (True, "pending", None)


def test_a_late_report_is_accepted_marked_late_closes_the_chase_and_the_next_quarter_follows(driver):
    start_projects(driver, 2)
    driver.advance(days=13)  # 06-21
    chase = driver.task(business_key="2017-02", name=CHASE)

    submit_report(driver, "2017-02")
    assert report_of(driver, "2017-02").late is True
    review(driver, "2017-02")

    report = report_of(driver, "2017-02")
    assert (report.status, report.late, report.submitted_on) == ("accepted", True, date(2017, 6, 21))
    driver.session.refresh(chase)
    assert chase.state == "cancelled"
    assert driver.tasks(business_key="2017-02", name=COMPILE) == []

    driver.advance(days=72)  # 09-01 09:00, the third quarter's window is open
    third_quarter = driver.task(business_key="2017-02", name=COMPILE)
    assert (third_quarter.assigned_unit, third_quarter.due_on) == ("zuzhibu", date(2017, 9, 19))


def test_a_quarter_left_unreported_does_not_hold_back_the_next_quarters_report(driver):
    start_projects(driver, 2)

    driver.advance(days=85)  # 09-01 09:00; the second quarter's report never came in

    assert [task.due_on for task in driver.tasks(business_key="2017-02", name=COMPILE)] == [
        date(2017, 6, 19), date(2017, 9, 19)]


def test_a_bad_report_is_refused_with_a_message_per_field_and_changes_nothing(driver):
    start_projects(driver, 2)
    instance_id = driver.instance("2017-02").id
    tasks_before, history_before = ready_task_ids(driver, "2017-02"), driver.history_kinds(instance_id)
    bad = {"percent": 150, "status": "unknown", "next_step": "submit", "colour": "red"}

    with pytest.raises(FormInvalid) as refused:
        driver.complete(driver.task(business_key="2017-02", name=COMPILE), bad)

    errors = refused.value.errors
    assert sorted(errors) == ["colour", "percent", "progress", "status"]
    assert "进展情况" in errors["progress"] and "100" in errors["percent"] and "正常推进" in errors["status"]
    assert ready_task_ids(driver, "2017-02") == tasks_before
    assert driver.history_kinds(instance_id) == history_before
    assert report_of(driver, "2017-02") is None
