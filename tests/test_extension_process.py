"""延期申请 on the real diagrams: a unit asks for more time on its quarterly report, the office approves or refuses;
an approval moves the task's due date, writes it to the task's history and keeps a report handed in by then from
being late. The office can also hand a task to another unit (改派)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine import HumanTask, NotFound, ProcessInstance, TaskNotReady
from tests.process_support import OFFICE, REPORT, Driver, start_projects
from workflows.accounts.actor import Actor, NotAllowed
from workflows.forms import FormInvalid
from workflows.records.models import QuarterlyReport
from workflows.tasks import assignment, extensions
from workflows.tasks.models import DeadlineExtension

COMPILE, REVIEW_EXTENSION = "汇总填报季度报告", "审批延期申请"
Q2_LAST_DAY = date(2017, 6, 19)
AUDITOR = Actor("auditor", "tuijinban", "auditor")
SUPERVISOR = Actor("supervisor", "duchake", "supervisor")


@pytest.fixture
def report_task(driver: Driver) -> HumanTask:
    """Project 2's Q2 report, due 19 June, in its lead unit's inbox (the clock at 8 June)."""
    start_projects(driver, 2)
    task = driver.task(name=COMPILE, business_key="2017-02")
    assert task.due_on == Q2_LAST_DAY
    return task


def clerk_of(task: HumanTask) -> Actor:
    return Actor(task.assigned_unit, task.assigned_unit, "unit")


def ask(driver: Driver, task: HumanTask, requested="2017-06-30", reason="需等待区统计局提供二季度数据",
        actor: Actor | None = None) -> DeadlineExtension:
    extension = extensions.request_extension(driver.session, driver.engine, actor or clerk_of(task), task.id,
                                             requested, reason)
    driver.session.commit()
    return extension


def decide(driver: Driver, decision: str, **fields) -> None:
    driver.complete(driver.task(name=REVIEW_EXTENSION), {"extension_decision": decision, **fields}, as_unit="tuijinban")


def extension_count(driver: Driver) -> int:
    return driver.session.scalar(select(func.count()).select_from(DeadlineExtension))


def test_an_approved_extension_moves_the_due_date_and_the_tasks_history_says_so(driver, report_task):
    extension = ask(driver, report_task)
    review = driver.task(name=REVIEW_EXTENSION)
    assert review.assigned_unit == "tuijinban"
    data = driver.engine.task_view(review).data
    assert (data["current_due"], data["requested_due"], data["extension_reason"]) == (
        "2017-06-19", "2017-06-30", "需等待区统计局提供二季度数据")
    assert extension.status == "pending"

    decide(driver, "approve")

    driver.session.refresh(report_task)
    assert report_task.due_on == date(2017, 6, 30)
    assert (extension.status, extension.decided_by) == ("approved", "tuijinban")
    assert extension.approved_due_on == date(2017, 6, 30)
    [moved] = [e for e in driver.engine.history(report_task.instance_id) if e.kind == "task_due_changed"]
    assert (moved.task_name, moved.data["from"], moved.data["to"]) == (COMPILE, "2017-06-19", "2017-06-30")
    assert driver.session.get(ProcessInstance, extension.instance_id).status == "completed"


def test_the_office_may_approve_another_date_but_only_one_after_the_current_due_date(driver, report_task):
    extension = ask(driver, report_task, requested="2017-07-14")

    with pytest.raises(FormInvalid) as refused:
        decide(driver, "approve", approved_due="2017-06-19")
    driver.session.rollback()
    assert list(refused.value.errors) == ["approved_due"]
    assert driver.task(name=REVIEW_EXTENSION) and extension.status == "pending"

    decide(driver, "approve", approved_due="2017-06-28")
    driver.session.refresh(report_task)
    assert report_task.due_on == date(2017, 6, 28)
    assert extension.approved_due_on == date(2017, 6, 28)


def test_a_refusal_needs_a_comment_and_keeps_the_due_date(driver, report_task):
    extension = ask(driver, report_task)
    with pytest.raises(FormInvalid) as refused:
        decide(driver, "refuse")
    driver.session.rollback()
    assert list(refused.value.errors) == ["decision_comment"]

    decide(driver, "refuse", decision_comment="数据可先按估算报送")

    driver.session.refresh(report_task)
    assert report_task.due_on == Q2_LAST_DAY
    assert (extension.status, extension.decision_comment) == ("refused", "数据可先按估算报送")
    assert "task_due_changed" not in [e.kind for e in driver.engine.history(report_task.instance_id)]


def test_an_approval_after_the_task_was_done_voids_the_request_and_moves_nothing(driver, report_task):
    extension = ask(driver, report_task)
    driver.complete(report_task, REPORT)

    decide(driver, "approve")

    assert extension.status == "void"
    assert report_task.state == "completed" and report_task.due_on == Q2_LAST_DAY


def test_a_report_handed_in_by_the_extended_date_is_not_late_though_the_chase_still_fires(driver, report_task):
    ask(driver, report_task)
    decide(driver, "approve")

    driver.advance(days=13)  # 06-21: past the diagram's last day, its 催办 timer fired as drawn
    assert driver.tasks(name="催办季度报告", business_key="2017-02")
    driver.complete(driver.task(name=COMPILE, business_key="2017-02"), REPORT)

    report = driver.session.scalar(select(QuarterlyReport).where(QuarterlyReport.quarter == 2))
    assert (report.submitted_on, report.due_on, report.late) == (date(2017, 6, 21), date(2017, 6, 30), False)


@pytest.mark.parametrize("requested, reason, field", [
    ("2017-06-19", "理由", "requested_due_on"),     # not after the current due date
    ("2017-02-30", "理由", "requested_due_on"),     # no such day
    ("下个月", "理由", "requested_due_on"),
    ("", "理由", "requested_due_on"),
    ("2018-06-20", "理由", "requested_due_on"),     # more than a year
    ("2017-06-30", "", "reason"),
    ("2017-06-30", "   ", "reason"),
    ("2017-06-30", "长" * 501, "reason"),
    ("2017-06-30", 42, "reason"),
])
def test_a_request_is_checked_field_by_field_and_a_refused_one_changes_nothing(driver, report_task, requested, reason,
                                                                                field):
    with pytest.raises(FormInvalid) as refused:
        ask(driver, report_task, requested=requested, reason=reason)
    driver.session.rollback()
    assert list(refused.value.errors) == [field]
    assert extension_count(driver) == 0 and driver.tasks(name=REVIEW_EXTENSION) == []


def test_a_task_has_one_pending_request_at_a_time(driver, report_task):
    ask(driver, report_task)
    with pytest.raises(extensions.ExtensionPending) as conflict:
        ask(driver, report_task, requested="2017-07-05")
    driver.session.rollback()
    assert conflict.value.status == 409 and extension_count(driver) == 1

    decide(driver, "refuse", decision_comment="不同意")
    ask(driver, report_task, requested="2017-06-23", reason="再次申请：数据已到一半")
    assert [e.status for e in extensions.requests_for_task(driver.session, report_task.id)] == ["pending", "refused"]


def test_only_the_tasks_own_unit_may_ask_for_more_time(driver, report_task):
    with pytest.raises(NotFound):
        ask(driver, report_task, actor=Actor("caoyang", "caoyang", "unit"))
    driver.session.rollback()
    for overseer in (OFFICE, AUDITOR, SUPERVISOR):
        with pytest.raises(NotAllowed):
            ask(driver, report_task, actor=overseer)
        driver.session.rollback()
    driver.complete(report_task, REPORT)
    with pytest.raises(TaskNotReady):
        ask(driver, report_task)
    driver.session.rollback()
    assert extension_count(driver) == 0


def test_the_office_reassigns_a_task_to_another_unit_which_drops_the_claim(driver, report_task):
    old_unit = report_task.assigned_unit
    report_task.claimed_by = old_unit
    driver.session.commit()

    assignment.reassign(driver.session, driver.engine, OFFICE, report_task.id, "minzhengju", "牵头单位调整")
    driver.session.commit()

    assert (report_task.assigned_unit, report_task.claimed_by) == ("minzhengju", None)
    [event] = [e for e in driver.engine.history(report_task.instance_id) if e.kind == "task_reassigned"]
    assert (event.actor, event.data["from"], event.data["to"], event.data["reason"]) == (
        "office", old_unit, "minzhengju", "牵头单位调整")
    driver.complete(report_task, REPORT, as_unit="minzhengju")


@pytest.mark.parametrize("unit, reason, field", [
    ("gejiedao", "调整", "unit"),           # a group of units
    ("nosuchunit", "调整", "unit"),
    ("", "调整", "unit"),
    ("minzhengju", "", "reason"),
])
def test_a_task_goes_only_to_a_real_unit_and_with_a_reason(driver, report_task, unit, reason, field):
    with pytest.raises(FormInvalid) as refused:
        assignment.reassign(driver.session, driver.engine, OFFICE, report_task.id, unit, reason)
    driver.session.rollback()
    assert list(refused.value.errors) == [field]
    assert report_task.assigned_unit != "minzhengju"


def test_only_the_office_reassigns_and_only_open_tasks(driver, report_task):
    for actor in (clerk_of(report_task), AUDITOR, SUPERVISOR):
        with pytest.raises(NotAllowed):
            assignment.reassign(driver.session, driver.engine, actor, report_task.id, "minzhengju", "调整")
    driver.complete(report_task, REPORT)
    with pytest.raises(TaskNotReady):
        assignment.reassign(driver.session, driver.engine, OFFICE, report_task.id, "minzhengju", "调整")


def test_a_task_without_a_deadline_takes_no_request(driver, report_task):
    driver.complete(report_task, REPORT)
    review = driver.task(name="审核季度报告", business_key="2017-02")
    assert review.due_on is None
    with pytest.raises(FormInvalid) as refused:
        ask(driver, review, actor=OFFICE)
    driver.session.rollback()
    assert list(refused.value.errors) == ["requested_due_on"] and extension_count(driver) == 0
