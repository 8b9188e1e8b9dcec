"""DMN for any process: .dmn files deploy through the API (versioned by decision id, checked like BPMN), a business
rule task with camunda:decisionRef evaluates the newest version in the sandbox, and FEEL cells as Camunda users
write them work or are refused naming the cell."""
from __future__ import annotations

from datetime import timezone

import pytest
from sqlalchemy import select

from engine import HumanTask, InvalidDiagram, ProcessInstance, StepFailed
from engine.dmn import decide, facts_task, parse_decisions, result_of, unary_test
from engine.sandbox import SandboxScriptEngine
from tests.engine_support import diagram
from tests.test_api_definitions import call, XML  # noqa: F401  (the API fixture)
from workflows.runtime import process_engine

DISH = diagram("dmn/dish.dmn")


def dish_table(**cells: str) -> bytes:
    """The dish table with some cells replaced: ``{"r3_guests": "[1..5]"}`` → that cell's text."""
    text = DISH.decode("utf-8")
    for cell, replacement in cells.items():
        start = text.index(f'id="{cell}"><text>') + len(f'id="{cell}"><text>')
        end = text.index("</text>", start)
        text = text[:start] + replacement + text[end:]
    return text.encode("utf-8")


def run_dish(db, data: dict) -> tuple[dict, ProcessInstance]:
    """Start the dish process with ``data``, cook (complete the user task) and return the data the rule chose."""
    engine = process_engine(db)
    instance = engine.start_instance("dish_process", data=data, actor="office")
    db.commit()
    task = db.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == "ready"))
    chosen = engine.task_view(task).data
    engine.complete_task(task.id, {}, actor="office")
    db.commit()
    return chosen, db.get(ProcessInstance, instance.id)


@pytest.mark.parametrize("cell, python", [
    ("< 10", "? < 10"), ("[1..5]", "1 <= ? <= 5"), ('"yes"', '? == "yes"'), ("-", None),
    ('not("no")', 'not (? == "no")'), (">= 3", "? >= 3"), ('"a","b"', '(? == "a") or (? == "b")'),
    ("]1..5[", "1 < ? < 5"), ("(1..5]", "1 < ? <= 5"), ("true", "? == True"), ("limit", "? == limit")])
def test_feel_unary_tests_as_camunda_users_write_them_become_python_tests_of_the_input(cell, python):
    assert unary_test(cell) == python


def test_a_dmn_file_deploys_through_the_api_and_each_decision_is_versioned_by_its_id(call):
    first = call("office", "POST", "/api/decision-definitions", data=DISH, headers=XML)
    same = call("office", "POST", "/api/decision-definitions", data=DISH, headers=XML)
    changed = call("admin", "POST", "/api/decision-definitions", data=dish_table(r1_dish='"红烧肉"'), headers=XML)

    assert first.status_code == 201, first.json
    assert [(d["key"], d["version"], d["name"]) for d in first.json["definitions"]] == [("dish", 1, "选菜")]
    assert same.json["definitions"][0]["version"] == 1
    assert changed.json["definitions"][0]["version"] == 2
    listed = call("auditor", "GET", "/api/decision-definitions").json
    assert [(d["key"], d["version"]) for d in listed] == [("dish", 1), ("dish", 2)]
    download = call("auditor", "GET", "/api/decision-definitions/dish/2/xml")
    assert download.status_code == 200 and "红烧肉" in download.get_data(as_text=True)


def test_a_unit_may_not_deploy_a_decision_table(call):
    assert call("unit", "POST", "/api/decision-definitions", data=DISH, headers=XML).status_code == 403


def test_a_business_rule_task_evaluates_the_newest_deployed_version_and_the_process_runs_to_its_end(call, db):
    call("office", "POST", "/api/decision-definitions", data=DISH, headers=XML)
    deployed = call("office", "POST", "/api/process-definitions", data=diagram("dmn/dish.bpmn"), headers=XML)
    assert deployed.status_code == 201, deployed.json

    chosen, instance = run_dish(db, {"season": "冬季", "guests": 3})
    assert chosen["chosen"] == "排骨" and instance.status == "completed"
    assert run_dish(db, {"season": "冬季", "guests": 12})[0]["chosen"] == "炖菜"
    assert run_dish(db, {"season": "春季", "guests": 4})[0]["chosen"] == "牛排"
    assert run_dish(db, {"season": "夏季", "guests": 40})[0]["chosen"] == "沙拉"

    call("office", "POST", "/api/decision-definitions", data=dish_table(r1_dish='"红烧肉"'), headers=XML)
    assert run_dish(db, {"season": "冬季", "guests": 3})[0]["chosen"] == "红烧肉"


def test_an_instance_waiting_after_a_business_rule_task_is_saved_restored_and_continues(call, db):
    call("office", "POST", "/api/decision-definitions", data=DISH, headers=XML)
    call("office", "POST", "/api/process-definitions", data=diagram("dmn/dish.bpmn"), headers=XML)
    engine = process_engine(db)
    instance = engine.start_instance("dish_process", data={"season": "秋季", "guests": 2}, actor="office")
    db.commit()
    db.expunge_all()

    restored = process_engine(db).get_instance(instance.id)
    [waiting] = restored.ready_human_tasks()
    assert waiting.data["chosen"] == "牛排"


@pytest.mark.parametrize("cells, row, column", [
    ({"r3_guests": "[1..5"}, 3, "客人数"), ({"r2_season": "冬季 或 夏季"}, 2, "季节"),
    ({"r4_dish": "__import__('os')"}, 4, "菜")])
def test_a_cell_the_engine_cannot_read_refuses_the_file_naming_the_rule_and_the_column(call, cells, row, column):
    response = call("office", "POST", "/api/decision-definitions", data=dish_table(**cells), headers=XML)

    assert response.status_code == 422
    assert f"规则 {row}" in response.json["error"] and f"“{column}”" in response.json["error"]
    assert response.json["problems"][0]["row"] == row
    assert call("office", "GET", "/api/decision-definitions").json == []


@pytest.mark.parametrize("document, words", [
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><definitions xmlns="https://www.omg.org/spec/DMN/20191111/'
     b'MODEL/" id="d"/>', "DTD"),
    (diagram("dmn/dish.bpmn"), "不是 DMN 文件"), (b"<definitions", "不是合法的 XML")])
def test_a_file_with_a_dtd_or_not_dmn_is_refused_as_bpmn_is(call, document, words):
    response = call("office", "POST", "/api/decision-definitions", data=document, headers=XML)
    assert response.status_code == 422 and words in response.json["error"]


def test_a_business_rule_task_without_a_decision_ref_is_refused_at_deploy(call):
    without = diagram("dmn/dish.bpmn").replace(b' camunda:decisionRef="dish"', b"")
    response = call("office", "POST", "/api/process-definitions", data=without, headers=XML)
    assert response.status_code == 422 and "camunda:decisionRef" in response.json["error"]


def test_a_business_rule_task_whose_decision_is_not_deployed_fails_naming_the_task_and_the_decision(call, db):
    call("office", "POST", "/api/process-definitions", data=diagram("dmn/dish.bpmn"), headers=XML)
    with pytest.raises(StepFailed) as failed:
        process_engine(db).start_instance("dish_process", data={"season": "冬季", "guests": 3}, actor="office")
    assert "“按规则选菜”（choose_dish）：引用的决策 dish 尚未部署" in failed.value.message


def test_every_decision_of_a_file_with_two_is_read(call):
    decisions = parse_decisions((diagram("../../bpmn/year_end_scoring.dmn")))
    assert [(d.key, d.table.hit_policy) for d in decisions] == [("year_end_scoring", "COLLECT"),
                                                                 ("year_end_grade", "FIRST")]


def test_the_command_line_deploys_a_dmn_file_and_refuses_one_naming_the_cell(runner, db, tmp_path):
    good, bad = tmp_path / "dish.dmn", tmp_path / "bad.dmn"
    good.write_bytes(DISH)
    bad.write_bytes(dish_table(r2_guests="[1.."))

    deployed = runner.invoke(args=["bpmn", "deploy", str(good)])
    refused = runner.invoke(args=["bpmn", "deploy", str(bad)])

    assert deployed.exit_code == 0 and "已部署决策 dish 版本 1" in deployed.output
    assert refused.exit_code == 1 and "规则 2，输入列“客人数”" in refused.output


def evaluate(table: bytes, data: dict, mapping: str | None):
    """The result of the file's one decision for ``data``, shaped by ``mapping``, evaluated in the sandbox."""
    [decision] = parse_decisions(table)
    matches = decide(decision, facts_task(data, SandboxScriptEngine(timezone.utc, {}), decision.key))
    return result_of(decision, matches, mapping)


def test_a_collect_table_gives_every_matching_row_shaped_as_camundas_map_decision_result_asks():
    collect = DISH.replace(b'hitPolicy="UNIQUE"', b'hitPolicy="COLLECT"')
    winter = {"season": "冬季", "guests": 3}
    assert evaluate(collect, winter, None) == [{"dish": "排骨"}]
    assert evaluate(collect, {"season": "春季", "guests": 3}, "collectEntries") == ["牛排", "沙拉"]
    assert evaluate(collect, {"season": "春季", "guests": 3}, "resultList") == [{"dish": "牛排"}, {"dish": "沙拉"}]
    assert evaluate(DISH, winter, "singleResult") == {"dish": "排骨"}
    assert evaluate(DISH, {"season": "冬季", "guests": 0}, "singleEntry") == "排骨"


def test_an_aggregating_collect_table_is_refused_naming_the_hit_policy():
    summed = DISH.replace(b'hitPolicy="UNIQUE"', b'hitPolicy="COLLECT" aggregation="SUM"')
    with pytest.raises(InvalidDiagram) as refused:
        parse_decisions(summed)
    assert "不支持的命中策略" in refused.value.message


@pytest.mark.parametrize("document, words", [
    (DISH.decode("utf-8").replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk"), "UTF-8"),
    (DISH.replace(b'decision id="dish"', b'decision id="' + b"d" * 300 + b'"'), "不超过 200 个字符")])
def test_a_file_not_in_utf8_or_with_an_overlong_decision_id_is_refused_not_a_500(call, document, words):
    response = call("office", "POST", "/api/decision-definitions", data=document, headers=XML)
    assert response.status_code == 422 and words in response.json["error"]
