"""A small driver for process tests: the real engine, router, forms and records on the test database."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from engine import HumanTask, ProcessInstance
from engine.worker import sweep
from workflows.accounts.actor import Actor
from workflows.demo import deploy_diagrams
from workflows.directory import units as directory
from workflows.plan import loading as plans
from workflows.projects.activation import activate_plan
from workflows.runtime import process_engine
from workflows.tasks.completion import complete_task

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
OFFICE = Actor("office", "tuijinban", "office")
SUPERVISOR = Actor("supervisor", "duchake", "supervisor")


def unit_actor(code: str) -> Actor:
    return Actor(code, code, {"tuijinban": "office", "duchake": "supervisor"}.get(code, "unit"))


class Driver:
    """Plays processes as the units would: find a task in a unit's inbox, complete it, move the clock."""

    def __init__(self, session):
        self.session = session
        self.engine = process_engine(session)

    def load_plan_and_diagrams(self, when: datetime = datetime(2017, 6, 8, 9, 0)) -> None:
        directory.load_directory(self.session)
        plans.load_plan(self.session, plans.DEFAULT_PLAN_FILE)
        deploy_diagrams(self.engine, str(BPMN_DIR))
        self.engine.clock.set(when)
        self.session.commit()

    def activate(self, year: int = 2017):
        result = activate_plan(self.session, self.engine, year, actor="test")
        self.session.commit()
        return result

    @property
    def today(self) -> date:
        return self.engine.clock.today()

    def tasks(self, *, unit: str | None = None, name: str | None = None, business_key: str | None = None,
              instance_id: int | None = None) -> list[HumanTask]:
        query = select(HumanTask).join(ProcessInstance).where(HumanTask.state == "ready").order_by(HumanTask.id)
        if unit:
            query = query.where(HumanTask.assigned_unit == unit)
        if name:
            query = query.where(HumanTask.name == name)
        if business_key:
            query = query.where(ProcessInstance.business_key == business_key)
        if instance_id:
            query = query.where(HumanTask.instance_id == instance_id)
        return list(self.session.scalars(query))

    def task(self, **filters) -> HumanTask:
        found = self.tasks(**filters)
        assert len(found) == 1, f"expected one task for {filters}, found {[(t.name, t.assigned_unit) for t in found]}"
        return found[0]

    def complete(self, task: HumanTask, data: dict, *, as_unit: str | None = None):
        actor = unit_actor(as_unit or task.assigned_unit)
        result = complete_task(self.session, self.engine, actor, task.id, data)
        self.session.commit()
        return result

    def advance(self, days: int = 0, hours: int = 0) -> int:
        """Move the clock and let the worker fire what fell due; returns how many instances it woke."""
        self.engine.clock.advance(timedelta(days=days, hours=hours))
        self.session.commit()
        return self.sweep()

    def sweep(self) -> int:
        factory = lambda: type(self.session)(bind=self.session.get_bind(), expire_on_commit=False)  # noqa: E731
        result = sweep(factory, process_engine)
        assert not result.failed, result.failed
        self.session.expire_all()
        return result.fired

    def instance(self, business_key: str) -> ProcessInstance:
        return self.session.scalar(select(ProcessInstance).where(ProcessInstance.business_key == business_key)
                                   .order_by(ProcessInstance.id.desc()).limit(1))

    def history_kinds(self, instance_id: int) -> list[tuple[str, str | None]]:
        return [(e.kind, e.task_name) for e in self.engine.history(instance_id)]


REPORT = {"progress": "按计划推进", "percent": 50, "status": "on_track", "problems": "", "experience": "",
          "next_step": "submit"}


def start_projects(driver: Driver, *numbers: int) -> None:
    """Start only these projects' lifecycles with the data activation gives them, for tests that need a few."""
    from workflows.plan.models import Plan, Project
    from workflows.projects.activation import LIFECYCLE, project_data

    for number in numbers:
        project = driver.session.scalar(select(Project).join(Plan).where(Plan.year == 2017, Project.number == number))
        driver.engine.start_instance(LIFECYCLE, business_key=project.business_key,
                                     data=project_data(driver.session, project, driver.today), actor="test")
    driver.session.commit()


def three_projects_and_one_report(driver: Driver) -> None:
    """Projects 2017-02, -10 and -52 started on 2017-06-08 and 2017-02's first report filed: the least data a
    year-end PDF with figures needs."""
    start_projects(driver, 2, 10, 52)
    driver.complete(driver.task(name="汇总填报季度报告", business_key="2017-02"), REPORT)


@contextmanager
def prepared_app(database_url: str, prepare: Callable[[Driver], None], users: tuple[tuple[str, str, str], ...] = ()):
    """An app on an emptied, migrated database holding the plan and the diagrams (clock at 2017-06-08), then what
    ``prepare(driver)`` adds, and the accounts ``users`` as (username, unit code, role). For module-scoped
    fixtures: the data is made once, the session closed before the tests run, the connections disposed after."""
    from tests.conftest import fresh_app
    from tests.web_support import ensure_user
    from web.core.db import new_session

    application = fresh_app(database_url)
    with application.app_context():
        session = new_session()
        driver = Driver(session)
        driver.load_plan_and_diagrams()
        prepare(driver)
        for username, unit, role in users:
            ensure_user(session, username, unit, role)
        session.close()
    yield application
    application.extensions["sqlalchemy_engine"].dispose()
