"""The API's messages and signals (Camunda's ``/message`` and ``/signal``): the office and the admin send them to
waiting instances and to processes that start with them (workflows/processes/events.py)."""
from __future__ import annotations

from flask import g, jsonify

from workflows.processes import events

from ..core.db import get_process_engine, get_session
from .common import bp, json_body


@bp.post("/messages")
def send_message():
    """``{name, business_key?, correlation?, variables?, all?}`` → 200 ``{delivered_to, started}``; 409 when nothing
    or (without ``all``) more than one receiver matches."""
    session = get_session()
    delivery = events.send_message(session, get_process_engine(), g.actor, json_body())
    session.commit()
    return jsonify(events.delivery_json(delivery))


@bp.post("/signals")
def send_signal():
    """``{name, variables?}`` → 200 ``{delivered_to, started}`` (both may be empty)."""
    session = get_session()
    delivery = events.send_signal(session, get_process_engine(), g.actor, json_body())
    session.commit()
    return jsonify(events.delivery_json(delivery))
