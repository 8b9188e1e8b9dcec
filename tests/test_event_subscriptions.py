"""An instance's stored event subscriptions follow what it waits for after every step, and a step reads them only
when it must delete one (engine/events.known_subscriptions): their number, read with the row under its lock,
tells the rest."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from engine import HumanTask
from engine.models import EventSubscription
from tests.engine_support import make_engine
from tests.sql_support import statements_sent

WAIT_AND_WORK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_wait_and_work"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:signal id="Sig_stop" name="全区停工"/>
  <bpmn:process id="wait_and_work" name="施工与停工" isExecutable="true">
    <bpmn:startEvent id="start" name="开始"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:userTask id="report" name="填报"/>
    <bpmn:userTask id="check" name="复核"/>
    <bpmn:endEvent id="work_done" name="施工结束"/>
    <bpmn:intermediateCatchEvent id="stop" name="收到停工信号">
      <bpmn:signalEventDefinition id="stop_def" signalRef="Sig_stop"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="stopped" name="停工结束"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="report"/>
    <bpmn:sequenceFlow id="f3" sourceRef="report" targetRef="check"/>
    <bpmn:sequenceFlow id="f4" sourceRef="check" targetRef="work_done"/>
    <bpmn:sequenceFlow id="f5" sourceRef="fork" targetRef="stop"/>
    <bpmn:sequenceFlow id="f6" sourceRef="stop" targetRef="stopped"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()
STOP = ("signal", "全区停工", "stop")


@pytest.fixture
def waiting(engine_db):
    """An instance at its task 填报 that also waits for the signal 全区停工: its id."""
    with engine_db() as session:
        engine = make_engine(session)
        engine.deploy(WAIT_AND_WORK, deployed_by="tester")
        instance = engine.start_instance("wait_and_work", data={"roles": {}}, actor="tester")
        session.commit()
        return instance.id


def subscriptions(session, instance_id: int) -> set[tuple[str, str, str]]:
    rows = session.scalars(select(EventSubscription).where(EventSubscription.instance_id == instance_id))
    return {(row.kind, row.name, row.element) for row in rows}


def complete(session, instance_id: int, name: str) -> None:
    task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.name == name,
                                                   HumanTask.state == "ready")).one()
    make_engine(session).complete_task(task.id, {}, actor="tester")


def lookups(session, action) -> int:
    """How many statements ``action()`` sends that read the event_subscription table's rows."""
    with statements_sent(session.get_bind()) as sent:
        action()
    return sum(statement.upper().startswith("SELECT EVENT_SUBSCRIPTION.ID,") for statement in sent)


def test_a_completion_after_which_the_instance_still_waits_for_its_signal_reads_no_subscriptions(engine_db, waiting):
    with engine_db() as session:
        assert subscriptions(session, waiting) == {STOP}
        assert lookups(session, lambda: complete(session, waiting, "填报")) == 0
        session.commit()
    with engine_db() as session:
        assert subscriptions(session, waiting) == {STOP}


def test_an_instance_stored_without_its_subscriptions_gets_them_at_its_next_step_and_then_the_signal(
        engine_db, waiting):
    with engine_db() as session:  # as an instance saved before subscriptions were kept
        session.execute(delete(EventSubscription).where(EventSubscription.instance_id == waiting))
        session.commit()
    with engine_db() as session:
        complete(session, waiting, "填报")
        session.commit()
    with engine_db() as session:
        assert subscriptions(session, waiting) == {STOP}
        assert [i.id for i in make_engine(session).broadcast_signal("全区停工", actor="office").caught] == [waiting]
        session.commit()


def test_the_step_that_catches_the_signal_deletes_its_subscription(engine_db, waiting):
    with engine_db() as session:
        assert lookups(session, lambda: make_engine(session).broadcast_signal("全区停工", actor="office")) == 1
        session.commit()
    with engine_db() as session:
        assert subscriptions(session, waiting) == set()
        complete(session, waiting, "填报")
        complete(session, waiting, "复核")
        session.commit()
    with engine_db() as session:
        assert subscriptions(session, waiting) == set()
        assert make_engine(session).get_instance(waiting).row.status == "completed"
