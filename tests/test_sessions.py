"""Signed-in sessions live on the server: signing out ends that browser's session only; a new password, a reset
or a deactivation ends them all, so a copied cookie opens nothing afterwards."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event, select

from tests.web_support import PASSWORD, csrf_token, db, ensure_user, login_as, post_form, sign_in, text, units, user  # noqa: F401
from workflows.accounts.models import UserSession

NEW_PASSWORD = "a-longer-secret"


def _copy(app, client):
    """Another browser holding a copy of ``client``'s session cookie, as someone who read it would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _sign_out(client):
    return client.post("/logout", data={"csrf_token": csrf_token(client.get("/inbox"))})


def test_a_cookie_copied_before_signing_out_no_longer_opens_the_inbox(app, user, login_as):
    client = login_as("zuzhibu")
    thief = _copy(app, client)
    assert thief.get("/inbox").status_code == 200

    _sign_out(client)

    response = thief.get("/inbox")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_signing_out_in_one_browser_leaves_the_same_users_other_browser_signed_in(user, login_as):
    office, meeting_room = login_as("zuzhibu"), login_as("zuzhibu")

    _sign_out(office)

    assert office.get("/inbox").status_code == 302
    assert meeting_room.get("/inbox").status_code == 200


def test_a_password_reset_by_the_office_ends_every_session_of_that_user(app, user, login_as):
    clerk = login_as("zuzhibu")
    thief = _copy(app, clerk)
    office = login_as("office", unit="tuijinban", role="office")

    response = post_form(office, "/admin/users", f"/admin/users/{user.id}/password", {"password": NEW_PASSWORD})

    assert response.status_code == 302
    assert clerk.get("/inbox").status_code == 302 and thief.get("/inbox").status_code == 302
    assert sign_in(app.test_client(), "zuzhibu", NEW_PASSWORD).status_code == 302


def test_a_refused_password_reset_ends_no_session(user, login_as):
    clerk = login_as("zuzhibu")
    office = login_as("office", unit="tuijinban", role="office")

    response = post_form(office, "/admin/users", f"/admin/users/{user.id}/password", {"password": "short"})

    assert response.status_code == 422
    assert clerk.get("/inbox").status_code == 200


def test_deactivating_an_account_ends_its_sessions_and_reactivating_it_gives_none_back(db, user, login_as):
    clerk = login_as("zuzhibu")
    office = login_as("office", unit="tuijinban", role="office")

    post_form(office, "/admin/users", f"/admin/users/{user.id}/active", {"active": "0"})
    post_form(office, "/admin/users", f"/admin/users/{user.id}/active", {"active": "1"})

    assert clerk.get("/inbox").status_code == 302
    db.expire_all()
    assert db.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                UserSession.ended_at.is_(None))).all() == []


def test_changing_ones_own_password_keeps_this_browser_and_ends_the_others(app, user, login_as):
    here, elsewhere = login_as("zuzhibu"), login_as("zuzhibu")
    copied = _copy(app, here)

    response = post_form(here, "/account", "/account/password",
                         {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD})

    assert response.status_code == 302 and response.location == "/account"
    assert "密码已修改" in text(here.get("/account"))
    assert here.get("/inbox").status_code == 200
    assert elsewhere.get("/inbox").status_code == 302
    assert copied.get("/inbox").status_code == 302
    assert sign_in(app.test_client(), "zuzhibu", PASSWORD).status_code == 401


@pytest.mark.parametrize("fields, field_message", [
    ({"current_password": "wrong", "new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD}, "当前密码不正确"),
    ({"current_password": PASSWORD, "new_password": "short", "repeated": "short"}, "密码至少 8 个字符"),
    ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD + "x"}, "两次输入的新密码不一致"),
])
def test_a_refused_password_change_is_answered_422_naming_the_field_and_changes_nothing(
        app, user, login_as, fields, field_message):
    here, elsewhere = login_as("zuzhibu"), login_as("zuzhibu")

    response = post_form(here, "/account", "/account/password", fields)

    assert response.status_code == 422 and field_message in text(response)
    assert elsewhere.get("/inbox").status_code == 200
    assert sign_in(app.test_client(), "zuzhibu", PASSWORD).status_code == 302


def test_the_account_page_lists_the_users_live_sessions_and_marks_this_browser(user, login_as):
    here, elsewhere = login_as("zuzhibu"), login_as("zuzhibu")
    assert text(here.get("/account")).count("<tr><td>") == 2

    _sign_out(elsewhere)

    page = text(here.get("/account"))
    assert page.count("<tr><td>") == 1 and "本浏览器" in page


def test_the_account_page_needs_a_signed_in_user(client):
    response = client.get("/account")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_a_cookie_naming_only_a_user_id_as_before_sessions_were_kept_opens_nothing(client, user):
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)
        cookie["_fresh"] = True

    assert client.get("/inbox").status_code == 302


def test_page_requests_write_the_sessions_last_seen_time_at_most_once_in_ten_minutes(app, db, user):
    updates = []
    event.listen(app.extensions["sqlalchemy_engine"], "before_cursor_execute",
                 lambda _c, _cur, statement, *_: updates.append(statement) if statement.startswith(
                     "UPDATE user_session SET last_seen_at") else None)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0), tick=False) as traveller:
        client = app.test_client()
        sign_in(client, "zuzhibu")
        traveller.shift(timedelta(minutes=9))
        client.get("/inbox")
        client.get("/inbox/done")
        assert updates == []
        traveller.shift(timedelta(minutes=2))
        client.get("/inbox")
        client.get("/inbox")

    assert len(updates) == 1
    db.expire_all()
    assert db.scalar(select(UserSession.last_seen_at)) == datetime(2026, 3, 2, 9, 11)
