"""Helpers for tests of the web pages: CSRF tokens read from the page, users, signed-in clients."""
from __future__ import annotations

import re

import pytest

from workflows.accounts.users import create_user, find_user
from workflows.directory import units as directory

PASSWORD = "secret"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(page) -> str:
    """The token of the first form on the page, as a browser would send it back."""
    match = CSRF.search(page.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    token = csrf_token(client.get("/login"))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def signed_in_client(app, username: str):
    """A test client of ``app`` signed in as ``username`` (password ``demo``)."""
    client = app.test_client()
    sign_in(client, username)
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def post_form(client, page_url: str, action_url: str, data: dict | None = None):
    """Post to ``action_url`` with the CSRF token of the page at ``page_url``, as a browser would."""
    token = csrf_token(client.get(page_url))
    return client.post(action_url, data={**(data or {}), "csrf_token": token})


def ensure_user(db, username: str, unit_code: str, role: str = "unit"):
    user = find_user(db, username)
    if user is None:
        user = create_user(db, username=username, unit_code=unit_code, role=role, password=PASSWORD)
        db.commit()
    return user


@pytest.fixture
def db(app):
    """A session of its own, outside any app context, for tests that drive the app through its client.

    The conftest ``db`` keeps an app context open, which requests would then share (its ``g``, its session
    and flask-login's cached user); here every request gets its own context, as behind a real server.
    Call ``db.expire_all()`` before reading what a request changed.
    """
    from web.core.db import new_session

    with app.app_context():
        session = new_session()
    yield session
    session.close()


@pytest.fixture
def login_as(app, db):
    """``login_as(username, unit=code, role=...)``: a fresh client signed in as that user (created if needed)."""

    def signed_in(username: str, *, unit: str | None = None, role: str = "unit"):
        ensure_user(db, username, unit or username, role)
        client = app.test_client()
        response = sign_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return signed_in


@pytest.fixture
def units(db):
    """The district's unit directory, loaded and committed."""
    directory.load_directory(db)
    db.commit()


@pytest.fixture
def user(db, units):
    """The unit user ``zuzhibu`` of 区委组织部, with the password ``PASSWORD``."""
    return ensure_user(db, "zuzhibu", "zuzhibu")
