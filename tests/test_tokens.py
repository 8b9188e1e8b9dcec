"""API tokens from the command line: printed once, stored only as a hash, named, listed and revoked by id."""
from __future__ import annotations

from sqlalchemy import select

from tests.web_support import ensure_user
from workflows.accounts.models import ApiToken
from workflows.directory.units import load_directory


def _api(app, token: str):
    return app.test_client().get("/api/tasks", headers={"Authorization": f"Bearer {token}"})


def _with_user(app):
    from web.core.db import get_session

    with app.app_context():
        db = get_session()
        load_directory(db)
        ensure_user(db, "zuzhibu", "zuzhibu")


def test_a_token_printed_for_a_user_opens_the_api_as_that_user_and_only_its_hash_is_kept(app, runner):
    from web.core.db import new_session

    _with_user(app)
    token = runner.invoke(args=["users", "token", "zuzhibu"]).output.strip()

    assert _api(app, token).status_code == 200
    assert _api(app, token + "x").status_code == 401
    with app.app_context(), new_session() as db:
        assert token not in [row.token_hash for row in db.scalars(select(ApiToken))]


def test_no_token_is_printed_for_an_unknown_user(runner):
    result = runner.invoke(args=["users", "token", "nobody"])
    assert result.exit_code != 0 and "不存在" in result.output


def test_the_token_list_shows_each_tokens_id_name_times_and_state(app, runner):
    _with_user(app)
    runner.invoke(args=["users", "token", "zuzhibu", "--name", "统计平台对接"])
    runner.invoke(args=["users", "token", "zuzhibu"])

    listing = runner.invoke(args=["users", "tokens", "zuzhibu"])

    assert listing.exit_code == 0
    header, *rows = listing.output.strip().splitlines()
    assert header.split("\t") == ["编号", "名称", "签发时间", "最近使用", "有效期至", "状态"]
    assert [row.split("\t")[1] for row in rows] == ["命令行签发", "统计平台对接"]
    assert all(row.split("\t")[3] == "从未使用" and row.split("\t")[5] == "有效" for row in rows)


def test_a_token_revoked_by_its_id_is_refused_with_a_chinese_message_and_listed_as_revoked(app, runner):
    _with_user(app)
    token = runner.invoke(args=["users", "token", "zuzhibu", "--name", "旧脚本"]).output.strip()
    token_id = runner.invoke(args=["users", "tokens", "zuzhibu"]).output.splitlines()[1].split("\t")[0]

    result = runner.invoke(args=["users", "revoke-token", token_id])

    assert result.exit_code == 0 and "已撤销" in result.output
    response = _api(app, token)
    assert response.status_code == 401 and "已被撤销" in response.json["error"]
    assert runner.invoke(args=["users", "tokens", "zuzhibu"]).output.splitlines()[1].endswith("已撤销")
    again = runner.invoke(args=["users", "revoke-token", token_id])
    assert again.exit_code != 0 and "已于" in again.output


def test_revoking_an_unknown_token_id_says_so(app, runner):
    result = runner.invoke(args=["users", "revoke-token", "999"])
    assert result.exit_code != 0 and "API 令牌 999 不存在" in result.output


def test_listing_the_tokens_of_an_unknown_user_says_so(app, runner):
    result = runner.invoke(args=["users", "tokens", "nobody"])
    assert result.exit_code != 0 and "不存在" in result.output


def test_a_token_name_longer_than_a_hundred_characters_is_refused_and_nothing_is_issued(app, runner):
    _with_user(app)
    result = runner.invoke(args=["users", "token", "zuzhibu", "--name", "长" * 101])

    assert result.exit_code != 0 and "最多 100 个字符" in result.output
    assert "没有 API 令牌" in runner.invoke(args=["users", "tokens", "zuzhibu"]).output
