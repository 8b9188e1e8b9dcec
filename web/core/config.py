"""Configuration from the environment, with defaults that work on a fresh clone."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one made once and kept in var/ so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    VAR.mkdir(exist_ok=True)
    path = VAR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def from_environment() -> dict:
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{VAR / 'putuo.db'}"),
        "SECRET_KEY": _secret_key(),
        "TIMEZONE": os.environ.get("APP_TIMEZONE", "Asia/Shanghai"),
        "BPMN_DIR": str(ROOT / "bpmn"),
        "WORKER_INTERVAL_SECONDS": float(os.environ.get("WORKER_INTERVAL_SECONDS", "10")),
        # Outbound e-mail (workflows/notifications/delivery.py): off while MAIL_SERVER is empty.
        **{name: os.environ.get(name, "") for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM")},
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        # The site's address as readers reach it: e-mails and robot messages link to tasks by absolute URLs.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Each evaluation of a diagram's script, condition, timer value or collection (engine/isolation.py).
        "SCRIPT_SECONDS": float(os.environ.get("SCRIPT_SECONDS", "2")),
        "SCRIPT_MEGABYTES": int(os.environ.get("SCRIPT_MEGABYTES", "256")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A signed-in session ends after this long without a request; the signed cookie carries its time.
        # An API token is valid this many days from its issue (it can be revoked before).
        "API_TOKEN_DAYS": int(os.environ.get("API_TOKEN_DAYS", "90")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=float(os.environ.get("SESSION_LIFETIME_HOURS", "8"))),
        # One uploaded file may have 10 MB; a request body a little larger (the form around the file) is refused
        # with 413 before it is read.
        "ATTACHMENT_MAX_BYTES": ATTACHMENT_MAX_BYTES,
        "MAX_CONTENT_LENGTH": ATTACHMENT_MAX_BYTES + 256 * 1024,
        # Processes that lay out the year-end PDF's parts at once (1: all in the request's process).
        "PDF_WORKERS": int(os.environ.get("PDF_WORKERS", str(os.cpu_count() or 1))),
        # The engine's bounds (engine/bounds.py): the longest timer duration, the shortest cycle, the most
        # children of a multi-instance activity, the seconds one instance may run in one step, whether an uncaught
        # BPMN error is an incident.
        **{name: float(os.environ[name]) for name in ("MAX_TIMER_YEARS", "MIN_CYCLE_MINUTES",
                                                      "MAX_INSTANCES_PER_ACTIVITY", "STEP_SECONDS",
                                                      "UNHANDLED_ERROR_INCIDENT")
           if name in os.environ},
        # Served over HTTPS (directly or behind a proxy): redirect http to https, send HSTS, and send the session
        # cookie only over https. Off by default so that `make run` on http://127.0.0.1 works.
        "HTTPS_ONLY": _flag("HTTPS_ONLY"),
        # How many reverse proxies stand in front of the app; their X-Forwarded-For/-Proto/-Host are believed,
        # so the login throttle and the logs see the user's address. 0: no proxy, those headers are ignored.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
    }
