"""The checks a diagram gets before deployment speak Chinese only: bpmnlint's reports without their English, a
user task without a form and shapes drawn over each other as warnings that do not stop the deployment."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from lxml import etree

from tests.deployment_support import chain, user_task
from workflows.directory import units as directory
from workflows.processes import deployment
from workflows.processes.lint_messages import LINT_MESSAGES, lint_message
from workflows.runtime import process_engine

FORM = ('<bpmn:userTask id="{id}" name="{name}"><bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="opinion" label="意见" type="string"/></camunda:formData></bpmn:extensionElements>'
        '</bpmn:userTask>')
LATIN_WORDS = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def checked_in(db):
    directory.load_directory(db)
    process_engine(db).clock.set(datetime(2017, 6, 8, 9, 0))
    db.commit()
    return lambda xml: deployment.check_diagram(db, xml, source="upload.bpmn")


def test_a_user_task_without_a_form_is_a_warning_naming_it(checked_in):
    checked = checked_in(chain("formless", user_task("sign", "签字"), FORM.format(id="review", name="审核")))

    assert checked.problems == []
    [warning] = [w for w in checked.warnings if w.rule == "form"]
    assert warning.element == "sign" and "用户任务 sign（签字）没有表单" in warning.message


def test_shapes_drawn_over_each_other_are_a_warning_in_chinese(checked_in):
    xml = chain("crowded", FORM.format(id="first", name="初审"), FORM.format(id="second", name="复审"))
    tree = etree.fromstring(xml)
    [first] = tree.xpath("//*[local-name()='BPMNShape'][@bpmnElement='first']/*[local-name()='Bounds']")
    [second] = tree.xpath("//*[local-name()='BPMNShape'][@bpmnElement='second']/*[local-name()='Bounds']")
    second.set("x", str(int(first.get("x")) + 20))
    second.set("y", first.get("y"))

    checked = checked_in(etree.tostring(tree))

    assert checked.problems == []
    overlaps = [w for w in checked.warnings if w.rule == "bpmnlint:no-overlapping-elements"]
    assert {w.element for w in overlaps} >= {"first", "second"}
    assert all(w.message == "元素相互重叠" for w in overlaps)


def test_no_lint_report_carries_english(checked_in):
    checked = checked_in(chain("unnamed", '<bpmn:userTask id="nameless"/>', FORM.format(id="review", name="审核")))

    reports = [w for w in checked.warnings if w.rule.startswith("bpmnlint:")]
    assert [w.message for w in reports] == ["元素缺少名称"]


@pytest.mark.parametrize("rule, english, chinese", [
    ("fake-join", "Incoming flows do not join", "多条连线进入任务而没有汇合网关"),
    ("no-overlapping-elements", "Element is outside of parent boundary", "元素超出了所在泳道、池或子流程的边界"),
    ("a-rule-added-later", "Something new", "流程图的画法不够规范（可部署）"),
])
def test_each_report_becomes_its_chinese_sentence_alone(rule, english, chinese):
    assert lint_message(rule, english) == chinese


def test_every_known_rule_has_a_chinese_sentence():
    assert all(not LATIN_WORDS.search(text.replace("BPMN DI", "").replace("python -m engine.layout", ""))
               for text in LINT_MESSAGES.values())
