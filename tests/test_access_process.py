"""社区事务准入 end to end: a department applies to push an affair down to the streets, 区法制办 gives a legal
opinion, 区社区办 approves, rejects or returns it; streets report the burden of approved affairs."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine import ProcessInstance
from tests.process_support import Driver
from workflows.cases import opening as cases
from workflows.forms import FormInvalid
from workflows.records.models import AccessApplication, AccessFeedback

APPLICATION = {"affair": "高龄老人营养餐补贴的申请受理与初审", "legal_basis": "《上海市老年人权益保障条例》第三十条",
               "funding": "每街镇每年20万元", "staffing": "每街镇1名社工", "on_responsibility_list": True}
LAWFUL = {"lawful": "yes", "legal_note": "有地方性法规依据"}


def apply(driver: Driver, department: str = "minzhengju", data: dict | None = None):
    instance = cases.apply_for_access(driver.session, driver.engine, department, data or APPLICATION, actor=department)
    driver.session.commit()
    return instance


def application_of(driver: Driver, instance) -> AccessApplication:
    return driver.session.scalar(select(AccessApplication).where(AccessApplication.instance_id == instance.id))


def review(driver: Driver, decision: str, comment: str) -> None:
    driver.complete(driver.task(name="出具法律意见"), LAWFUL)
    driver.complete(driver.task(name="准入审核"), {"access_decision": decision, "access_comment": comment})


def approved_application(driver: Driver) -> AccessApplication:
    instance = apply(driver)
    review(driver, "approve", "准予下沉，经费人员随事务下沉")
    return application_of(driver, instance)


def test_an_application_with_a_legal_opinion_approved_by_the_community_office_lets_streets_report_its_burden(driver):
    instance = apply(driver)
    opinion = driver.task(name="出具法律意见")
    assert opinion.assigned_unit == "fazhiban"
    assert application_of(driver, instance).status == "reviewing"

    driver.complete(opinion, LAWFUL)
    assert (application_of(driver, instance).lawful, application_of(driver, instance).legal_note) == (
        "yes", "有地方性法规依据")
    decision = driver.task(name="准入审核")
    assert decision.assigned_unit == "shequban"

    driver.complete(decision, {"access_decision": "approve", "access_comment": "准予下沉"})
    approved = application_of(driver, instance)
    assert (approved.status, approved.decided_on, approved.decision_comment) == ("approved", date(2017, 6, 8), "准予下沉")
    assert driver.session.get(ProcessInstance, instance.id).status == "completed"

    cases.file_access_feedback(driver.session, driver.engine, "caoyang", approved.id, {"burden": "社工人手不足"})
    driver.session.commit()
    [feedback] = driver.session.scalars(select(AccessFeedback)).all()
    assert (feedback.application_id, feedback.street_code, feedback.burden, feedback.filed_on) == (
        approved.id, "caoyang", "社工人手不足", date(2017, 6, 8))


def test_a_rejected_application_ends_and_takes_no_burden_feedback(driver):
    instance = apply(driver)
    review(driver, "reject", "无法定依据，不予准入")

    rejected = application_of(driver, instance)
    assert (rejected.status, rejected.decision_comment) == ("rejected", "无法定依据，不予准入")
    assert driver.session.get(ProcessInstance, instance.id).status == "completed"
    with pytest.raises(FormInvalid) as refused:
        cases.file_access_feedback(driver.session, driver.engine, "caoyang", rejected.id, {"burden": "负担重"})
    assert list(refused.value.errors) == ["application"]
    assert driver.session.scalar(select(func.count()).select_from(AccessFeedback)) == 0


def test_an_application_under_review_takes_no_burden_feedback(driver):
    instance = apply(driver)

    with pytest.raises(FormInvalid) as refused:
        cases.file_access_feedback(driver.session, driver.engine, "caoyang", application_of(driver, instance).id,
                                   {"burden": "负担重"})

    assert list(refused.value.errors) == ["application"]


def test_a_returned_application_is_revised_by_the_department_and_gets_a_new_legal_opinion(driver):
    instance = apply(driver)
    review(driver, "return", "请补充经费测算依据")
    assert application_of(driver, instance).status == "returned"
    revise = driver.task(name="修改准入申请")
    assert revise.assigned_unit == "minzhengju"

    driver.complete(revise, APPLICATION | {"funding": "按服务人数每人每月200元测算", "on_responsibility_list": "否"})
    revised = application_of(driver, instance)
    assert (revised.status, revised.funding, revised.on_responsibility_list) == (
        "reviewing", "按服务人数每人每月200元测算", False)
    assert driver.task(name="出具法律意见").assigned_unit == "fazhiban"

    review(driver, "approve", "准予下沉")
    assert application_of(driver, instance).status == "approved"
    assert [name for kind, name in driver.history_kinds(instance.id) if kind == "task_completed"] == [
        "出具法律意见", "准入审核", "修改准入申请", "出具法律意见", "准入审核"]


def test_a_street_cannot_apply_for_access_and_nothing_is_written(driver):
    with pytest.raises(FormInvalid) as refused:
        cases.apply_for_access(driver.session, driver.engine, "caoyang", APPLICATION, actor="caoyang")
    driver.session.commit()

    assert list(refused.value.errors) == ["applicant"]
    assert driver.engine.count_instances("community_affairs_access") == 0
    assert driver.session.scalar(select(func.count()).select_from(AccessApplication)) == 0


@pytest.mark.parametrize("changes, field", [
    ({"affair": ""}, "affair"),
    ({"legal_basis": "  "}, "legal_basis"),
    ({"funding": "经" * 501}, "funding"),
    ({"on_responsibility_list": "maybe"}, "on_responsibility_list"),
    ({"deadline": "2017-12-31"}, "deadline"),
], ids=["no affair", "blank legal basis", "funding too long", "list flag not yes or no", "unknown field"])
def test_an_application_with_bad_input_is_refused_naming_the_field_and_nothing_is_written(driver, changes, field):
    with pytest.raises(FormInvalid) as refused:
        cases.apply_for_access(driver.session, driver.engine, "minzhengju", APPLICATION | changes, actor="minzhengju")
    driver.session.commit()

    assert field in refused.value.errors
    assert driver.engine.count_instances("community_affairs_access") == 0


def test_only_a_street_or_town_can_report_the_burden_of_an_approved_affair(driver):
    approved = approved_application(driver)

    with pytest.raises(FormInvalid) as refused:
        cases.file_access_feedback(driver.session, driver.engine, "fangguanju", approved.id, {"burden": "负担重"})
    assert list(refused.value.errors) == ["street"]

    cases.file_access_feedback(driver.session, driver.engine, "changzheng", approved.id, {"burden": "无明显负担"})
    driver.session.commit()
    assert [f.street_code for f in driver.session.scalars(select(AccessFeedback))] == ["changzheng"]


def test_burden_feedback_must_say_what_the_burden_is(driver):
    approved = approved_application(driver)

    with pytest.raises(FormInvalid) as refused:
        cases.file_access_feedback(driver.session, driver.engine, "caoyang", approved.id, {"burden": ""})

    assert list(refused.value.errors) == ["burden"]
