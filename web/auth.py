"""Signing in and out (flask-login sessions, CSRF on every form, failed attempts throttled in the database)."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session as cookie, url_for
from flask_login import LoginManager, UserMixin, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from workflows.accounts import signin
from workflows.accounts.actor import Actor
from workflows.accounts.models import ROLES, User

from .db import get_session

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录"


class SignedIn(UserMixin):
    """The person of this request, as the web layer knows them."""

    def __init__(self, user: User):
        self.id, self.username, self.display_name = user.id, user.username, user.display_name
        self.unit_code, self.unit_name, self.role = user.unit_code, user.unit.name, user.role

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.unit_code, self.role)

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=60)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), Length(max=200)])


@login_manager.user_loader
def load_user(user_id: str) -> SignedIn | None:
    user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
    return SignedIn(user) if user is not None and user.active else None


def init_app(app) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_blueprint(bp)


def _csrf_refused(error: CSRFError):
    return render_template("auth/refused.html", message="页面已过期或请求来源无效，请刷新页面后重试"), 400


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
