"""Loading plan files into the database: the 2017 plan, another year, and files that must be refused."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from workflows.directory.units import load_directory
from workflows.plan.document import PlanFileError
from workflows.plan.loading import DEFAULT_PLAN_FILE, load_plan
from workflows.plan.models import Plan, Project, ProjectUnit, TaskArea
from workflows.plan.projects import projects_as_json

SMALL_PLAN = """\
year: 2018
title: 普陀区2018年重点工作项目安排（测试）
issued_on: 2018-03-01
areas:
  - {number: 1, heading: 在加强基层队伍建设上持续用力, goal: 测试目标。}
projects:
  - number: 1
    area: 1
    text: 第一个项目。
    lead_units: [区民政局, 区人社局]
    responsible_units: [各街道、镇]
    deadline: 9月底前
  - number: 2
    area: 1
    text: 第二个项目。
    lead_units: [区城管执法局(区拆违办)]
    responsible_units: []
    deadline: 视市里安排
    due_on: 2018-11-15
"""


@pytest.fixture
def directory(db):
    load_directory(db)
    db.commit()


def row_counts(db) -> dict[str, int]:
    return {model.__name__: db.scalar(select(func.count()).select_from(model))
            for model in (Plan, TaskArea, Project, ProjectUnit)}


def write(tmp_path, text: str):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loading_the_2017_plan_creates_55_projects_with_their_units(db, directory):
    result = load_plan(db, DEFAULT_PLAN_FILE)
    db.commit()
    assert (result.created, result.updated, result.unchanged) == (55, 0, 0)
    projects = {project["number"]: project for project in projects_as_json(db, 2017)}
    assert len(projects) == 55 and row_counts(db)["TaskArea"] == 5
    first = projects[1]
    assert first["business_key"] == "2017-01" and first["area"]["number"] == 1
    assert first["lead_units"] == [{"code": "zuzhibu", "name": "区委组织部"}]
    assert [unit["code"] for unit in first["responsible_units"]] == ["shegongwei", "gejiedao"]
    assert (first["due_on"], first["no_fixed_date"], first["read_by_fallback"]) == (None, True, True)
    assert projects[39]["responsible_units"][0]["code"] == "chengguanju"
    assert projects[55]["due_on"] == "2017-12-31" and projects[55]["deadline"] == "全年"


def test_loading_the_same_file_twice_changes_nothing(db, directory):
    load_plan(db, DEFAULT_PLAN_FILE)
    db.commit()
    counts, dump = row_counts(db), projects_as_json(db)
    again = load_plan(db, DEFAULT_PLAN_FILE)
    assert not db.dirty and not db.new and not db.deleted
    db.commit()
    assert (again.created, again.updated, again.unchanged, again.header_changed) == (0, 0, 55, False)
    assert row_counts(db) == counts and projects_as_json(db) == dump


def test_another_years_file_in_the_same_format_loads_the_same_way(db, directory, tmp_path):
    result = load_plan(db, write(tmp_path, SMALL_PLAN))
    db.commit()
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    first, second = projects_as_json(db, 2018)
    assert first["business_key"] == "2018-01" and first["due_on"] == "2018-09-30"
    assert [unit["code"] for unit in first["lead_units"]] == ["minzhengju", "rensheju"]
    assert (second["due_on"], second["deadline"], second["responsible_units"]) == ("2018-11-15", "视市里安排", [])


def test_a_changed_project_is_updated_in_place(db, directory, tmp_path):
    load_plan(db, write(tmp_path, SMALL_PLAN))
    db.commit()
    changed = SMALL_PLAN.replace("lead_units: [区民政局, 区人社局]", "lead_units: [区人社局, 区民政局]")
    result = load_plan(db, write(tmp_path, changed))
    db.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    first = projects_as_json(db, 2018)[0]
    assert [unit["code"] for unit in first["lead_units"]] == ["rensheju", "minzhengju"]
    assert db.get(Project, db.scalar(select(Project.id).where(Project.number == 1))).business_key == "2018-01"


@pytest.mark.parametrize("text, row, reason", [
    (SMALL_PLAN.replace("    deadline: 9月底前\n", ""), 1, "缺少“deadline”"),
    (SMALL_PLAN.replace("[区民政局, 区人社局]", "[区民政局, 区外星局]"), 1, "未知单位“区外星局”"),
    (SMALL_PLAN.replace("9月底前", "尽快"), 1, "无法识别的完成时间“尽快”"),
    (SMALL_PLAN.replace("  - number: 2\n", "  - number: 1\n"), 2, "序号 1 与第 1 行重复"),
    (SMALL_PLAN.replace("due_on: 2018-11-15", "due_on: 2018-11-31"), 2, "“due_on”不是有效日期"),
    (SMALL_PLAN.replace("lead_units: [区城管执法局(区拆违办)]", "lead_units: []"), 2, "至少要有一个牵头单位"),
    (SMALL_PLAN.replace("area: 1\n    text: 第二", "area: 7\n    text: 第二"), 2, "任务领域 7 不存在"),
    (SMALL_PLAN.replace("year: 2018\n", ""), None, "缺少“year”"),
    ("year: 2018\nprojects: [\n  - number: 1\n", None, "不是有效的 YAML"),
])
def test_a_malformed_file_is_refused_with_row_and_reason_and_nothing_is_written(db, directory, tmp_path,
                                                                                  text, row, reason):
    load_plan(db, DEFAULT_PLAN_FILE)
    db.commit()
    before, dump = row_counts(db), projects_as_json(db)
    with pytest.raises(PlanFileError) as refused:
        load_plan(db, write(tmp_path, text))
    assert refused.value.row == row and reason in refused.value.reason
    assert not db.dirty and not db.new and not db.deleted
    db.commit()
    assert row_counts(db) == before and projects_as_json(db) == dump


def test_the_error_message_names_the_row_the_number_and_the_unit(db, directory, tmp_path):
    text = SMALL_PLAN.replace("lead_units: [区城管执法局(区拆违办)]", "lead_units: [区外星局]")
    with pytest.raises(PlanFileError) as refused:
        load_plan(db, write(tmp_path, text))
    assert str(refused.value) == "第 2 行（序号 2）：未知单位“区外星局”"


def test_a_unit_not_yet_in_the_directory_blocks_the_whole_file(db, tmp_path):
    with pytest.raises(PlanFileError, match="未知单位“区民政局”"):
        load_plan(db, write(tmp_path, SMALL_PLAN))
    assert row_counts(db) == {"Plan": 0, "TaskArea": 0, "Project": 0, "ProjectUnit": 0}


def test_an_explicit_due_date_wins_over_the_deadline_text(db, directory, tmp_path):
    load_plan(db, write(tmp_path, SMALL_PLAN.replace("deadline: 9月底前", "deadline: 9月底前\n    due_on: 2018-08-15")))
    assert projects_as_json(db, 2018)[0]["due_on"] == "2018-08-15"
    assert date(2018, 8, 15) == db.scalar(select(Project.due_on).where(Project.number == 1))
