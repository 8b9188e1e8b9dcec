"""Every page's security headers (web/core/headers.py, issue 14 §3): a Content-Security-Policy without inline
script or style, nosniff, no framing, a referrer policy; HTTPS-only cookies and HSTS by the HTTPS_ONLY setting;
the user's address behind TRUSTED_PROXIES reverse proxies; templates free of inline script and style."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.web_support import PASSWORD, csrf_token, db, login_as  # noqa: F401
from web import create_app
from workflows.accounts.models import LoginAttempt
from workflows.directory.units import load_directory

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
# The year-end PDF's templates are read by WeasyPrint in the server, never by a browser.
PDF_TEMPLATES = TEMPLATES / "reports"
INLINE = re.compile(r"<style|\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")", re.I)


@pytest.fixture
def office(db, login_as):
    load_directory(db)
    db.commit()
    return login_as("office", unit="tuijinban", role="office")


def policy(response) -> dict[str, str]:
    parts = [part.strip().split(None, 1) for part in response.headers["Content-Security-Policy"].split(";")]
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts if part}


def app_with(app, **settings):
    """Another app on the test app's (migrated, emptied) database, with these settings."""
    return create_app({**{name: app.config[name] for name in ("DATABASE_URL", "SECRET_KEY", "TESTING")}, **settings})


def test_the_login_page_allows_only_the_apps_own_script_and_style_files(client):
    response = client.get("/login")
    csp = policy(response)

    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_every_page_refuses_framing_sniffing_and_leaking_its_address(client):
    response = client.get("/login")

    assert policy(response)["frame-ancestors"] == "'none'" and response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/inbox", "/projects", "/editor", "/admin", "/reports", "/admin/decisions",
                                 "/admin/decisions/scoring"])
def test_signed_in_pages_send_the_same_policy(office, url):
    response = office.get(url)

    assert response.mimetype == "text/html"
    assert policy(response)["script-src"] == "'self'" and policy(response)["style-src"] == "'self'"


def test_json_answers_are_sandboxed_like_stored_documents(client):
    response = client.get("/api/openapi.json")

    assert policy(response)["default-src"] == "'none'" and "sandbox" in policy(response)


def test_by_default_plain_http_works_with_no_hsts_and_an_ordinary_session_cookie(app, client):
    response = client.get("/login")

    assert response.status_code == 200 and "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_https_only_redirects_http_sends_hsts_and_keeps_the_session_cookie_to_https(app):
    secure = app_with(app, HTTPS_ONLY=True).test_client()

    redirected = secure.get("/login")
    response = secure.get("/login", base_url="https://localhost")

    assert redirected.status_code == 302 and redirected.location.startswith("https://")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in response.headers["Set-Cookie"]


def failed_login_address(client, db, forwarded_for: str) -> str:
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"username": "nobody", "password": PASSWORD + "x", "csrf_token": token},
                headers={"X-Forwarded-For": forwarded_for})
    db.expire_all()
    return db.scalars(select(LoginAttempt.remote_addr).order_by(LoginAttempt.id.desc())).first()


def test_behind_one_trusted_proxy_the_login_throttle_sees_the_users_address(app, db):
    behind_proxy = app_with(app, TRUSTED_PROXIES=1).test_client()

    assert failed_login_address(behind_proxy, db, "203.0.113.7") == "203.0.113.7"


def test_without_a_trusted_proxy_a_forged_forwarded_address_is_ignored(client, db):
    assert failed_login_address(client, db, "203.0.113.7") == "127.0.0.1"


@pytest.mark.parametrize("template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                                            if PDF_TEMPLATES not in p.parents))
def test_no_page_template_holds_inline_script_style_or_event_handlers(template):
    source = (TEMPLATES / template).read_text(encoding="utf-8")

    assert INLINE.findall(source) == []


def test_the_dashboard_charts_inline_style_carries_the_requests_nonce(db, login_as):
    from tests.process_support import Driver

    Driver(db).load_plan_and_diagrams()
    response = login_as("office", unit="tuijinban", role="office").get("/dashboard?year=2017")
    page = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", policy(response)["style-src"]).group(1)

    assert page.count("<style") >= 1 and page.count("<style") == page.count(f'<style nonce="{nonce}"')
    assert ' style="' not in page and "<script" not in page
    assert "nonce" not in policy(login_as("office", unit="tuijinban", role="office").get("/inbox"))["style-src"]
