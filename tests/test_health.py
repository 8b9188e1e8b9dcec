"""`/healthz` reads the database and says so in JSON; a database that cannot be read, or refuses a write, answers
503 with a Chinese message instead of a 500."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.deployment_support import review
from tests.web_support import ensure_user
from web import create_app
from workflows.accounts.tokens import issue_token
from workflows.directory import units as directory


def _app_on(url: str):
    return create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})


def _unreachable(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        return "sqlite:////nonexistent-directory/for-the-health-test/putuo.db"
    return "postgresql+psycopg://postgres@127.0.0.1:1/unreachable?connect_timeout=2"


def test_healthz_answers_ok_when_the_database_reads(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_json_when_the_database_cannot_be_read(database_url):
    response = _app_on(_unreachable(database_url)).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "error" and response.json["message"] == "数据库无法读取"


def test_a_page_on_a_database_that_is_gone_answers_503_in_chinese_not_500(database_url):
    response = _app_on(_unreachable(database_url)).test_client().post(
        "/login", data={"username": "office", "password": "secret-password"})
    assert response.status_code == 503
    assert "数据库暂时无法读写" in response.get_data(as_text=True)


@pytest.fixture
def read_only_app(app, db, database_url):
    """The same SQLite file opened read-only (as when its file or directory is not writable), with a token."""
    if not database_url.startswith("sqlite"):
        pytest.skip("a read-only file is SQLite's case; PostgreSQL's is covered by the unreachable server")
    directory.load_directory(db)
    token = issue_token(db, ensure_user(db, "office", "tuijinban", "office"), datetime.utcnow())
    db.commit()
    path = database_url.removeprefix("sqlite:///")
    return _app_on(f"sqlite:///file:{path}?mode=ro&uri=true"), token


def test_an_api_write_the_read_only_database_refuses_answers_503_json_in_chinese(read_only_app):
    read_only, token = read_only_app
    response = read_only.test_client().post("/api/process-definitions", data=review(), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/xml"})
    assert response.status_code == 503
    assert "数据库暂时无法读写" in response.json["error"]


def test_healthz_still_answers_200_on_a_read_only_database_it_can_read(read_only_app):
    read_only, _ = read_only_app
    assert read_only.test_client().get("/healthz").status_code == 200
