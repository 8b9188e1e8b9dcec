"""Error pages that help: every HTTP error (403, 404, 405, 409, 413, 429, 500 …) is a Chinese page inside the
site's frame that says what happened and offers the way back (the inbox, or signing in when anonymous); under
/api it stays JSON, ``{"error": "…"}``. A view's own message (``abort(404, "任务 7 不存在")``) is shown as given;
Werkzeug's English default text never is. Also the favicon, served at /favicon.ico.

Blueprint handlers (web/api/common.py, web/shared/guards.py, the 413 of web/task_notes.py) still come first:
these are the app's fallback for everything they leave."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, jsonify, make_response, render_template, request, send_file
from werkzeug.exceptions import HTTPException, InternalServerError

from .db import get_session

log = logging.getLogger(__name__)
FAVICON = Path(__file__).resolve().parents[1] / "static" / "favicon.svg"


@dataclass(frozen=True)
class ErrorText:
    """What a page says for one status: its heading and the sentence under it, in Chinese."""

    title: str
    explanation: str


ERROR_TEXTS = {
    400: ErrorText("请求有误", "提交的内容无法处理，请返回上一页检查后重试。"),
    403: ErrorText("没有权限", "您的账号无权查看或办理此页面的内容。如需办理，请联系区督查办或系统管理员。"),
    404: ErrorText("页面不存在", "您要找的页面或事项不存在，可能已被删除，或链接有误。"),
    405: ErrorText("不支持此操作", "此页面不接受这种方式的请求，请从页面上的按钮或链接进入。"),
    409: ErrorText("操作冲突", "此事项刚被他人处理或已发生变化，请刷新页面查看最新状态后再办理。"),
    413: ErrorText("提交的内容过大", "上传的文件或填写的内容超过了允许的大小，请压缩或拆分后再提交。"),
    429: ErrorText("操作过于频繁", "短时间内的请求过多，请稍候几分钟再试。"),
    500: ErrorText("系统出错", "系统处理时发生了意外错误，已记录在案。请稍后重试；如仍出错，请联系系统管理员。"),
}
OTHER_ERROR = ErrorText("无法完成请求", "请求未能完成，请返回后重试。")


def error_text(code: int) -> ErrorText:
    """The Chinese heading and explanation for an HTTP status; a generic pair for a status not listed."""
    return ERROR_TEXTS.get(code, OTHER_ERROR)


def own_message(error: HTTPException) -> str | None:
    """The message a view gave to ``abort(code, message)``, or None when only Werkzeug's English default is there."""
    description = error.description
    if not description or description == type(error).description:
        return None
    return str(description)


def render_error(error: HTTPException):
    """The response for an HTTP error: JSON under /api, otherwise the page templates/errors/error.html."""
    code = error.code or 500
    text = error_text(code)
    message = own_message(error)
    if request.path == "/api" or request.path.startswith("/api/"):
        response = jsonify({"error": message or text.title + "：" + text.explanation})
    else:
        response = render_template("errors/error.html", code=code, text=text, message=message)
    return _with_headers(response, code, error)


def _with_headers(response, code: int, error: HTTPException):
    """The status, plus the headers the error carries (``Allow`` of a 405, ``Retry-After`` of a 429)."""
    response = make_response(response, code)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def unexpected(error: InternalServerError):
    """A bug: logged with its traceback; the user sees the 500 page (or JSON), never the exception. The request's
    session is rolled back first, since a failed statement leaves it unusable for the page's own queries."""
    original = getattr(error, "original_exception", None) or error
    log.error("请求 %s %s 出错", request.method, request.path, exc_info=original)
    get_session().rollback()
    try:
        return render_error(InternalServerError())
    except Exception:  # the frame itself failed (a database gone): a bare page still says it in Chinese
        log.exception("错误页无法显示")
        text = error_text(500)
        return f"<!doctype html><meta charset=utf-8><h1>{text.title}</h1><p>{text.explanation}</p>", 500


def favicon():
    """The site's icon, an SVG (the browsers of today take it from /favicon.ico by its content type)."""
    return send_file(FAVICON, mimetype="image/svg+xml", max_age=86400)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(InternalServerError, unexpected)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
