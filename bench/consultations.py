"""条块约请 at city scale: one raised through the product, then copies of it with the records the reports read.

Each copy is a process instance (the real consultation's state, closed), its consultation row and one to
three invitations with signing, reply and rating dates as the process would have written them.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine import BpmnEngine, ProcessInstance
from workflows.cases import opening as cases
from workflows.directory.models import Unit

from .copies import BATCH, Ids, chunks, table
from .database import fix_sequences

TABLES = ("process_instance", "consultation", "consultation_invitation")


def raise_one(session: Session, engine: BpmnEngine, street: str, departments: list[str]) -> ProcessInstance:
    instance = cases.raise_consultation(session, engine, street, {
        "description": "路口积水点改造涉及排水管网，需区职能部门协调", "place": "路口",
        "invited_departments": departments[:2]}, actor=street)
    session.commit()
    return instance.row


def fill_consultations(session: Session, engine: BpmnEngine, count: int, year: int) -> None:
    rng = random.Random(20_000)
    streets = list(session.scalars(select(Unit.code).where(Unit.kind.in_(cases.STREET_KINDS))))
    departments = list(session.scalars(select(Unit.code).where(Unit.kind == "department")))
    template = raise_one(session, engine, streets[0], departments)
    for chunk in chunks(list(range(count - 1)), BATCH):
        ids = Ids(session, TABLES)
        rows = [_consultation(rng, ids, template, year, rng.choice(streets), departments) for _ in chunk]
        instances, consultations, invitations = zip(*rows)
        session.execute(insert(table("process_instance")), list(instances))
        session.execute(insert(table("consultation")), list(consultations))
        session.execute(insert(table("consultation_invitation")), [item for group in invitations for item in group])
        fix_sequences(session, list(TABLES))
        session.commit()


def _consultation(rng: random.Random, ids: Ids, template: ProcessInstance, year: int, street: str,
                  departments: list[str]) -> tuple[dict, dict, list[dict]]:
    opened = date(year, 1, 3) + timedelta(days=rng.randrange(340))
    closed = opened + timedelta(days=rng.randrange(5, 25))
    instance_id = ids.take("process_instance")
    instance = {"id": instance_id, "definition_id": template.definition_id, "status": "completed",
                "business_key": f"约请-{street}-{opened:%Y%m%d}", "state": template.state,
                "serializer_version": template.serializer_version, "started_at": opened, "updated_at": closed,
                "ended_at": closed, "next_timer_at": None, "error_message": None}
    consultation_id = ids.take("consultation")
    consultation = {"id": consultation_id, "instance_id": instance_id, "street_code": street, "project_id": None,
                    "description": "居民反映的问题需区职能部门协调解决", "place": "", "wished_reply_on": None,
                    "opened_on": opened, "status": "closed", "closed_on": closed}
    invitations = [_invitation(rng, ids, consultation_id, department, opened)
                   for department in rng.sample(departments, rng.randint(1, 3))]
    return instance, consultation, invitations


def _invitation(rng: random.Random, ids: Ids, consultation_id: int, department: str, opened: date) -> dict:
    signed = opened + timedelta(days=rng.randrange(0, 4))
    replied = signed + timedelta(days=rng.randrange(1, 15))
    return {"id": ids.take("consultation_invitation"), "consultation_id": consultation_id,
            "department_code": department, "invited_on": opened, "sign_due": opened + timedelta(days=2),
            "signed_on": signed, "reply_due": opened + timedelta(days=14), "replied_on": replied,
            "reply": "已列入计划，按期完成", "rating": rng.choice(("satisfied",) * 9 + ("unsatisfied",)),
            "unsatisfied_count": 0, "escalated": False, "closed_by_office": False}
