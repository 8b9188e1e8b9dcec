"""API tokens: printed once by the command line, stored only as a hash, refused once the user is disabled."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tests.web_support import ensure_user
from workflows.accounts.models import ApiToken
from workflows.accounts.tokens import user_for_token
from workflows.directory.units import load_directory


def test_a_token_printed_for_a_user_identifies_that_user_and_only_its_hash_is_kept(app, runner):
    from web.core.db import get_session

    with app.app_context():
        db = get_session()
        load_directory(db)
        ensure_user(db, "zuzhibu", "zuzhibu")
        token = runner.invoke(args=["users", "token", "zuzhibu"]).output.strip()
        db.expire_all()
        assert user_for_token(db, token, datetime(2017, 6, 8)).username == "zuzhibu"
        assert token not in [row.token_hash for row in db.scalars(select(ApiToken))]
        assert user_for_token(db, token + "x", datetime(2017, 6, 8)) is None


def test_no_token_is_printed_for_an_unknown_user(runner):
    result = runner.invoke(args=["users", "token", "nobody"])
    assert result.exit_code != 0 and "不存在" in result.output
