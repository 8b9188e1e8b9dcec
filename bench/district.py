"""One district's data the way the product makes it: units, users, the 2017 plan, the diagrams, the clock."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import BpmnEngine
from workflows.accounts.users import create_user
from workflows.demo import DEMO_PASSWORD, ROLE_USERS, UNIT_KIND_ROLES, deploy_diagrams
from workflows.directory import units as directory
from workflows.directory.models import Unit
from workflows.plan import loading as plans
from workflows.plan.models import Plan

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
YEAR = 2017
ISSUED = datetime(2017, 6, 8, 9, 0)


def build_district(session: Session, engine: BpmnEngine, projects: int | None) -> None:
    """The demo's data set before activation; ``projects`` keeps only the plan's first projects (smoke runs)."""
    directory.load_directory(session)
    plans.load_plan(session, plans.DEFAULT_PLAN_FILE)
    if projects is not None:
        plan = session.scalar(select(Plan).where(Plan.year == YEAR))
        plan.projects = [p for p in plan.projects if p.number <= projects]
    _create_users(session)
    deploy_diagrams(engine, str(BPMN_DIR))
    engine.clock.set(ISSUED)
    session.commit()


def _create_users(session: Session) -> None:
    password_hash = generate_password_hash(DEMO_PASSWORD)
    units = session.scalars(select(Unit).where(Unit.kind != "group").order_by(Unit.code)).all()
    accounts = [(u.code, u.code, UNIT_KIND_ROLES.get(u.kind, "unit"), u.name) for u in units] + list(ROLE_USERS)
    for username, unit_code, role, display_name in accounts:
        create_user(session, username=username, unit_code=unit_code, role=role, password=DEMO_PASSWORD,
                    display_name=display_name, password_hash=password_hash)
