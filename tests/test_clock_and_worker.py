"""The clock everything reads, and the worker that fires timers by it, from the command line."""
from __future__ import annotations

from datetime import date, datetime

from engine import ProcessInstance
from tests.engine_support import diagram, make_engine
from tests.sql_support import statements_sent


def test_the_clock_can_be_set_to_a_chinese_date_and_advanced_by_days(runner):
    assert "2017-06-08 00:00:00 CST" in runner.invoke(args=["clock", "set", "2017-06-08"]).output
    result = runner.invoke(args=["clock", "advance", "10d"])
    assert result.exit_code == 0 and "模拟时钟：2017-06-18" in result.output
    assert "2017-06-18" in runner.invoke(args=["clock", "show"]).output


def test_bad_clock_input_is_refused_and_changes_nothing(runner):
    runner.invoke(args=["clock", "set", "2017-06-08"])
    for args in (["clock", "set", "2017-13-45"], ["clock", "advance", "ten days"], ["clock", "advance", "--", "-3d"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "无效" in result.output, args
    assert "2017-06-08" in runner.invoke(args=["clock", "show"]).output


def test_the_clock_goes_back_to_real_time(runner):
    runner.invoke(args=["clock", "set", "2017-06-08"])
    assert "真实时钟" in runner.invoke(args=["clock", "set", "real"]).output


def _start_waiting_instances(db, count, data=None):
    engine = make_engine(db)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("timers.bpmn"), deployed_by="tester")
    ids = [engine.start_instance("timers", data=data or {"values": [1]}).id for _ in range(count)]
    db.commit()
    return ids


def test_the_worker_fires_due_timers_once_and_leaves_the_rest_waiting(app, db, runner):
    ids = _start_waiting_instances(db, 2)
    assert "已触发 0 个" in runner.invoke(args=["worker", "--once"]).output
    runner.invoke(args=["clock", "advance", "3d"])
    runner.invoke(args=["clock", "advance", "1h"])
    assert "已触发 2 个" in runner.invoke(args=["worker", "--once"]).output
    assert "已触发 0 个" in runner.invoke(args=["worker", "--once"]).output
    db.expire_all()
    assert [db.get(ProcessInstance, i).status for i in ids] == ["completed", "completed"]


def test_an_instance_whose_script_fails_is_put_in_error_and_the_worker_serves_the_others(app, db, runner):
    [broken] = _start_waiting_instances(db, 1, data={"values": "not numbers"})
    [healthy] = _start_waiting_instances(db, 1)
    runner.invoke(args=["clock", "advance", "4d"])
    result = runner.invoke(args=["worker", "--once"])
    assert "已触发 1 个" in result.output and "失败 1 个" in result.output
    db.expire_all()
    assert db.get(ProcessInstance, broken).status == "error"
    assert "unsupported operand" in db.get(ProcessInstance, broken).error_message
    assert db.get(ProcessInstance, healthy).status == "completed"


def test_an_instance_read_under_its_lock_brings_the_clock_with_it_and_a_clock_set_afterwards_wins(engine_db):
    with engine_db() as session:
        engine = make_engine(session)
        engine.clock.set(datetime(2017, 6, 8, 9, 0))
        engine.deploy(diagram("timers.bpmn"), deployed_by="tester")
        instance_id = engine.start_instance("timers", data={"values": [1]}).id
        session.commit()
    with engine_db() as session:
        engine = make_engine(session)
        with statements_sent(session.get_bind()) as sent:
            engine.get_instance(instance_id, for_update=True)
            assert engine.clock.today() == date(2017, 6, 8)
        assert not [statement for statement in sent if statement.startswith("SELECT clock")]
        engine.clock.set(datetime(2017, 6, 20, 9, 0))
        assert engine.clock.today() == date(2017, 6, 20)
        session.commit()
    with engine_db() as session:
        assert make_engine(session).clock.today() == date(2017, 6, 20)
