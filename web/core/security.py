"""Who is signed in, and CSRF on every form: flask-login's session user and flask-wtf's protection, set up for
the app. The sign-in pages themselves are the auth blueprint's (web/auth.py); the API exempts itself from CSRF
(it takes Bearer tokens)."""
from __future__ import annotations

from flask import Flask, render_template
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFError, CSRFProtect

from workflows.accounts.actor import Actor
from workflows.accounts.models import ROLES, User

from .db import get_session

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


@login_manager.user_loader
def load_user(user_id: str) -> SignedIn | None:
    user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
    return SignedIn(user) if user is not None and user.active else None


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    app.register_error_handler(CSRFError, _csrf_refused)


def _csrf_refused(error: CSRFError):
    return render_template("auth/refused.html", message="页面已过期或请求来源无效，请刷新页面后重试"), 400
