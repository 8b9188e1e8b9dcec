"""Signing in and out: CSRF on every form, no hint whether a name exists, throttled guessing, disabled accounts."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.web_support import PASSWORD, csrf_token, db, ensure_user, login_as, sign_in, units, user  # noqa: F401
from workflows.accounts.models import LoginAttempt


def test_pages_send_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/inbox")
    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert client.get("/").status_code == 302


def test_the_health_check_stays_public(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_a_user_signs_in_with_the_right_password_and_lands_in_the_inbox(client, user):
    response = sign_in(client, "zuzhibu")

    assert response.status_code == 302 and response.location == "/"
    assert client.get("/").location == "/inbox"
    page = client.get("/inbox")
    assert page.status_code == 200 and "待办" in page.get_data(as_text=True)


def test_after_signing_in_the_user_returns_to_the_page_asked_for_but_never_to_another_site(client, user):
    token = csrf_token(client.get("/login"))
    response = client.post("/login?next=/inbox/done", data={"username": "zuzhibu", "password": PASSWORD,
                                                            "csrf_token": token})
    assert response.location == "/inbox/done"

    client.post("/logout", data={"csrf_token": csrf_token(client.get("/inbox"))})
    token = csrf_token(client.get("/login"))
    response = client.post("/login?next=https://evil.example/", data={"username": "zuzhibu", "password": PASSWORD,
                                                                      "csrf_token": token})
    assert response.location == "/"


def test_a_wrong_password_and_an_unknown_name_get_the_same_chinese_message(client, user):
    wrong_password = sign_in(client, "zuzhibu", "wrong")
    unknown_name = sign_in(client, "nobody", "wrong")

    for response in (wrong_password, unknown_name):
        assert response.status_code == 401
        assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302


def test_a_login_without_the_csrf_token_is_refused(client, user):
    response = client.post("/login", data={"username": "zuzhibu", "password": PASSWORD})

    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302


def test_signing_out_needs_the_token_and_then_ends_the_session(user, login_as):
    client = login_as("zuzhibu")
    assert client.post("/logout").status_code == 400
    assert client.get("/inbox").status_code == 200

    response = client.post("/logout", data={"csrf_token": csrf_token(client.get("/inbox"))})

    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/inbox").status_code == 302


def test_the_sixth_attempt_after_five_wrong_passwords_is_refused_even_with_the_right_password(client, user):
    for _ in range(5):
        assert sign_in(client, "zuzhibu", "wrong").status_code == 401

    response = sign_in(client, "zuzhibu", PASSWORD)

    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)


def test_the_lock_is_kept_in_the_database_and_ends_after_fifteen_minutes(client, db, user):
    long_ago = datetime.utcnow() - timedelta(minutes=16)
    db.add_all(LoginAttempt(username="zuzhibu", remote_addr="127.0.0.1", attempted_at=long_ago) for _ in range(5))
    db.commit()
    assert sign_in(client, "zuzhibu").status_code == 302

    recent = datetime.utcnow() - timedelta(minutes=1)
    db.add_all(LoginAttempt(username="zuzhibu", remote_addr="127.0.0.1", attempted_at=recent) for _ in range(5))
    db.commit()
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/inbox"))})
    assert sign_in(client, "zuzhibu").status_code == 429
    assert client.get("/inbox").status_code == 302


def test_one_address_guessing_fifty_names_within_fifteen_minutes_is_refused_for_every_name(client, db, user):
    recent = datetime.utcnow() - timedelta(minutes=1)
    db.add_all(LoginAttempt(username=f"guess{number}", remote_addr="127.0.0.1", attempted_at=recent)
               for number in range(49))
    db.commit()
    assert sign_in(client, "guess49", "wrong").status_code == 401

    assert sign_in(client, "zuzhibu", PASSWORD).status_code == 429


def test_five_wrong_passwords_for_admin_do_not_lock_office_out_from_the_same_address(client, db, units):
    ensure_user(db, "admin", "tuijinban", role="admin")
    ensure_user(db, "office", "tuijinban", role="office")
    for _ in range(5):
        assert sign_in(client, "admin", "wrong").status_code == 401
    assert sign_in(client, "admin", PASSWORD).status_code == 429

    assert sign_in(client, "office", PASSWORD).status_code == 302


def test_a_name_locked_at_one_address_still_signs_in_from_another(app, db, user):
    recent = datetime.utcnow() - timedelta(minutes=1)
    db.add_all(LoginAttempt(username="zuzhibu", remote_addr="10.0.0.9", attempted_at=recent) for _ in range(5))
    db.commit()

    assert sign_in(app.test_client(), "zuzhibu").status_code == 302
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert sign_in(elsewhere, "zuzhibu").status_code == 429


def test_an_office_behind_one_address_keeps_signing_in_after_a_few_clerks_mistype(client, db, units):
    clerks = [ensure_user(db, code, code) for code in ("zuzhibu", "tongzhanbu", "minzhengju")]
    for clerk in clerks:
        for _ in range(4):
            assert sign_in(client, clerk.username, "wrong").status_code == 401

    for clerk in clerks:
        signed_in = client.application.test_client()
        assert sign_in(signed_in, clerk.username).status_code == 302


def test_a_disabled_account_cannot_sign_in(client, db, user):
    user.active = False
    db.commit()

    response = sign_in(client, "zuzhibu")

    assert response.status_code == 401
    assert "已停用" in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302


def test_disabling_an_account_ends_its_open_sessions(db, user, login_as):
    client = login_as("zuzhibu")
    user.active = False
    db.commit()

    assert client.get("/inbox").status_code == 302


def test_the_session_cookie_is_http_only_and_same_site_lax(client, user):
    response = sign_in(client, "zuzhibu")

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_session_ends_after_eight_hours_without_a_request_and_lives_on_while_used(client, user):
    import time_machine

    with time_machine.travel(datetime(2026, 3, 2, 9, 0), tick=False) as traveller:
        sign_in(client, "zuzhibu")
        traveller.shift(timedelta(hours=7))
        assert client.get("/inbox").status_code == 200  # each request renews the cookie
        traveller.shift(timedelta(hours=7))
        assert client.get("/inbox").status_code == 200
        traveller.shift(timedelta(hours=8, minutes=1))
        response = client.get("/inbox")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_a_login_form_posted_without_its_fields_is_answered_422(client, user):
    response = client.post("/login", data={"csrf_token": csrf_token(client.get("/login"))})
    assert response.status_code == 422 and "field-error" in response.get_data(as_text=True)
