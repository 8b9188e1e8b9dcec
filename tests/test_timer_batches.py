"""Timers fired in one batch (engine/worker.py): one instance's step may reach another of the same batch."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from engine import HistoryEvent, HumanTask
from engine.worker import sweep
from tests.engine_support import make_engine

SIGNAL = '<bpmn:signal id="Sig_stop" name="全区停工"/>'
RECEIVER = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_receiver"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  {SIGNAL}
  <bpmn:process id="batch_receiver" name="施工与停工" isExecutable="true">
    <bpmn:startEvent id="start" name="开始"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:intermediateCatchEvent id="hour" name="等一小时">
      <bpmn:timerEventDefinition id="hour_def"><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="check" name="复核"/>
    <bpmn:intermediateCatchEvent id="stop" name="收到停工信号">
      <bpmn:signalEventDefinition id="stop_def" signalRef="Sig_stop"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="stopped" name="停工结束"/>
    <bpmn:endEvent id="checked" name="复核结束"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="hour"/>
    <bpmn:sequenceFlow id="f3" sourceRef="hour" targetRef="check"/>
    <bpmn:sequenceFlow id="f4" sourceRef="check" targetRef="checked"/>
    <bpmn:sequenceFlow id="f5" sourceRef="fork" targetRef="stop"/>
    <bpmn:sequenceFlow id="f6" sourceRef="stop" targetRef="stopped"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()
THROWER = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_thrower"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  {SIGNAL}
  <bpmn:process id="batch_thrower" name="停工令" isExecutable="true">
    <bpmn:startEvent id="start" name="开始"/>
    <bpmn:intermediateCatchEvent id="later" name="等两小时">
      <bpmn:timerEventDefinition id="later_def"><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateThrowEvent id="announce" name="发布停工">
      <bpmn:signalEventDefinition id="announce_def" signalRef="Sig_stop"/>
    </bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="end" name="结束"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="later"/>
    <bpmn:sequenceFlow id="f2" sourceRef="later" targetRef="announce"/>
    <bpmn:sequenceFlow id="f3" sourceRef="announce" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()


def test_a_signal_thrown_in_a_batch_reaches_an_instance_that_fired_its_own_timer_earlier_in_it(engine_db):
    with engine_db() as session:
        engine = make_engine(session)
        engine.clock.set(datetime(2017, 6, 8, 9, 0))
        engine.deploy(RECEIVER, deployed_by="tester")
        engine.deploy(THROWER, deployed_by="tester")
        receiver = engine.start_instance("batch_receiver", data={"roles": {}}).id
        thrower = engine.start_instance("batch_thrower", data={"roles": {}}).id
        engine.clock.advance(timedelta(hours=3))
        session.commit()
    assert sweep(engine_db, make_engine).fired == 2  # one batch: the receiver's timer is due first
    assert sweep(engine_db, make_engine).fired == 0
    with engine_db() as session:
        fired = session.scalar(select(func.count()).where(HistoryEvent.instance_id == receiver,
                                                          HistoryEvent.kind == "timer_fired"))
        received = session.scalar(select(func.count()).where(HistoryEvent.instance_id == receiver,
                                                             HistoryEvent.kind == "signal_received"))
        tasks = session.scalars(select(HumanTask.name).where(HumanTask.instance_id == receiver,
                                                             HumanTask.state == "ready")).all()
        instance = make_engine(session).get_instance(receiver)
        assert (fired, received, tasks) == (1, 1, ["复核"])
        assert [task.task_spec.bpmn_id for task in instance.ready_human_tasks()] == ["check"]
        assert make_engine(session).get_instance(thrower).row.status == "completed"
