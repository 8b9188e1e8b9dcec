"""/admin/settings: the office changes its values on a page (label, unit, range, checked per field), every change
is recorded with who and when, and the command line uses the same checks and writes the same history."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.web_support import db, login_as, post_form, text  # noqa: F401
from workflows.directory.units import load_directory
from workflows.records import settings
from workflows.records.models import SettingChange
from workflows.runtime import engine_bounds

URL = "/admin/settings"


@pytest.fixture
def directory(db):
    load_directory(db)
    db.commit()


@pytest.fixture
def office(directory, login_as):
    return login_as("office", unit="tuijinban", role="office")


def history(db) -> list[SettingChange]:
    db.expire_all()
    return list(db.scalars(select(SettingChange).order_by(SettingChange.id)))


def test_the_page_shows_every_value_with_its_label_unit_and_range(office):
    page = text(office.get(URL))
    for label in ("按期办结分值", "签收期限", "答复期限", "退回的季度报告重新报送期限", "推进办催办任务期限",
                  "定时器最长时长", "循环定时器最短间隔", "多实例环节最多实例数", "每次代码求值的时间上限"):
        assert label in page
    assert 'name="consultation_deadlines.sign_workdays" value="2"' in page
    assert "个工作日" in page and "1–30（整数）" in page
    assert "季度报告到期前提醒" in page
    assert "逾期催办" in page and "在流程编辑器中修改" in page  # kept in the diagram, said where


def test_the_office_saves_a_value_and_the_history_names_who_changed_what(office, db):
    response = post_form(office, URL, URL, {"consultation_deadlines.reply_workdays": "8",
                                            "task_deadlines.urge_workdays": "1"})
    assert response.status_code == 302
    assert settings.get_setting(db, "consultation_deadlines") == {"sign_workdays": 2, "reply_workdays": 8}
    [change] = history(db)
    assert (change.key, change.item, change.old, change.new, change.changed_by) == (
        "consultation_deadlines", "reply_workdays", None, 8, "office")
    page = text(office.get(URL))
    assert "答复期限" in page.split("修改记录")[1] and "区推进办" in page.split("修改记录")[1]
    assert ">office<" not in page  # the person, never the login


def test_a_value_out_of_range_is_refused_with_422_naming_the_field_and_nothing_changes(office, db):
    response = post_form(office, URL, URL, {"consultation_deadlines.sign_workdays": "3",
                                            "year_end_scoring.late_report_share": "1.5",
                                            "engine_limits.max_timer_years": "abc"})
    assert response.status_code == 422
    page = text(response)
    assert "“逾期报送得分比例”应在 0–1之间" in page
    assert "“定时器最长时长”应为数字" in page
    assert settings.get_setting(db, "consultation_deadlines")["sign_workdays"] == 2
    assert history(db) == []


def test_a_unit_may_not_open_the_settings(directory, login_as):
    client = login_as("caoyang", unit="caoyang")
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"consultation_deadlines.sign_workdays": "5"}).status_code in (400, 403)


def test_the_command_line_uses_the_same_checks_and_writes_history_as_the_command_line(runner, db):
    refused = runner.invoke(args=["settings", "set", "task_deadlines", "urge_workdays", "11"])
    assert refused.exit_code != 0 and "应在 1–10 个工作日之间" in refused.output
    done = runner.invoke(args=["settings", "set", "task_deadlines", "urge_workdays", "2"])
    assert done.exit_code == 0, done.output
    [change] = history(db)
    assert (change.item, change.old, change.new, change.changed_by) == ("urge_workdays", None, 2, "命令行")
    listed = json.loads(runner.invoke(args=["settings", "history"]).output)
    assert listed[0]["who"] == "命令行" and listed[0]["new"] == 2


def test_an_engine_limit_set_by_the_office_overrides_the_configuration_which_stays_the_fallback(db):
    config = {"MAX_TIMER_YEARS": "5", "MIN_CYCLE_MINUTES": "2"}
    assert engine_bounds(settings.engine_limit_settings(db, config)).max_timer_years == 5
    settings.set_setting(db, "engine_limits", {"max_timer_years": 20}, actor="office")
    bounds = engine_bounds(settings.engine_limit_settings(db, config))
    assert (bounds.max_timer_years, bounds.min_cycle_minutes) == (20, 2)
    assert settings.current_values(db, config)["engine_limits.min_cycle_minutes"] == 2


def test_the_engine_of_a_request_takes_the_limit_the_office_set(app, db):
    from web.core.db import get_process_engine

    settings.set_setting(db, "engine_limits", {"max_instances_per_activity": 50}, actor="office")
    db.commit()
    with app.app_context():
        assert get_process_engine().bounds.max_instances_per_activity == 50
