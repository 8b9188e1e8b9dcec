"""条块约请 end to end: a street invites departments, the office dispatches, each department signs and replies,
the street rates the reply; late steps are chased by the office, two unsatisfied ratings go to the office."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from sqlalchemy.orm import Session

from engine import HumanTask, ProcessInstance
from engine.worker import sweep
from tests.process_support import Driver
from workflows.cases import opening as cases
from workflows.forms import FormInvalid
from workflows.records.models import Consultation, ConsultationInvitation
from workflows.records.settings import set_setting
from workflows.runtime import process_engine
from workflows.workdays import add_workdays

FLOODING = "曹杨路积水点改造涉及排水管网，需区职能部门协调"
SIGNED = {"signer": "王科长", "signer_phone": "52564588"}
REPLIED = {"reply_kind": "plan", "reply_text": "已列入排水管网改造计划，7月底前完成"}
UNSATISFIED = {"rating": "unsatisfied", "rating_reason": "未明确施工时间"}


def raise_consultation(driver: Driver, departments=("minzhengju", "fangguanju"), street: str = "caoyang"):
    instance = cases.raise_consultation(driver.session, driver.engine, street, {
        "description": FLOODING, "place": "曹杨路兰溪路口", "invited_departments": list(departments)}, actor=street)
    driver.session.commit()
    return instance


def raise_and_dispatch(driver: Driver, departments=("minzhengju", "fangguanju")):
    instance = raise_consultation(driver, departments)
    driver.complete(driver.task(name="分派约请部门", instance_id=instance.id), {})
    return instance


def department_of(driver: Driver, task: HumanTask) -> str:
    return driver.engine.task_view(task).data["department"]


def invitation(driver: Driver, department: str) -> ConsultationInvitation:
    return driver.session.scalar(select(ConsultationInvitation).where(
        ConsultationInvitation.department_code == department))


def consultation(driver: Driver, instance) -> Consultation:
    return driver.session.scalar(select(Consultation).where(Consultation.instance_id == instance.id))


def sign_and_reply(driver: Driver, department: str) -> None:
    driver.complete(driver.task(name="签收约请", unit=department), SIGNED)
    driver.complete(driver.task(name="答复约请", unit=department), REPLIED)


def rating_task_for(driver: Driver, department: str) -> HumanTask:
    [task] = [t for t in driver.tasks(name="评价答复") if department_of(driver, t) == department]
    return task


def test_a_street_invites_two_departments_who_reply_and_the_consultation_closes_when_both_are_rated_satisfied(driver):
    instance = raise_consultation(driver)
    dispatch = driver.task(name="分派约请部门")
    assert dispatch.assigned_unit == "tuijinban" and dispatch.due_on == date(2017, 6, 9)

    driver.complete(dispatch, {"dispatch_note": "按街道所选部门约请"})
    signing = driver.tasks(name="签收约请")
    assert [(t.assigned_unit, t.due_on) for t in signing] == [("minzhengju", date(2017, 6, 12)),
                                                              ("fangguanju", date(2017, 6, 12))]
    for department in ("minzhengju", "fangguanju"):
        driver.complete(driver.task(name="签收约请", unit=department), SIGNED)
        assert driver.task(name="答复约请", unit=department).due_on == date(2017, 6, 22)
        driver.complete(driver.task(name="答复约请", unit=department), REPLIED)

    assert [t.assigned_unit for t in driver.tasks(name="评价答复")] == ["caoyang", "caoyang"]
    driver.complete(rating_task_for(driver, "minzhengju"), {"rating": "satisfied"})
    assert consultation(driver, instance).status == "open"

    driver.complete(rating_task_for(driver, "fangguanju"), {"rating": "satisfied"})
    assert consultation(driver, instance).status == "closed"
    assert consultation(driver, instance).closed_on == date(2017, 6, 8)
    assert driver.session.get(ProcessInstance, instance.id).status == "completed"
    replied = invitation(driver, "minzhengju")
    assert (replied.signed_on, replied.sign_due, replied.replied_on, replied.reply_due, replied.rating) == (
        date(2017, 6, 8), date(2017, 6, 12), date(2017, 6, 8), date(2017, 6, 22), "satisfied")
    assert replied.reply == REPLIED["reply_text"]


def test_the_office_can_replace_an_invited_department_and_the_replaced_one_never_gets_a_task(driver):
    raise_consultation(driver)
    driver.complete(driver.task(name="分派约请部门"), {"invited_departments": "区民政局、区城管执法局",
                                                      "dispatch_note": "排水问题由城管执法局牵头"})

    assert [t.assigned_unit for t in driver.tasks(name="签收约请")] == ["minzhengju", "chengguanju"]
    assert driver.session.scalars(select(HumanTask).where(HumanTask.assigned_unit == "fangguanju")).all() == []
    assert [i.department_code for i in driver.session.scalars(select(ConsultationInvitation))] == [
        "minzhengju", "chengguanju"]


def test_the_office_can_only_dispatch_to_district_departments(driver):
    raise_consultation(driver)
    dispatch = driver.task(name="分派约请部门")

    with pytest.raises(FormInvalid) as refused:
        driver.complete(dispatch, {"invited_departments": "区民政局、长风新村街道"})
    assert "invited_departments" in refused.value.errors


def test_a_department_named_twice_is_invited_once(driver):
    raise_and_dispatch(driver, departments=("minzhengju", "minzhengju"))

    assert len(driver.tasks(name="签收约请", unit="minzhengju")) == 1


def test_deadlines_are_counted_in_chinese_working_days_so_the_national_day_holiday_pushes_them_back(driver):
    driver.engine.clock.set(datetime(2017, 9, 29, 9, 0))  # the Friday before 国庆; 09-30 is a make-up workday
    driver.session.commit()
    raise_consultation(driver, departments=("minzhengju",))
    assert driver.task(name="分派约请部门").due_on == date(2017, 9, 30)

    driver.complete(driver.task(name="分派约请部门"), {})
    assert driver.task(name="签收约请").due_on == date(2017, 10, 9)

    driver.complete(driver.task(name="签收约请"), SIGNED)
    assert driver.task(name="答复约请").due_on == date(2017, 10, 19)


def test_changing_the_consultation_deadlines_changes_the_due_dates_of_new_consultations_only(driver):
    raise_and_dispatch(driver, departments=("minzhengju",))
    set_setting(driver.session, "consultation_deadlines", {"sign_workdays": 1, "reply_workdays": 5})
    driver.session.commit()

    raise_and_dispatch(driver, departments=("fangguanju",))

    assert driver.task(name="签收约请", unit="minzhengju").due_on == date(2017, 6, 12)
    assert driver.task(name="签收约请", unit="fangguanju").due_on == date(2017, 6, 9)
    driver.complete(driver.task(name="签收约请", unit="fangguanju"), SIGNED)
    assert driver.task(name="答复约请", unit="fangguanju").due_on == date(2017, 6, 15)


def test_a_reply_rated_unsatisfied_goes_back_to_the_department_and_a_second_one_goes_to_the_office(driver):
    instance = raise_and_dispatch(driver)
    sign_and_reply(driver, "minzhengju")
    sign_and_reply(driver, "fangguanju")
    driver.complete(rating_task_for(driver, "minzhengju"), {"rating": "satisfied"})

    driver.complete(rating_task_for(driver, "fangguanju"), UNSATISFIED)
    assert invitation(driver, "fangguanju").unsatisfied_count == 1
    driver.complete(driver.task(name="答复约请", unit="fangguanju"),
                    {"reply_kind": "result", "reply_text": "已于6月30日前完成施工"})
    assert driver.tasks(name="协调处理约请") == []

    driver.complete(rating_task_for(driver, "fangguanju"), {"rating": "unsatisfied", "rating_reason": "积水仍未消除"})
    coordination = driver.task(name="协调处理约请")
    assert coordination.assigned_unit == "tuijinban" and department_of(driver, coordination) == "fangguanju"
    assert driver.tasks(name="答复约请") == []

    driver.complete(coordination, {"coordination": "close", "coordination_note": "已召集三方现场协调，问题转入年度计划"})
    coordinated = invitation(driver, "fangguanju")
    assert (coordinated.unsatisfied_count, coordinated.escalated, coordinated.closed_by_office) == (2, True, True)
    assert consultation(driver, instance).status == "closed"
    assert driver.session.get(ProcessInstance, instance.id).status == "completed"


def test_the_office_can_send_a_twice_unsatisfied_reply_back_to_the_department(driver):
    instance = raise_and_dispatch(driver, departments=("fangguanju",))
    sign_and_reply(driver, "fangguanju")
    driver.complete(driver.task(name="评价答复"), UNSATISFIED)
    driver.complete(driver.task(name="答复约请"), REPLIED)
    driver.complete(driver.task(name="评价答复"), UNSATISFIED)

    driver.complete(driver.task(name="协调处理约请"), {"coordination": "redo", "coordination_note": "请给出施工时间"})

    assert driver.task(name="答复约请").assigned_unit == "fangguanju"
    assert invitation(driver, "fangguanju").closed_by_office is False
    assert consultation(driver, instance).status == "open"


def test_an_unsatisfied_rating_needs_a_reason(driver):
    raise_and_dispatch(driver, departments=("fangguanju",))
    sign_and_reply(driver, "fangguanju")
    rating = driver.task(name="评价答复")

    with pytest.raises(FormInvalid) as refused:
        driver.complete(rating, {"rating": "unsatisfied"})

    assert list(refused.value.errors) == ["rating_reason"]
    assert driver.task(name="评价答复").id == rating.id


def test_a_department_that_has_not_signed_by_the_end_of_the_deadline_is_chased_by_the_office(driver):
    raise_and_dispatch(driver)
    driver.complete(driver.task(name="签收约请", unit="fangguanju"), SIGNED)

    driver.advance(days=4)  # 2017-06-12 09:00, the last day to sign
    assert driver.tasks(name="督办签收") == []

    driver.advance(hours=16)  # 2017-06-13 01:00
    chase = driver.task(name="督办签收")
    assert chase.assigned_unit == "tuijinban" and department_of(driver, chase) == "minzhengju"

    driver.complete(chase, {"chase_note": "已电话督促区民政局当日签收"})
    assert invitation(driver, "minzhengju").escalated is True
    assert invitation(driver, "fangguanju").escalated is False


def test_a_clock_standing_exactly_on_a_timers_instant_does_not_keep_the_worker_waking_the_instance(driver):
    # Every *_overdue_at is T00:00:00, and `clock set 2017-06-13` lands exactly there.
    raise_and_dispatch(driver, departments=("minzhengju",))
    driver.engine.clock.set(datetime(2017, 6, 13, 0, 0))
    driver.session.commit()
    factory = lambda: Session(bind=driver.session.get_bind(), expire_on_commit=False)  # noqa: E731

    result = sweep(factory, process_engine, limit=3)  # a limit, so that a loop shows as a count, not a hang

    driver.session.expire_all()
    assert result.fired == len(driver.tasks(name="督办签收"))
    driver.advance(hours=1)
    assert driver.task(name="督办签收").assigned_unit == "tuijinban"


def test_a_department_chased_for_signing_can_still_sign_and_reply(driver):
    raise_and_dispatch(driver, departments=("minzhengju",))
    driver.advance(days=5)
    driver.complete(driver.task(name="督办签收"), {"chase_note": "已电话督促"})

    driver.complete(driver.task(name="签收约请"), SIGNED)

    assert invitation(driver, "minzhengju").signed_on == date(2017, 6, 13)
    assert invitation(driver, "minzhengju").sign_due == date(2017, 6, 12)
    assert driver.task(name="答复约请").assigned_unit == "minzhengju"


def test_an_open_chase_is_closed_when_the_department_finishes_its_part(driver):
    instance = raise_and_dispatch(driver, departments=("minzhengju",))
    driver.advance(days=5)
    chase = driver.task(name="督办签收")

    sign_and_reply(driver, "minzhengju")
    driver.complete(driver.task(name="评价答复"), {"rating": "satisfied"})

    assert driver.session.get(HumanTask, chase.id).state == "cancelled"
    assert driver.session.get(ProcessInstance, instance.id).status == "completed"


def test_a_department_that_has_not_replied_by_the_end_of_the_deadline_is_chased_and_can_still_reply(driver):
    raise_and_dispatch(driver, departments=("minzhengju",))
    driver.complete(driver.task(name="签收约请"), SIGNED)

    driver.advance(days=14)  # 2017-06-22 09:00, the last day to reply
    assert driver.tasks(name="督办答复") == []
    driver.advance(hours=16)
    chase = driver.task(name="督办答复")
    assert chase.assigned_unit == "tuijinban"

    driver.complete(chase, {"chase_note": "已发督办单"})
    assert invitation(driver, "minzhengju").escalated is True
    driver.complete(driver.task(name="答复约请"), REPLIED)
    assert invitation(driver, "minzhengju").replied_on == date(2017, 6, 23)
    assert driver.task(name="评价答复").assigned_unit == "caoyang"


def test_an_open_reply_chase_is_closed_when_the_department_finishes_its_part(driver):
    raise_and_dispatch(driver, departments=("minzhengju",))
    driver.complete(driver.task(name="签收约请"), SIGNED)
    driver.advance(days=15)
    chase = driver.task(name="督办答复")

    driver.complete(driver.task(name="答复约请"), REPLIED)
    driver.complete(driver.task(name="评价答复"), {"rating": "satisfied"})

    assert driver.session.get(HumanTask, chase.id).state == "cancelled"


GOOD = {"description": FLOODING, "invited_departments": ["minzhengju"]}


@pytest.mark.parametrize("street, changes, field", [
    ("minzhengju", {}, "street"),
    ("caoyang", {"invited_departments": []}, "invited_departments"),
    ("caoyang", {"invited_departments": ["minzhengju", "changfeng"]}, "invited_departments"),
    ("caoyang", {"invited_departments": ["no_such_unit"]}, "invited_departments"),
    ("caoyang", {"wished_reply_on": "2017-06-07"}, "wished_reply_on"),
    ("caoyang", {"wished_reply_on": "2017-06-31"}, "wished_reply_on"),
    ("caoyang", {"description": "  "}, "description"),
    ("caoyang", {"priority": "urgent"}, "priority"),
    ("caoyang", {"project": "2017-99"}, "project"),
], ids=["not a street", "no departments", "a street as department", "unknown department", "wished date past",
        "wished date invalid", "blank description", "unknown field", "unknown project"])
def test_a_consultation_with_bad_input_is_refused_naming_the_field_and_nothing_is_written(driver, street, changes,
                                                                                           field):
    with pytest.raises(FormInvalid) as refused:
        cases.raise_consultation(driver.session, driver.engine, street, GOOD | changes, actor=street)
    driver.session.commit()

    assert field in refused.value.errors
    assert driver.engine.count_instances("unit_consultation") == 0
    assert driver.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_a_consultation_can_name_a_project_and_a_wished_reply_date_from_today(driver):
    instance = cases.raise_consultation(driver.session, driver.engine, "changzheng", GOOD | {
        "project": "2017-05", "wished_reply_on": "2017-06-08"}, actor="changzheng")
    driver.session.commit()

    raised = consultation(driver, instance)
    assert (raised.street_code, raised.wished_reply_on, raised.opened_on) == ("changzheng", date(2017, 6, 8),
                                                                             date(2017, 6, 8))
    assert raised.project_id is not None


def test_a_reply_sent_back_as_unsatisfied_gets_a_fresh_reply_deadline(driver):
    raise_and_dispatch(driver, departments=("fangguanju",))
    sign_and_reply(driver, "fangguanju")
    driver.advance(days=20)  # 06-28, long past the first reply deadline
    driver.complete(rating_task_for(driver, "fangguanju"), UNSATISFIED)

    reply = driver.task(name="答复约请", unit="fangguanju")
    assert reply.due_on == add_workdays(driver.today, 10)
    driver.advance(hours=1)
    assert driver.tasks(name="督办答复") == []
