"""What every task-related blueprint shares: signed-in users only, and refusals shown with their message."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from engine import EngineError
from workflows.accounts.actor import NotAllowed


def _signed_in() -> None:
    """Nothing to do once flask-login has let the request through."""


def guard(bp: Blueprint, refused_template: str = "inbox/refused.html") -> Blueprint:
    """Require sign-in on every view of ``bp``; engine refusals keep their status, NotAllowed is 403."""

    def engine_refused(error: EngineError):
        return render_template(refused_template, message=error.message), error.status

    def not_allowed(error: NotAllowed):
        return render_template(refused_template, message=str(error)), 403

    bp.before_request(login_required(_signed_in))
    bp.register_error_handler(EngineError, engine_refused)
    bp.register_error_handler(NotAllowed, not_allowed)
    return bp


def role_guard(bp: Blueprint, roles: tuple[str, ...], message: str, refused_template: str) -> Blueprint:
    """Require sign-in on every view of ``bp`` and one of ``roles``; anyone else gets ``refused_template`` with
    ``message`` and 403 (anonymous visitors go to the login page first)."""

    def require_role():
        if current_user.role not in roles:
            return render_template(refused_template, message=message), 403
        return None

    bp.before_request(login_required(require_role))
    return bp
