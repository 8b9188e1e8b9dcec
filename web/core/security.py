"""Who is signed in, and CSRF on every form: flask-login's session user and flask-wtf's protection, set up for
the app. The sign-in pages themselves are the auth blueprint's (web/auth.py); the API exempts itself from CSRF
(it takes Bearer tokens, checked by ``bearer_user``).

Flask-login's id for a signed-in browser is its server-side session token (workflows/accounts/sessions.py), not
the user's id, so a cookie copied before signing out, a new password or a deactivation opens nothing."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app, render_template
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from workflows.accounts import sessions, tokens
from workflows.accounts.actor import Actor
from workflows.accounts.models import ROLES, User

from .db import get_session, new_session

log = logging.getLogger(__name__)

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录"


class SignedIn(UserMixin):
    """The person of this request, as the web layer knows them."""

    def __init__(self, user: User, session_token: str):
        self.id, self.username, self.display_name = user.id, user.username, user.display_name
        self.unit_code, self.unit_name, self.role = user.unit_code, user.unit.name, user.role
        self.session_token = session_token

    def get_id(self) -> str:
        """What flask-login keeps in the signed cookie: the server-side session's token."""
        return self.session_token

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.unit_code, self.role)

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


@login_manager.user_loader
def load_user(session_token: str) -> SignedIn | None:
    """The user of a live server-side session, or None (flask-login then sends the browser to sign in)."""
    now = datetime.utcnow()
    row = sessions.live_session(get_session(), session_token, now, current_app.permanent_session_lifetime)
    if row is None:
        return None
    if sessions.seen_is_due(row, now):
        _bookkeeping(sessions.record_seen, row.id, now)
    return SignedIn(row.user, session_token)


def bearer_user(authorization: str) -> User:
    """The user of the ``Authorization: Bearer <token>`` header's token; raises tokens.TokenRefused (a Chinese
    message for a 401). The token's last use is written at most every few minutes, outside the request's
    transaction."""
    token = authorization[7:].strip() if authorization.startswith("Bearer ") else ""
    now = datetime.utcnow()
    row = tokens.token_in_use(get_session(), token, now)
    if tokens.use_is_due(row, now):
        _bookkeeping(tokens.record_use, row.id, now)
    return row.user


def _bookkeeping(record: Callable[[Session, int, datetime], bool], row_id: int, now: datetime) -> None:
    """Write a last-seen or last-used time in a short transaction of its own, never the request's: the request
    then holds no write lock for its bookkeeping. A database too busy to take it loses one time stamp, logged,
    rather than the user's request."""
    with new_session() as own:
        try:
            record(own, row_id, now)
            own.commit()
        except OperationalError as error:
            own.rollback()
            log.warning("时间记录未写入（%s %s）：%s", record.__name__, row_id, error.orig)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    app.register_error_handler(CSRFError, _csrf_refused)


def _csrf_refused(error: CSRFError):
    return render_template("auth/refused.html", message="页面已过期或请求来源无效，请刷新页面后重试"), 400
