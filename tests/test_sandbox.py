"""Diagram code cannot reach the server nor take it down: every escape is refused, at deploy time where it shows,
else when it runs, in a child process the operating system bounds; the host survives every payload.

Each attempt writes what it got into ``r``; an attempt that got through would leave ``r`` in the task's data.
"""
from __future__ import annotations

import os
import re
import resource
import signal
from datetime import datetime

import pytest
from sqlalchemy import select

from engine import (Bounds, DataNotStorable, StepFailed, HumanTask, InvalidDiagram, ProcessDefinition, ProcessInstance,
                    ScriptError)
from engine.isolation import pool
from engine.cheap import is_cheap
from engine.data import storable
from engine.sandbox import SandboxEnvironment, check
from tests.engine_support import diagram, make_engine
from tests.sandbox_payloads import (EXITS, GROWING_CONDITION, LONG_CALLS, LONG_CONDITION, MEMORY_BOMBS, SEEN_AT_DEPLOY,
                                    STOPPED_AT_RUN, UNSTORABLE)
from workflows import runtime

BOUNDS = Bounds(seconds=0.5, megabytes=256)
HOST_RSS_LIMIT_KIB = 1024 * 1024


def sandbox(functions: dict | None = None) -> SandboxEnvironment:
    return SandboxEnvironment(functions or {}, BOUNDS)


def host_peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_there_are_at_least_thirty_escape_attempts():
    assert len(SEEN_AT_DEPLOY) + len(STOPPED_AT_RUN) >= 30


@pytest.mark.parametrize("code", SEEN_AT_DEPLOY.values(), ids=SEEN_AT_DEPLOY.keys())
def test_an_escape_that_shows_in_the_code_is_refused_before_it_is_deployed(code):
    with pytest.raises(ScriptError, match="拒绝"):
        check(code, is_script=True)


@pytest.mark.parametrize("code, message", STOPPED_AT_RUN.values(), ids=STOPPED_AT_RUN.keys())
def test_an_escape_that_only_shows_when_it_runs_is_stopped_and_leaves_nothing(code, message):
    check(code, is_script=True)  # nothing to see statically
    data = {"values": [1]}
    with pytest.raises(ScriptError, match=message):
        sandbox().execute(code, data)
    assert data == {"values": [1]}


@pytest.mark.parametrize("code", LONG_CALLS.values(), ids=LONG_CALLS.keys())
def test_one_long_c_level_call_is_stopped_by_the_deadline_and_the_host_survives(code):
    data = {"values": [1]}
    with pytest.raises(ScriptError, match="秒"):
        sandbox().execute(code, data)
    assert data == {"values": [1]} and host_peak_kib() < HOST_RSS_LIMIT_KIB


@pytest.mark.parametrize("code", MEMORY_BOMBS.values(), ids=MEMORY_BOMBS.keys())
def test_a_memory_bomb_is_stopped_by_the_memory_limit_and_the_host_survives(code):
    data = {"values": [1]}
    with pytest.raises(ScriptError, match="内存|秒"):  # whichever bound it reaches first
        sandbox().execute(code, data)
    assert data == {"values": [1]} and host_peak_kib() < HOST_RSS_LIMIT_KIB


@pytest.mark.parametrize("code, variable, message", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_a_value_task_data_cannot_hold_is_refused_naming_the_variable(code, variable, message):
    data = {"values": [1]}
    with pytest.raises(DataNotStorable, match=message) as refused:
        sandbox().execute(code, data)
    assert refused.value.variable == variable and f"变量 {variable}" in refused.value.message
    assert data == {"values": [1]}


@pytest.mark.parametrize("value", [[b"x"] + [0] * 1_000_000, {"a": b"x"} | {str(i): 0 for i in range(400_000)}],
                         ids=["list", "dict"])
def test_a_collection_longer_than_the_size_limit_allows_is_refused_before_its_items_are_walked(value):
    # Walked item by item, the bytes first in line would be named; refused by its length, its size is.
    with pytest.raises(DataNotStorable, match="数据过大"):
        storable({"r": value})


@pytest.mark.parametrize("code", EXITS.values(), ids=EXITS.keys())
def test_a_script_that_asks_to_exit_ends_as_a_script_error_and_the_host_goes_on(code):
    with pytest.raises(ScriptError, match="不允许"):
        sandbox().execute(code, {})


def test_a_long_gateway_condition_is_stopped_by_the_deadline():
    with pytest.raises(ScriptError, match="秒"):
        sandbox().evaluate(LONG_CONDITION, {})


def test_a_gateway_condition_cannot_change_the_data():
    data = {"decisions": [1, 2]}
    assert sandbox().evaluate(GROWING_CONDITION, data) is True
    assert data == {"decisions": [1, 2]}


def test_a_child_killed_on_a_breach_is_replaced_and_the_next_evaluation_works():
    replaced = pool().replaced
    with pytest.raises(ScriptError, match="秒"):
        sandbox().execute(LONG_CALLS["a huge power"], {})
    data = {"values": [1, 2, 3]}
    sandbox().execute("total = sum(values)", data)
    assert pool().replaced == replaced + 1 and data["total"] == 6


def test_a_child_that_died_while_idle_is_replaced_without_failing_the_evaluation():
    data = {"values": [1, 2, 3]}
    sandbox().execute("total = sum(values)", data)
    for pid in pool().idle_pids():
        os.kill(pid, signal.SIGKILL)
    sandbox().execute("doubled = sum(values) * 2", data)
    assert data["doubled"] == 12


def test_the_memory_bound_is_the_settings():
    code = "n = len([[0] * 1000000 for i in range(20)])"  # about 160 MB
    with pytest.raises(ScriptError, match="内存"):
        SandboxEnvironment({}, Bounds(seconds=5, megabytes=128)).execute(code, {})
    data = {}
    SandboxEnvironment({}, Bounds(seconds=5, megabytes=512)).execute(code, data)
    assert data == {"n": 20}


def test_the_bounds_come_from_the_apps_settings():
    assert runtime.engine_bounds({"SCRIPT_SECONDS": "1.5", "SCRIPT_MEGABYTES": "128"}).script == Bounds(1.5, 128)
    assert runtime.engine_bounds({}).script == Bounds(2.0, 256)


def test_a_date_a_script_makes_is_stored_as_iso_text():
    data = {}
    sandbox().execute("deadline = date(2017, 6, 30)\nat = datetime(2017, 6, 30, 9, 0)", data)
    assert data == {"deadline": "2017-06-30", "at": "2017-06-30T09:00:00"}


def test_a_script_changes_only_what_it_names_and_sees_only_that():
    data = {"values": [1, 2], "kept": {"a": 1}, "gone": 1}
    sandbox().execute("total = sum(values)\ndel gone", data)
    assert data == {"values": [1, 2], "kept": {"a": 1}, "total": 3}


def test_functions_the_host_offers_run_in_the_host_with_bounded_counts():
    functions = {"add_workdays": runtime.add_workdays, "add_days": runtime.add_days}
    data = {}
    sandbox(functions).execute("due = add_days(date(2017, 1, 1), 3)", data)
    assert data == {"due": "2017-01-04"}
    with pytest.raises(ScriptError, match=str(runtime.MAX_DAY_COUNT)):
        sandbox(functions).execute('due = add_workdays("2017-01-01", 2800000)', {})


@pytest.mark.parametrize("expression, cheap", [
    ("not agree", True), ("score >= 90 and level == '甲'", True), ("roles['审核人'] != ''", True),
    ("days - 1 > 3", True), ("x in ['a', 'b']", True), ("len(values) > 2", True), ("today() > due", True),
    ("a * 2 > 1", False), ("x.upper() == 'A'", False), ("values[i] > 0", False), ("sorted(values)", False),
    ("[i for i in values]", False), ("_secret", False), (" + ".join(["a"] * 17), False),
])
def test_only_expressions_bounded_by_their_shape_run_in_the_host(expression, cheap):
    assert is_cheap(expression, frozenset({"today"})) is cheap


@pytest.mark.parametrize("script, cheap", [
    ("submitted_on = today()\nlate = submitted_on > due", True), ("label = name + '（已办）'", True),
    ("overdue_at = report_date + 'T00:00:00'\nlate_at = overdue_at + '!'", True),
    ("a = b + b\nc = a + a\nd = c + c\ne = d + d", True), ("a = b + b\nc = a + a\nd = c + c\ne = d + d\nf = e + e", False), ("x = [1]\nx.append(2)", False), ("d['k'] = 1", False),
    ("while True:\n    pass", False), ("a, b = 1, 2", False),
])
def test_only_scripts_bounded_by_their_shape_run_in_the_host(script, cheap):
    assert is_cheap(script, frozenset({"today"}), is_script=True) is cheap


def test_a_script_gives_the_same_data_in_the_host_and_in_a_child():
    functions = {"today": lambda: "2017-06-30"}
    here, there = {"due": "2017-06-29", "name": "甲"}, {"due": "2017-06-29", "name": "甲"}
    sandbox(functions).execute("on = today()\nlate = on > due\nlabel = name + '办'", here)
    sandbox(functions).execute("on = today()\nlate = on > due\nlabel = name + '办'\nfor i in []:\n    pass", there)
    assert here == there == {"due": "2017-06-29", "name": "甲", "on": "2017-06-30", "late": True, "label": "甲办"}


@pytest.mark.parametrize("code, expected", [
    ("r = 2 ** 100 // 2 ** 90", 1024),
    ("r = [1, 2] * 3", [1, 2, 1, 2, 1, 2]),
    ("r = 'a%5d' % 3", "a    3"),
    ("r = 1\nr += 2", 3),
    ("r = max([3, 1, 2]) + min(4, 5)", 7),
    ("r = ''.join(str(i) for i in range(5)).rjust(7, '0')", "0001234"),
    ("r = sorted(dict(b=1, a=2))", ["a", "b"]),
    ("r = f'{3.14159:.2f}'", "3.14"),
])
def test_ordinary_code_still_runs(code, expected):
    data = {}
    sandbox().execute(code, data)
    assert data["r"] == expected


@pytest.mark.parametrize("script, message", [
    ("while True:\n    total = 1", "0.5 秒"),
    ("rows = [[0] * 900000 for i in range(5000)]", "内存|秒"),  # whichever bound it reaches first
    ("raise SystemExit(0)", "不允许"),
    ("total = range(3)", "变量 total 是 range"),
], ids=["an endless loop", "a memory bomb", "SystemExit", "a range left in the data"])
def test_the_worker_puts_a_poisoned_instance_in_error_naming_the_element_and_fires_the_others(app, db, runner, script,
                                                                                             message):
    app.config["SCRIPT_SECONDS"] = 0.5
    engine = make_engine(db)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("timers.bpmn").replace(b"total = sum(values)", script.encode()), deployed_by="tester")
    poisoned = engine.start_instance("timers", data={"values": [1]}).id
    engine.deploy(diagram("timers.bpmn"), deployed_by="tester")
    healthy = engine.start_instance("timers", data={"values": [1]}).id
    db.commit()
    runner.invoke(args=["clock", "advance", "4d"])
    result = runner.invoke(args=["worker", "--once"])
    assert "已触发 1 个" in result.output and "失败 1 个" in result.output
    db.expire_all()
    assert db.get(ProcessInstance, poisoned).status == "error"
    assert re.search(message, db.get(ProcessInstance, poisoned).error_message)
    assert "“计算”（compute）" in db.get(ProcessInstance, poisoned).error_message
    assert db.get(ProcessInstance, healthy).status == "completed"


def test_a_script_leaving_a_value_data_cannot_hold_names_the_element_and_the_variable(engine_db):
    with engine_db() as session:
        engine = make_engine(session)
        engine.clock.set(datetime(2017, 6, 8, 9, 0))
        engine.deploy(diagram("timers.bpmn").replace(b"total = sum(values)", b"total = range(3)"),
                      deployed_by="tester")
        instance = engine.start_instance("timers", data={"values": [1]})
        engine.clock.set(datetime(2030, 1, 1))
        with pytest.raises(StepFailed) as refused:  # inside a step, the data rule's refusal is the step's failure
            engine.fire_timers(instance.id)
        assert (refused.value.element, refused.value.variable) == ("compute", "total")
        assert "计算" in refused.value.message and "compute" in refused.value.message


def test_start_data_that_cannot_be_stored_is_refused_and_nothing_starts(engine_db):
    with engine_db() as session:
        engine = make_engine(session)
        engine.deploy(diagram("timers.bpmn"), deployed_by="tester")
        with pytest.raises(DataNotStorable, match="键 1 不是文字") as refused:
            engine.start_instance("timers", data={"values": [1], "names": {1: "甲"}})
        assert refused.value.variable == "names"
        session.rollback()
        assert session.scalars(select(ProcessInstance)).all() == []


def test_completion_data_that_cannot_be_stored_is_refused_and_the_task_stays_open(engine_db):
    roles = {"经办人": "street_a", "科室": "dept_office"}
    with engine_db() as session:
        engine = make_engine(session)
        engine.deploy(diagram("subprocess_loop.bpmn"), deployed_by="tester")
        instance = engine.start_instance("subprocess_loop", data={"roles": roles, "due": datetime(2017, 6, 30)})
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).one()
        assert engine.task_view(task).data["due"] == "2017-06-30T00:00:00"
        session.commit()
        with pytest.raises(DataNotStorable, match="请改用列表") as refused:
            engine.complete_task(task.id, {"agree": (1, 2)}, actor="street_a")
        assert (refused.value.element, refused.value.variable) == ("prepare", "agree")
        session.rollback()
        assert session.get(HumanTask, task.id).state == "ready"


def test_a_diagram_with_an_import_is_not_deployed_and_the_element_is_named(engine_db):
    unsafe = diagram("timers.bpmn").replace(b"total = sum(values)", b"import os\ntotal = 1")
    with engine_db() as session:
        with pytest.raises(InvalidDiagram) as refused:
            make_engine(session).deploy(unsafe, deployed_by="tester")
        assert refused.value.element == "compute" and "import" in refused.value.message
        assert session.scalars(select(ProcessDefinition)).all() == []
