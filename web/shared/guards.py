"""What every task-related blueprint shares: signed-in users only, and refusals shown with their message."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

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
