"""A database that refuses a read or a write (locked, a read-only file, a server gone) answers 503 with a Chinese
message — JSON under /api, a plain page elsewhere — instead of a 500. The page stands alone: the usual layout
reads the signed-in user, which needs the database."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError

log = logging.getLogger(__name__)
MESSAGE = "数据库暂时无法读写（可能正忙、只读或连接中断），操作未生效，请稍后重试"


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)


def database_unavailable(error: Exception):
    log.error("database unavailable: %s", error)
    if request.path.startswith("/api/") or request.path == "/healthz":
        return jsonify({"error": MESSAGE}), 503
    return render_template("core/unavailable.html", message=MESSAGE), 503
