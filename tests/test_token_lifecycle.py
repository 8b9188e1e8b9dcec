"""An API token's life: it expires after API_TOKEN_DAYS, its owner and the office list and revoke it, a new
password or a deactivation revokes it, and its last use is written at most once in ten minutes, outside the
request's transaction."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import create_engine, event, select, text as sql

from tests.web_support import db, ensure_user, login_as, post_form, text, units, user  # noqa: F401
from workflows.accounts.models import ApiToken
from workflows.accounts.tokens import issue_token


def _issue(db, user, name: str = "对接脚本", days: int = 90, when: datetime | None = None) -> str:
    token = issue_token(db, user, when or datetime.utcnow(), name, days)
    db.commit()
    return token


def _api(app, token: str):
    return app.test_client().get("/api/tasks", headers={"Authorization": f"Bearer {token}"})


def _token_row(db, name: str) -> ApiToken:
    db.expire_all()
    return db.scalar(select(ApiToken).where(ApiToken.name == name))


def test_a_token_opens_the_api_until_its_ninetieth_day_and_then_gets_401_saying_it_expired(app, db, user):
    issued = datetime(2026, 3, 2, 9, 0)
    token = _issue(db, user, when=issued)

    with time_machine.travel(issued + timedelta(days=89, hours=23), tick=False):
        assert _api(app, token).status_code == 200
    with time_machine.travel(issued + timedelta(days=90, minutes=1), tick=False):
        response = _api(app, token)

    assert response.status_code == 401
    assert response.json == {"error": "API 令牌已于 2026-05-31 过期，请向区推进办申请新的令牌"}


def test_the_command_line_issues_tokens_for_the_days_the_setting_gives(app, runner, db, user):
    app.config["API_TOKEN_DAYS"] = 7
    runner.invoke(args=["users", "token", "zuzhibu", "--name", "一周试用"])

    row = _token_row(db, "一周试用")
    assert row.expires_at - row.created_at == timedelta(days=7)


def test_no_token_and_a_malformed_header_get_401_json_in_chinese(app, user):
    client = app.test_client()
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        response = client.get("/api/tasks", headers=headers)
        assert response.status_code == 401 and "API 令牌" in response.json["error"]


def test_the_owner_sees_their_tokens_on_the_account_page_and_revokes_one(app, db, user, login_as):
    kept, revoked = _issue(db, user, "统计平台"), _issue(db, user, "旧脚本")
    clerk = login_as("zuzhibu")
    page = text(clerk.get("/account"))
    assert "统计平台" in page and "旧脚本" in page and "从未使用" in page

    response = post_form(clerk, "/account", f"/account/tokens/{_token_row(db, '旧脚本').id}/revoke")

    assert response.status_code == 302
    assert _api(app, revoked).json == {"error": "API 令牌已被撤销，请向区推进办申请新的令牌"}
    assert _api(app, kept).status_code == 200
    assert "已撤销" in text(clerk.get("/account"))


def test_nobody_revokes_another_users_token_from_their_own_account_page(app, db, user, login_as):
    token = _issue(db, user)
    other = login_as("minzhengju")

    response = post_form(other, "/account", f"/account/tokens/{_token_row(db, '对接脚本').id}/revoke")

    assert response.status_code == 404 and "不存在" in text(response)
    assert _api(app, token).status_code == 200


def test_the_office_lists_every_token_and_revokes_a_units_token(app, db, user, login_as):
    token = _issue(db, user)
    office = login_as("office", unit="tuijinban", role="office")
    assert "zuzhibu" in text(office.get("/admin/tokens"))

    response = post_form(office, "/admin/tokens", f"/admin/tokens/{_token_row(db, '对接脚本').id}/revoke")

    assert response.status_code == 302
    assert _api(app, token).status_code == 401


def test_the_office_cannot_revoke_an_administrators_token_but_the_administrator_can(app, db, units, login_as):
    admin_user = ensure_user(db, "admin", "tuijinban", role="admin")
    token = _issue(db, admin_user, "运维")
    token_id = _token_row(db, "运维").id

    office = login_as("office", unit="tuijinban", role="office")
    refused = post_form(office, "/admin/tokens", f"/admin/tokens/{token_id}/revoke")
    assert refused.status_code == 403 and "只有系统管理员" in text(refused)
    assert _api(app, token).status_code == 200

    admin = login_as("admin", unit="tuijinban", role="admin")
    assert post_form(admin, "/admin/tokens", f"/admin/tokens/{token_id}/revoke").status_code == 302
    assert _api(app, token).status_code == 401


def test_revoking_an_unknown_token_on_the_admin_page_is_404(db, units, login_as):
    office = login_as("office", unit="tuijinban", role="office")
    response = post_form(office, "/admin/tokens", "/admin/tokens/999/revoke")
    assert response.status_code == 404 and "API 令牌 999 不存在" in text(response)


def test_a_password_reset_revokes_the_users_tokens(app, db, user, login_as):
    token = _issue(db, user)
    office = login_as("office", unit="tuijinban", role="office")

    post_form(office, "/admin/users", f"/admin/users/{user.id}/password", {"password": "a-longer-secret"})

    assert _api(app, token).json["error"] == "API 令牌已被撤销，请向区推进办申请新的令牌"


def test_deactivating_a_user_revokes_their_tokens_for_good(app, db, user, login_as):
    token = _issue(db, user)
    office = login_as("office", unit="tuijinban", role="office")

    post_form(office, "/admin/users", f"/admin/users/{user.id}/active", {"active": "0"})
    assert _api(app, token).status_code == 401
    post_form(office, "/admin/users", f"/admin/users/{user.id}/active", {"active": "1"})

    assert _api(app, token).status_code == 401


def _token_updates(app) -> list:
    updates = []
    event.listen(app.extensions["sqlalchemy_engine"], "before_cursor_execute",
                 lambda _c, _cur, statement, *_: updates.append(statement) if statement.startswith(
                     "UPDATE api_token SET last_used_at") else None)
    return updates


def test_two_consecutive_api_requests_write_the_tokens_last_use_once(app, db, user):
    token = _issue(db, user)
    updates = _token_updates(app)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0), tick=False) as traveller:
        assert _api(app, token).status_code == 200
        traveller.shift(timedelta(minutes=1))
        assert _api(app, token).status_code == 200

    assert len(updates) == 1
    assert _token_row(db, "对接脚本").last_used_at == datetime(2026, 3, 2, 9, 0)


def test_the_tokens_last_use_is_written_again_after_ten_minutes(app, db, user):
    token = _issue(db, user)
    updates = _token_updates(app)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0), tick=False) as traveller:
        _api(app, token)
        traveller.shift(timedelta(minutes=10))
        _api(app, token)

    assert len(updates) == 2
    assert _token_row(db, "对接脚本").last_used_at == datetime(2026, 3, 2, 9, 10)


def test_an_api_request_is_answered_while_another_connection_holds_the_sqlite_write_lock(app, db, user,
                                                                                           database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock of the whole file is SQLite's")
    token = _issue(db, user)
    assert _api(app, token).status_code == 200  # its last use is now written, for the next ten minutes
    holder = create_engine(database_url, connect_args={"timeout": 1}, isolation_level="AUTOCOMMIT")
    with holder.connect() as connection:
        connection.execute(sql("BEGIN IMMEDIATE"))  # as a slow request writing would
        try:
            response = _api(app, token)
        finally:
            connection.execute(sql("ROLLBACK"))
    holder.dispose()

    assert response.status_code == 200
