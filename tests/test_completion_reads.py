"""What one completion reads from the database: what its form and its records need, and no more. A file list or
the unit directory is read only when the submission names a file or a unit; what it names is still checked."""
from __future__ import annotations

import re
import pytest
from sqlalchemy import select

from engine import HumanTask
from tests.process_support import REPORT, Driver, start_projects, unit_actor
from tests.sql_support import statements_sent
from workflows.forms import FormInvalid
from workflows.records import recorders
from workflows.records.models import QuarterlyReport
from workflows.tasks.attachments import upload
from workflows.tasks.models import Attachment

COMPILE = "汇总填报季度报告"


def statements(driver: Driver):
    """The SQL statements the driver's session sends while the block runs, one string each."""
    return statements_sent(driver.session.get_bind())


def reading(sent: list[str], table: str) -> list[str]:
    return [statement for statement in sent if re.search(rf"\bFROM {table}\b", statement)]


@pytest.fixture
def report_task(driver):
    start_projects(driver, 2)
    return driver.task(name=COMPILE, business_key="2017-02")


def test_a_report_that_names_no_file_and_no_unit_reads_neither_the_files_nor_the_directory(driver, report_task):
    with statements(driver) as sent:
        driver.complete(report_task, REPORT)

    assert reading(sent, "attachment") == [] and reading(sent, "unit") == []


def test_a_report_naming_a_file_of_its_instance_keeps_it(driver, report_task):
    attachment = upload(driver.session, report_task, unit_actor(report_task.assigned_unit), "进展.txt",
                        "本季度进展".encode(), now=driver.engine.clock.now())
    driver.session.commit()

    with statements(driver) as sent:
        driver.complete(report_task, dict(REPORT, attachments=[attachment.id]))

    assert len(reading(sent, "attachment")) == 1
    [completed] = [event for event in driver.engine.history(report_task.instance_id) if event.kind == "task_completed"]
    assert completed.data["data"]["attachments"] == [attachment.id]


def test_a_report_naming_a_file_of_no_instance_of_its_own_is_refused(driver, report_task):
    with pytest.raises(FormInvalid) as refused:
        driver.complete(report_task, dict(REPORT, attachments=[987654]))

    assert list(refused.value.errors) == ["attachments"]
    driver.session.rollback()
    assert driver.session.scalar(select(Attachment.id)) is None


def test_a_report_finds_its_project_and_its_record_by_one_query_without_the_projects_units(driver, report_task):
    with statements(driver) as sent:
        driver.complete(report_task, REPORT)
    review_task = driver.task(name="审核季度报告", business_key="2017-02")
    with statements(driver) as sent_again:
        driver.complete(review_task, {"verdict": "accept"})

    for completion in (sent, sent_again):
        assert len(reading(completion, "project")) == 1 and reading(completion, "project_unit") == []
    report = driver.session.scalar(select(QuarterlyReport))
    assert (report.status, report.percent, report.project.number) == ("accepted", 50, 2)


def test_a_record_of_a_project_the_plan_does_not_have_is_refused_by_name(driver, report_task):
    facts = recorders.Completed(driver.session, report_task.instance, report_task,
                                {"project": {"year": 2017, "number": 999}, "year": 2017, "quarter": 2}, {}, driver.today)

    with pytest.raises(LookupError, match="2017-999"):
        facts.project_row(QuarterlyReport, year=2017, quarter=2)


def ready_ids(driver: Driver, instance_id: int) -> list[int]:
    return list(driver.session.scalars(select(HumanTask.id).where(
        HumanTask.instance_id == instance_id, HumanTask.state == "ready").order_by(HumanTask.id)))


def test_the_answers_open_tasks_are_the_instances_ready_tasks_as_stored_without_a_read_after_the_step(driver):
    start_projects(driver, 42)  # three responsible units to ask, the project's lifecycle tasks beside the report's
    compile_task = driver.task(name=COMPILE, business_key="2017-42")
    instance_id = compile_task.instance_id

    with statements(driver) as sent:
        asked = driver.complete(compile_task, dict(REPORT, next_step="consult")).next_tasks
    assert [task.id for task in asked] == ready_ids(driver, instance_id)
    assert len(asked) > 3 and len(reading(sent, "human_task")) == 1  # the engine's, under the instance's lock

    asked_units = [task for task in asked if task.name == "责任单位提供材料"]
    for task in asked_units:
        answered = driver.complete(task, {"contribution": "已落实"}).next_tasks
        assert [row.id for row in answered] == ready_ids(driver, instance_id)
    assert "汇总填报季度报告" in {task.name for task in answered}
