"""`/healthz`: whether the app can read its database, for a load balancer or `honcho`'s operator. No sign-in."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from engine import ProcessInstance

from .core.db import get_session

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    """200 ``{"status": "ok", "database": "ok"}``, or 503 with ``"database": "error"`` when a read fails."""
    session = get_session()
    try:
        session.execute(select(ProcessInstance.id).limit(1)).all()
    except SQLAlchemyError as error:
        log.error("health check: database unreadable: %s", error)
        session.rollback()
        return jsonify({"status": "error", "database": "error", "message": "数据库无法读取"}), 503
    finally:
        session.rollback()
    return jsonify({"status": "ok", "database": "ok"})
