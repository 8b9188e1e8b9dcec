"""Signing in and out (flask-login over server-side sessions, failed attempts throttled in the database; CSRF
and the session's user are set up in core/security.py), and the owner's account page: where they are signed
in, their API tokens (revoked here) and a new password."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session as cookie, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from workflows.accounts import administration, sessions, signin, tokens

from .core.db import get_session
from .core.security import SignedIn

bp = Blueprint("auth", __name__)
PASSWORD_FIELDS = ("current_password", "new_password", "repeated")


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=60)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), Length(max=200)])


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so a crafted link cannot send the user elsewhere after signing in."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.home")  # each role's start page: the auditor's is not the office's inbox


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        # A form posted with a field missing is answered 422, naming the field; CSRF failures never get here.
        return render_template("auth/login.html", form=form), 422 if request.method == "POST" else 200
    session, now = get_session(), datetime.utcnow()
    try:
        user = signin.authenticate(session, form.username.data, form.password.data, request.remote_addr or "", now)
    except signin.TooManyAttempts as refused:
        return render_template("auth/login.html", form=form, error=str(refused)), 429
    except signin.LoginRefused as refused:
        session.commit()  # keep the counted failure
        return render_template("auth/login.html", form=form, error=str(refused)), 401
    _start_session(user, now)
    return redirect(_safe_next(request.args.get("next")))


def _start_session(user, now: datetime) -> None:
    """A new server-side session for this browser, in a fresh signed cookie."""
    token = sessions.open_session(get_session(), user, now)
    get_session().commit()
    cookie.clear()
    cookie.permanent = True  # it expires after SESSION_LIFETIME_HOURS without a request
    login_user(SignedIn(user, token))


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        sessions.end_session(get_session(), current_user.session_token, datetime.utcnow())
        get_session().commit()
    logout_user()
    cookie.clear()
    flash("已退出登录")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    return _render_account()


@bp.post("/account/password")
@login_required
def change_password():
    session, form = get_session(), {name: request.form.get(name, "") for name in PASSWORD_FIELDS}
    try:
        user = administration.change_own_password(session, user_id=current_user.id, **form)
    except administration.AdminError as error:
        session.rollback()
        return _render_account(errors={error.field or "new_password": str(error)}, status=error.status)
    _start_session(user, datetime.utcnow())
    flash("密码已修改；其他地方的登录和全部 API 令牌已失效")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    session = get_session()
    try:
        row = tokens.get_token(session, token_id, owner_id=current_user.id)
    except tokens.TokenNotFound as error:
        return _render_account(message=str(error), status=error.status)
    tokens.revoke(row, datetime.utcnow())
    session.commit()
    flash(f"已撤销 API 令牌“{row.name or row.id}”")
    return redirect(url_for("auth.account"))


def _render_account(errors: dict | None = None, message: str | None = None, status: int = 200):
    session, now = get_session(), datetime.utcnow()
    idle = current_app.permanent_session_lifetime
    own_sessions = sessions.sessions_of(session, current_user.id, now, idle)
    current = sessions.live_session(session, current_user.session_token, now, idle)
    return render_template("auth/account.html", sessions=own_sessions, current_id=current.id if current else None,
                           tokens=tokens.tokens_of(session, current_user.id), state=lambda row: tokens.state(row, now),
                           states=tokens.STATES, errors=errors or {}, message=message), status
