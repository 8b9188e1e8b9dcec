"""Activating a plan at the city's size: lifecycles started in batches, or shared out among worker processes."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from engine import HistoryEvent, HumanTask, ProcessInstance
from engine.models import EventSubscription
from tests.process_support import Driver, start_projects
from workflows.plan.models import Plan
from workflows.projects.activation import ActivationError, activate_plan_parallel

BUSINESS_KEYS = [f"2017-{number:02d}" for number in range(1, 56)]


def recorded(driver: Driver) -> dict[str, tuple]:
    """What activation stored for each project, without ids: status, next timer, open tasks with the data they
    were started with, and the history."""
    rows = driver.session.scalars(select(ProcessInstance).order_by(ProcessInstance.business_key)).all()
    return {row.business_key: (
        row.status, row.next_timer_at,
        [(task.name, task.lane, task.assigned_unit, task.due_on, driver.engine.task_view(task).data)
         for task in sorted(driver.tasks(instance_id=row.id), key=lambda task: (task.name, task.assigned_unit))],
        [(event.kind, event.task_name, event.actor, event.data) for event in driver.engine.history(row.id)],
    ) for row in rows}


def forget_activation(driver: Driver) -> None:
    """Back to before activation (a test's shortcut: the product never deletes history)."""
    for model in (HumanTask, HistoryEvent, EventSubscription, ProcessInstance):
        driver.session.execute(delete(model))
    driver.session.scalar(select(Plan).where(Plan.year == 2017)).activated_at = None
    driver.session.commit()


def test_parallel_activation_records_for_each_project_what_activation_in_one_process_records(driver, database_url):
    driver.activate()
    in_one_process = recorded(driver)
    assert len(in_one_process) == 55 and all(tasks for _, _, tasks, _ in in_one_process.values())
    forget_activation(driver)

    result = activate_plan_parallel(database_url, 2017, actor="test", workers=2)

    assert result.started == BUSINESS_KEYS and result.already_running == []
    assert recorded(driver) == in_one_process
    assert driver.engine.count_instances("project_lifecycle") == 55


def test_parallel_activation_run_again_starts_nothing_new(driver, database_url):
    activate_plan_parallel(database_url, 2017, actor="test", workers=2)

    again = activate_plan_parallel(database_url, 2017, actor="test", workers=2)

    assert again.started == [] and again.already_running == BUSINESS_KEYS
    assert driver.engine.count_instances("project_lifecycle") == 55


def test_parallel_activation_starts_only_the_projects_not_running_yet(driver, database_url):
    start_projects(driver, 3, 40)

    result = activate_plan_parallel(database_url, 2017, actor="test", workers=3)

    assert result.already_running == ["2017-03", "2017-40"] and len(result.started) == 53
    keys = driver.session.scalars(select(ProcessInstance.business_key)).all()
    assert sorted(keys) == BUSINESS_KEYS
    assert driver.session.scalar(select(Plan.activated_at).where(Plan.year == 2017)) is not None


def test_parallel_activation_of_a_year_without_a_plan_says_so_before_starting_workers(driver, database_url):
    with pytest.raises(ActivationError, match="没有 2030 年的计划"):
        activate_plan_parallel(database_url, 2030, actor="test", workers=2)


def test_the_activate_command_can_share_the_plan_out_among_workers(driver, runner):
    answer = runner.invoke(args=["plan", "activate", "2017", "--workers", "2"])

    assert answer.exit_code == 0, answer.output
    assert "已启动 55 个项目流程，0 个已在运行" in answer.output
    assert driver.engine.count_instances("project_lifecycle") == 55
