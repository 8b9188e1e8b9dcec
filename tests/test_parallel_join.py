"""After a parallel join each branch's changes survive: a value a branch did not change never overwrites what
another changed, lists get both branches' appends, dicts merge key by key; when both changed one value, the branch
that finished last wins (README, "Incidents and engine rules")."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from engine import HumanTask
from engine.join import merge3
from tests.engine_support import diagram, make_engine


@pytest.fixture
def run(engine_db):
    """``run(("甲填写", {...}), ("乙填写", {...}))``: complete the branch tasks in that order; the 汇总 task's data."""
    session = engine_db()
    engine = make_engine(session)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("parallel_join.bpmn"), deployed_by="tester")
    instance = engine.start_instance("parallel_join", data={"roles": {}})
    session.commit()

    def complete_in_order(*steps):
        for name, data in steps:
            task = session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                          HumanTask.name == name, HumanTask.state == "ready"))
            engine.complete_task(task.id, data, actor="tester")
            session.commit()
        summary = session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                         HumanTask.name == "汇总"))
        return engine.task_view(summary).data

    return complete_in_order


def test_the_issues_example_keeps_z_both_notes_and_both_counts_when_yi_finishes_last(run):
    data = run(("甲填写", {"z": "同意"}), ("乙填写", {}))
    assert (data["z"], data["notes"], data["tally"]) == ("同意", ["甲", "乙"], {"a": 1, "b": 1})


def test_the_same_holds_when_jia_finishes_last_with_the_notes_in_finishing_order(run):
    data = run(("乙填写", {}), ("甲填写", {"z": "同意"}))
    assert (data["z"], data["notes"], data["tally"]) == ("同意", ["乙", "甲"], {"a": 1, "b": 1})


def test_when_both_branches_change_one_value_the_branch_that_finished_last_wins(run):
    data = run(("甲填写", {"z": "同意"}), ("乙填写", {"z": "不同意"}))
    assert data["z"] == "不同意"


def test_a_variable_only_one_branch_adds_is_kept(run):
    data = run(("甲填写", {"opinion": "请乙补充材料"}), ("乙填写", {}))
    assert data["opinion"] == "请乙补充材料"


@pytest.mark.parametrize("base, ours, theirs, merged", [
    ({"x": 1}, {"x": 2}, {"x": 1}, {"x": 2}),                      # theirs unchanged: ours stays
    ({"x": 1}, {"x": 1}, {"x": 3}, {"x": 3}),                      # ours unchanged: theirs comes in
    ({"x": 1}, {"x": 2}, {"x": 3}, {"x": 3}),                      # both changed: the later wins
    ({"x": 1, "y": 2}, {"y": 2}, {"x": 1, "y": 2}, {"y": 2}),      # deleted by one, untouched by the other
    ({"l": [1]}, {"l": [1, 2]}, {"l": [1, 3]}, {"l": [1, 2, 3]}),  # both appended
    ({"l": [1, 2]}, {"l": [2]}, {"l": [1, 2, 3]}, {"l": [1, 2, 3]}),  # not appends: the later wins
    ({"n": 1}, {"n": 1}, {"n": True}, {"n": True}),                # 1 and True are different values
])
def test_the_three_way_merge_rules(base, ours, theirs, merged):
    assert merge3(base, ours, theirs) == merged
