"""The router: which unit gets a task (from the lane, the instance's roles or the item iterated over) and its due date."""
from __future__ import annotations

from datetime import date

import pytest

from engine import ProcessInstance, TaskView
from workflows.directory import units as directory
from workflows.directory.routing import Router, due_date

ROLES = {"发起街镇": "caoyang", "区推进办": "tuijinban", "牵头单位(统筹)": "fangguanju"}


@pytest.fixture
def router(db) -> Router:
    directory.load_directory(db)
    db.flush()
    return Router(db)


def view(lane: str | None, data: dict | None = None, *, item=None, direct: bool = False,
         properties: dict | None = None) -> TaskView:
    return TaskView(guid="0", spec_name="task", name="任务", lane=lane, data=data or {}, properties=properties or {},
                    iteration_item=item, iteration_direct=direct)


def test_a_direct_child_of_a_multi_instance_task_goes_to_the_unit_it_iterates_over(router):
    task = view("参会单位", {"roles": ROLES}, item="minzhengju", direct=True)
    assert router.unit_for(task) == "minzhengju"


def test_a_direct_child_goes_to_its_item_even_when_its_lane_is_a_role(router):
    task = view("区推进办", {"roles": ROLES}, item="minzhengju", direct=True)
    assert router.unit_for(task) == "minzhengju"


def test_a_lane_named_in_the_roles_goes_to_the_unit_playing_that_role(router):
    assert router.unit_for(view("牵头单位(统筹)", {"roles": ROLES})) == "fangguanju"


def test_a_role_wins_over_the_item_of_an_enclosing_multi_instance(router):
    task = view("发起街镇", {"roles": ROLES}, item="minzhengju")
    assert router.unit_for(task) == "caoyang"


def test_a_task_inside_a_process_called_per_item_goes_to_that_items_unit(router):
    assert router.unit_for(view("被约请部门", {"roles": ROLES}, item="fangguanju")) == "fangguanju"
    action_item = {"position": 0, "unit": "caoyang", "task": "排摸需求", "due_on": "2017-07-14"}
    assert router.unit_for(view("承办单位", {}, item=action_item)) == "caoyang"


@pytest.mark.parametrize("lane, unit", [("区推进办", "tuijinban"), ("督查科", "duchake"), ("区委、区政府督查科", "duchake"),
                                        ("区社区办", "shequban"), ("区法制办", "fazhiban")])
def test_a_lane_named_after_a_unit_or_its_alias_goes_to_that_unit(router, lane, unit):
    assert router.unit_for(view(lane)) == unit


@pytest.mark.parametrize("lane", ["各街道、镇", "参会单位", None], ids=["a unit group", "a role nobody plays", "no lane"])
def test_a_lane_that_names_no_single_unit_goes_to_nobody(router, lane):
    assert router.unit_for(view(lane, {"roles": ROLES})) is None


def test_an_item_that_names_no_unit_goes_to_nobody(router):
    assert router.unit_for(view("承办单位", {}, item={"task": "无承办单位"}, direct=True)) is None


def test_the_due_date_is_the_date_in_the_variable_the_due_property_names(router):
    task = view("被约请部门", {"sign_due": "2017-10-09"}, item="minzhengju", properties={"due": "sign_due"})
    assert router(ProcessInstance(), task).due_on == date(2017, 10, 9)
    assert router(ProcessInstance(), task).unit == "minzhengju"


def test_the_due_date_may_be_a_timestamp_or_an_action_item():
    assert due_date(view(None, {"starts": "2017-06-15T00:00:00"}, properties={"due": "starts"})) == date(2017, 6, 15)
    assert due_date(view(None, {"item": {"due_on": "2017-07-31"}}, properties={"due": "item"})) == date(2017, 7, 31)


@pytest.mark.parametrize("data, properties", [
    ({"sign_due": "2017-10-09"}, {}),
    ({}, {"due": "sign_due"}),
    ({"sign_due": "下周一"}, {"due": "sign_due"}),
], ids=["no due property", "variable not set", "not a date"])
def test_a_task_without_a_readable_due_date_has_none(data, properties):
    assert due_date(view(None, data, properties=properties)) is None
