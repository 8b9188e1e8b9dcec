"""The inbox's filters by project, task area and words find a task by its instance's project, whichever form of
the project's key the instance carries (``2017-05`` or ``督查-2017-05``)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.process_support import Driver
from tests.web_support import db  # noqa: F401
from workflows.cases import opening as cases
from workflows.plan.models import Plan, Project
from workflows.tasks import inbox as inboxes

CHECK = {"project": "2017-05", "subject": "旧住房综合改造推进情况", "requirements": "说明开工户数和资金到位情况",
         "answer_due": "2017-06-20"}


@pytest.fixture
def driver(db) -> Driver:
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    return driver


def test_a_supervision_checks_task_is_found_by_its_projects_number_area_and_words(driver):
    cases.open_check(driver.session, driver.engine, CHECK, actor="duchake")
    driver.session.commit()
    task = driver.task(name="反馈督查事项")
    project = driver.session.scalar(select(Project).join(Plan).where(Plan.year == 2017, Project.number == 5))

    def listed(**filters) -> list[int]:
        page = inboxes.inbox(driver.session, task.assigned_unit, today=driver.today, **filters)
        return [row.task.id for row in page.rows]

    assert task.instance.business_key == "督查-2017-05"
    assert task.id in listed(project="2017-05") and task.id not in listed(project="2017-02")
    assert task.id in listed(area=project.area.number)
    assert task.id not in listed(area=project.area.number + 1)
    assert task.id in listed(search=project.text[2:12]) and task.id not in listed(search="没有这样的字")
    assert task.id in listed(project="2017-05", area=project.area.number, search=project.text[2:12])
