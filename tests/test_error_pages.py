"""Error pages that help: each status is a Chinese page inside the site's frame with the way back (the inbox when
signed in, signing in when not); under /api the same errors stay JSON; the favicon is served."""
from __future__ import annotations

from datetime import datetime

import pytest
from werkzeug.exceptions import abort

from tests.web_support import db, ensure_user, login_as, text  # noqa: F401
from workflows.accounts.tokens import issue_token
from workflows.directory import units as directory

ENGLISH = ("Not Found", "Forbidden", "Method Not Allowed", "Internal Server Error", "Too Many Requests",
           "Conflict", "Request Entity Too Large", "Traceback")


@pytest.fixture
def app(app):
    """The app with three routes that fail as a view sometimes does (added before its first request)."""
    app.add_url_rule("/test/conflict", "test_conflict", lambda: abort(409))
    app.add_url_rule("/test/busy", "test_busy", lambda: abort(429))
    app.add_url_rule("/api/test/busy", "test_api_busy", lambda: abort(429))

    def broken():
        raise RuntimeError("a bug in a view")

    app.add_url_rule("/test/bug", "test_bug", broken)
    app.add_url_rule("/api/test/bug", "test_api_bug", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a bug becomes a 500, not a test failure
    return app


@pytest.fixture
def unit_client(db, login_as):
    directory.load_directory(db)
    db.commit()
    return login_as("zuzhibu")


@pytest.fixture
def api_get(app, db, unit_client):
    token = issue_token(db, ensure_user(db, "zuzhibu", "zuzhibu"), datetime.utcnow())
    db.commit()
    client = app.test_client()
    return lambda path, method="GET": client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})


def assert_helpful_page(response, status: int, heading: str, way_back: str):
    page = text(response)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert f"<h1 id=\"error-title\">{heading}</h1>" in page
    assert "重点工作督查督办" in page, "the page is inside the site's frame"
    assert way_back in page
    assert not any(word in page for word in ENGLISH)


def test_an_unknown_page_is_a_chinese_404_offering_the_inbox_to_a_signed_in_user(unit_client):
    assert_helpful_page(unit_client.get("/no-such-page"), 404, "页面不存在", "返回待办")


def test_an_unknown_page_offers_an_anonymous_visitor_to_sign_in(client):
    assert_helpful_page(client.get("/no-such-page"), 404, "页面不存在", "登录系统")


def test_a_view_that_refuses_shows_403_in_chinese(db, login_as):
    directory.load_directory(db)
    db.commit()
    assert_helpful_page(login_as("zuzhibu").get("/dashboard"), 403, "没有权限", "返回待办")


def test_a_get_on_a_form_only_address_is_a_chinese_405_naming_the_allowed_method(unit_client):
    response = unit_client.get("/logout")
    assert_helpful_page(response, 405, "不支持此操作", "返回待办")
    assert "POST" in response.headers["Allow"]


def test_a_conflict_is_a_chinese_409(unit_client):
    assert_helpful_page(unit_client.get("/test/conflict"), 409, "操作冲突", "返回待办")


def test_a_body_over_the_limit_is_a_chinese_413_inside_the_frame(client):
    response = client.post("/login", data=b"x" * (11 * 1024 * 1024), content_type="application/octet-stream")
    page = text(response)
    assert response.status_code == 413 and "提交的内容过大" in page and "重点工作督查督办" in page
    assert "Request Entity Too Large" not in page


def test_too_many_requests_is_a_chinese_429_keeping_its_retry_after(client):
    assert_helpful_page(client.get("/test/busy"), 429, "操作过于频繁", "登录系统")


def test_a_bug_is_a_chinese_500_page_without_the_exception(unit_client):
    response = unit_client.get("/test/bug")
    assert_helpful_page(response, 500, "系统出错", "返回待办")
    assert "RuntimeError" not in text(response) and "a bug in a view" not in text(response)


def test_the_api_keeps_its_errors_as_json_in_chinese(api_get):
    cases = [("/api/no-such-thing", "GET", 404), ("/api/tasks", "DELETE", 405), ("/api/test/busy", "GET", 429),
             ("/api/test/bug", "GET", 500)]
    for path, method, status in cases:
        response = api_get(path, method)
        assert response.status_code == status, path
        assert response.is_json and response.json["error"], path
        assert not any(word in response.json["error"] for word in ENGLISH), path
        assert "RuntimeError" not in response.get_data(as_text=True)


def test_an_api_refusal_keeps_the_views_own_message(api_get):
    response = api_get("/api/dashboard")
    assert response.status_code == 403 and "驾驶舱" in response.json["error"]


def test_a_views_own_message_is_shown_on_the_page(unit_client, db):
    from web.core.errors import own_message
    from werkzeug.exceptions import NotFound

    assert own_message(NotFound("任务 7 不存在")) == "任务 7 不存在"
    assert own_message(NotFound()) is None


def test_the_favicon_is_served_to_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
