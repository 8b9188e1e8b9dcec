"""Messages and signals the office sends to processes (``POST /api/messages``, ``POST /api/signals``): who may
send, what a request may hold, and who the instances they start count as started by (我发起的). Delivery itself is
the engine's (engine/delivery.py); each instance's history records the sender.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine import BpmnEngine
from engine.delivery import Delivery

from ..accounts.actor import Actor, NotAllowed
from ..forms import FormInvalid
from .models import InstanceStart

SENDERS = frozenset({"office", "admin"})
MESSAGE_FIELDS = ("name", "business_key", "correlation", "variables", "all")
SIGNAL_FIELDS = ("name", "variables")
MAX_NAME = 200


@dataclass
class Sending:
    """A checked request: the event's name, the business key and correlation a message must match (empty: any),
    the variables it carries, and whether every match receives it."""

    name: str
    business_key: str | None = None
    correlation: dict[str, Any] | None = None
    variables: dict[str, Any] | None = None
    every: bool = False


def require_sender(actor: Actor) -> None:
    if actor.role not in SENDERS:
        raise NotAllowed("只有区推进办和系统管理员可以发送消息或信号")


def _checked(body: dict, fields: tuple[str, ...]) -> Sending:
    errors = {name: "没有这个字段" for name in set(body) - set(fields)}
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        errors["name"] = f"名称必填，为不超过 {MAX_NAME} 字的文本"
    key = body.get("business_key")
    if key not in (None, "") and (not isinstance(key, str) or len(key) > 200):
        errors["business_key"] = "业务编号应为不超过 200 字的文本"
    for field in ("correlation", "variables"):
        if body.get(field) is not None and not isinstance(body[field], dict):
            errors[field] = f"{field} 应为对象（变量名 → 值）"
    if body.get("all") is not None and not isinstance(body["all"], bool):
        errors["all"] = "all 应为 true 或 false"
    if errors:
        raise FormInvalid(errors)
    return Sending(name.strip(), key or None, body.get("correlation"), body.get("variables"), bool(body.get("all")))


def send_message(session: Session, engine: BpmnEngine, actor: Actor, body: dict) -> Delivery:
    """Deliver a message as this person: NotAllowed (403), FormInvalid (422), NoReceiver or SeveralReceivers (409)."""
    require_sender(actor)
    sending = _checked(body, MESSAGE_FIELDS)
    delivery = engine.correlate_message(sending.name, business_key=sending.business_key,
                                        correlation=sending.correlation, variables=sending.variables,
                                        every=sending.every, actor=actor.username)
    _count_as_started(session, actor, delivery)
    return delivery


def send_signal(session: Session, engine: BpmnEngine, actor: Actor, body: dict) -> Delivery:
    """Broadcast a signal as this person: NotAllowed (403), FormInvalid (422)."""
    require_sender(actor)
    sending = _checked(body, SIGNAL_FIELDS)
    delivery = engine.broadcast_signal(sending.name, variables=sending.variables, actor=actor.username)
    _count_as_started(session, actor, delivery)
    return delivery


def _count_as_started(session: Session, actor: Actor, delivery: Delivery) -> None:
    for instance in delivery.started:
        session.add(InstanceStart(instance_id=instance.id, process_key=instance.row.definition.key,
                                  started_by=actor.username, unit_code=actor.unit_code))
    session.flush()


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """``{"delivered_to": [instance ids], "started": [instance ids]}``."""
    return {"delivered_to": [instance.id for instance in delivery.caught],
            "started": [instance.id for instance in delivery.started]}
