"""定期例会 end to end: the office calls a meeting, invited units send agenda items until the meeting day, the
office records the minutes, and each decision becomes a dated task for its unit until the office confirms it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine import HumanTask, ProcessInstance
from tests.process_support import Driver
from workflows.cases import opening as cases
from workflows.forms import FormInvalid
from workflows.records.models import Meeting

CALL = {"meeting_date": "2017-06-15", "topics": "二季度重点项目推进情况",
        "invited_units": ["minzhengju", "fangguanju", "caoyang"]}
DECISIONS = "区民政局；牵头制定方案；2017-07-31\n曹杨新村街道；排摸老年助餐需求；2017-07-14"


def call_meeting(driver: Driver):
    instance = cases.call_meeting(driver.session, driver.engine, CALL, actor="tuijinban")
    driver.session.commit()
    return instance


def meeting_of(driver: Driver, instance) -> Meeting:
    return driver.session.scalar(select(Meeting).where(Meeting.instance_id == instance.id))


def hold_meeting(driver: Driver, decisions: str = DECISIONS):
    instance = call_meeting(driver)
    driver.advance(days=7)  # 2017-06-15 09:00, the meeting day
    driver.complete(driver.task(name="记录会议纪要和决定事项"), {"minutes": "会议通报了二季度进展", "decisions": decisions})
    return instance


def action_of(driver: Driver, task: HumanTask) -> dict:
    return driver.engine.task_view(task).data["action_item"]


def test_each_invited_unit_may_send_agenda_items_until_the_working_day_before_the_meeting(driver):
    instance = call_meeting(driver)

    agenda = driver.tasks(name="提交议题和问题")
    assert [(t.assigned_unit, t.due_on) for t in agenda] == [
        ("minzhengju", date(2017, 6, 14)), ("fangguanju", date(2017, 6, 14)), ("caoyang", date(2017, 6, 14))]
    assert meeting_of(driver, instance).invited == ["minzhengju", "fangguanju", "caoyang"]
    assert meeting_of(driver, instance).status == "called"


def test_on_the_meeting_day_unanswered_agenda_tasks_close_and_the_office_records_the_minutes(driver):
    instance = call_meeting(driver)
    driver.complete(driver.task(name="提交议题和问题", unit="minzhengju"),
                    {"agenda_items": "老年助餐点建设", "agenda_problems": "选址需街道配合"})
    unanswered = [t.id for t in driver.tasks(name="提交议题和问题")]

    driver.advance(days=6, hours=14)  # 2017-06-14 23:00
    assert len(driver.tasks(name="提交议题和问题")) == 2 and driver.tasks(name="记录会议纪要和决定事项") == []

    driver.advance(hours=2)  # 2017-06-15 01:00
    assert [driver.session.get(HumanTask, task_id).state for task_id in unanswered] == ["cancelled", "cancelled"]
    minutes = driver.task(name="记录会议纪要和决定事项")
    assert (minutes.assigned_unit, minutes.due_on) == ("tuijinban", date(2017, 6, 15))
    assert ("timer_fired", "会议当天截止") in driver.history_kinds(instance.id)


def test_the_minutes_come_early_when_every_invited_unit_has_answered(driver):
    call_meeting(driver)

    for task in driver.tasks(name="提交议题和问题"):
        driver.complete(task, {"agenda_items": "", "agenda_problems": ""})

    assert driver.task(name="记录会议纪要和决定事项").assigned_unit == "tuijinban"


def test_each_decision_in_the_minutes_becomes_a_task_for_its_unit_due_on_its_date(driver):
    instance = hold_meeting(driver)

    held = meeting_of(driver, instance)
    assert (held.status, held.minutes) == ("held", "会议通报了二季度进展")
    assert [(a.position, a.unit_code, a.task, a.due_on, a.status) for a in held.action_items] == [
        (0, "minzhengju", "牵头制定方案", date(2017, 7, 31), "open"),
        (1, "caoyang", "排摸老年助餐需求", date(2017, 7, 14), "open")]
    assert [(t.assigned_unit, t.due_on) for t in driver.tasks(name="报告决定事项落实情况")] == [
        ("minzhengju", date(2017, 7, 31)), ("caoyang", date(2017, 7, 14))]


def test_the_meeting_closes_when_the_office_has_confirmed_every_decision_done(driver):
    instance = hold_meeting(driver)
    driver.complete(driver.task(name="报告决定事项落实情况", unit="minzhengju"), {"action_result": "方案已印发"})
    driver.complete(driver.task(name="报告决定事项落实情况", unit="caoyang"), {"action_result": "已排摸230户"})
    assert [t.assigned_unit for t in driver.tasks(name="确认决定事项落实")] == ["tuijinban", "tuijinban"]

    for task in driver.tasks(name="确认决定事项落实"):
        driver.complete(task, {"action_verdict": "done"})

    closed = meeting_of(driver, instance)
    assert closed.status == "closed"
    assert [(a.status, a.reported_on, a.confirmed_on) for a in closed.action_items] == [
        ("done", date(2017, 6, 15), date(2017, 6, 15))] * 2
    assert driver.session.get(ProcessInstance, instance.id).status == "completed"


def test_a_decision_sent_back_once_is_reported_again_and_the_meeting_waits_for_it(driver):
    instance = hold_meeting(driver)
    for unit in ("minzhengju", "caoyang"):
        driver.complete(driver.task(name="报告决定事项落实情况", unit=unit), {"action_result": "已完成"})
    [first, second] = sorted(driver.tasks(name="确认决定事项落实"), key=lambda t: action_of(driver, t)["position"])

    with pytest.raises(FormInvalid) as refused:
        driver.complete(first, {"action_verdict": "again"})
    assert list(refused.value.errors) == ["action_comment"]
    driver.complete(first, {"action_verdict": "again", "action_comment": "方案未经区政府审定"})
    driver.complete(second, {"action_verdict": "done"})

    assert [a.status for a in meeting_of(driver, instance).action_items] == ["open", "done"]
    assert meeting_of(driver, instance).status == "held"
    again = driver.task(name="报告决定事项落实情况")
    assert (again.assigned_unit, again.due_on) == ("minzhengju", date(2017, 7, 31))

    driver.complete(again, {"action_result": "方案已审定印发"})
    driver.complete(driver.task(name="确认决定事项落实"), {"action_verdict": "done"})
    assert meeting_of(driver, instance).status == "closed"
    assert driver.session.get(ProcessInstance, instance.id).status == "completed"


@pytest.mark.parametrize("decisions, message", [
    ("区民政局；牵头制定方案；2017-07-31\n区不存在局；排摸需求；2017-07-31", "第 2 项的承办单位“区不存在局”不存在"),
    ("区民政局；牵头制定方案；2017-07-31\n区房管局；排摸需求；2017-13-01", "第 2 项的完成期限“2017-13-01”不是有效日期"),
    ("区民政局；牵头制定方案", "第 1 项应写成“承办单位；事项；完成期限”"),
    ("区民政局；牵头制定方案；2017-07-31\n各街道、镇；排摸需求；2017-07-31", "第 2 项的承办单位“各街道、镇”不存在"),
], ids=["unknown unit", "bad date", "missing part", "a unit group"])
def test_a_decision_line_with_an_unknown_unit_or_a_bad_date_is_refused_with_its_line_number(driver, decisions,
                                                                                            message):
    instance = call_meeting(driver)
    driver.advance(days=7)
    minutes = driver.task(name="记录会议纪要和决定事项")

    with pytest.raises(FormInvalid) as refused:
        driver.complete(minutes, {"minutes": "会议纪要", "decisions": decisions})

    assert message in refused.value.errors["decisions"]
    assert driver.task(name="记录会议纪要和决定事项").id == minutes.id
    assert meeting_of(driver, instance).action_items == []


def test_minutes_without_decisions_close_the_meeting(driver):
    instance = call_meeting(driver)
    driver.advance(days=7)

    driver.complete(driver.task(name="记录会议纪要和决定事项"), {"minutes": "本次例会只通报情况，无决定事项"})

    assert meeting_of(driver, instance).status == "closed"


@pytest.mark.parametrize("changes, field", [
    ({"meeting_date": "2017-06-07"}, "meeting_date"),
    ({"topics": ""}, "topics"),
    ({"invited_units": []}, "invited_units"),
    ({"invited_units": ["tuijinban"]}, "invited_units"),
    ({"place": "区政府大楼"}, "place"),
], ids=["date past", "no topics", "nobody invited", "the office invites itself", "unknown field"])
def test_a_meeting_call_with_bad_input_is_refused_naming_the_field_and_nothing_is_written(driver, changes, field):
    with pytest.raises(FormInvalid) as refused:
        cases.call_meeting(driver.session, driver.engine, CALL | changes, actor="tuijinban")
    driver.session.commit()

    assert field in refused.value.errors
    assert driver.engine.count_instances("regular_meeting") == 0
