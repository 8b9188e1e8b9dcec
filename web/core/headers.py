"""The browser's security headers on every response (Flask-Talisman), the reverse proxy in front of the app
(werkzeug's ProxyFix), and stored documents served so that no browser ever runs them.

Pages get a Content-Security-Policy that allows only the app's own script and style files: no inline script, no
inline style, no framing by another site, no plug-ins. Everything that is not an HTML page (stored diagrams,
attachments, exports, JSON) additionally gets ``default-src 'none'; sandbox``: even if a browser were made to
render such a document, it is an opaque origin that can run nothing and reach nothing.

Settings (web/core/config.py): ``HTTPS_ONLY`` (redirect to https, HSTS, session cookie only over https; off so
that ``make run`` on plain http works) and ``TRUSTED_PROXIES`` (how many reverse proxies stand in front and set
X-Forwarded-For/-Proto/-Host; 0 trusts none of these headers).
"""
from __future__ import annotations

import base64
import hashlib

from flask import Flask, Response
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

SELF = "'self'"
PAGE_POLICY = {
    "default-src": SELF, "script-src": SELF, "style-src": SELF, "img-src": [SELF, "data:"], "font-src": SELF,
    "connect-src": SELF, "object-src": "'none'", "base-uri": "'none'", "form-action": SELF,
    "frame-ancestors": "'none'",
}
# bpmn-js-properties-panel builds its two containers from HTML strings with these style attributes (its
# PropertiesPanelRenderer); the editor's page allows exactly these two values and no other inline style.
PROPERTIES_PANEL_STYLES = ("height: 100%", "flex: none; height: auto")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


EDITOR_POLICY = {**PAGE_POLICY,
                 "style-src-attr": ["'unsafe-hashes'", *(_hash(style) for style in PROPERTIES_PANEL_STYLES)]}
# What a stored document (or any response that is not a page) may do when a browser shows it: nothing.
SANDBOX_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"
HSTS_SECONDS = 365 * 24 * 3600

talisman = Talisman()


def init_app(app: Flask) -> None:
    """Headers, cookie flags and the proxy fix, from the app's settings."""
    https_only = bool(app.config.get("HTTPS_ONLY"))
    app.config["SESSION_COOKIE_SECURE"] = https_only
    app.config["REMEMBER_COOKIE_SECURE"] = https_only
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    # Registered before Talisman's: Flask runs after-request functions last-registered first, so this one sees
    # (and narrows) the policy Talisman has set.
    app.after_request(_sandbox_non_pages)
    talisman.init_app(
        app, force_https=https_only, strict_transport_security=https_only,
        strict_transport_security_max_age=HSTS_SECONDS, session_cookie_secure=https_only,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        content_security_policy=PAGE_POLICY, frame_options="DENY", referrer_policy="same-origin",
        x_content_type_options=True)


def _sandbox_non_pages(response: Response) -> Response:
    if response.mimetype != "text/html" or response.headers.get("Content-Disposition", "").startswith("attachment"):
        response.headers["Content-Security-Policy"] = SANDBOX_POLICY
    return response


def stored_document(content: str | bytes, filename: str | None = None) -> Response:
    """A stored document (a diagram's XML, a draft): as a download named ``filename`` (``application/xml``, which
    the browser saves and does not open), else as plain UTF-8 text, a type no browser runs (the editor and the
    project page read it with fetch). Either way with ``nosniff``, the sandbox policy (added for every non-page
    response, see above) and kept out of shared caches."""
    if filename is None:
        response = Response(content, mimetype="text/plain")  # Flask adds "; charset=utf-8"
    else:
        response = Response(content, mimetype="application/xml")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'  # keys are ASCII names
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
