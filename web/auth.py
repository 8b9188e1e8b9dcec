"""Signing in and out (flask-login sessions, failed attempts throttled in the database; CSRF and the session's
user are set up in core/security.py)."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session as cookie, url_for
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from workflows.accounts import signin

from .core.db import get_session
from .core.security import SignedIn

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=60)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), Length(max=200)])


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so a crafted link cannot send the user elsewhere after signing in."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        # A form posted with a field missing is answered 422, naming the field; CSRF failures never get here.
        return render_template("auth/login.html", form=form), 422 if request.method == "POST" else 200
    session = get_session()
    try:
        user = signin.authenticate(session, form.username.data, form.password.data, request.remote_addr or "",
                                   datetime.now(timezone.utc).replace(tzinfo=None))
    except signin.TooManyAttempts as refused:
        return render_template("auth/login.html", form=form, error=str(refused)), 429
    except signin.LoginRefused as refused:
        session.commit()  # keep the counted failure
        return render_template("auth/login.html", form=form, error=str(refused)), 401
    session.commit()
    cookie.clear()  # a fresh session for the signed-in user
    cookie.permanent = True  # it expires after SESSION_LIFETIME_HOURS without a request
    login_user(SignedIn(user))
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    logout_user()
    cookie.clear()
    flash("已退出登录")
    return redirect(url_for("auth.login"))
