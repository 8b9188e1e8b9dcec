"""跟踪督查 end to end: the supervision section opens a check on a project, the lead unit answers, the section
records a finding; a rectification is done by its date and verified until it passes."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine import ProcessInstance
from tests.process_support import Driver
from workflows.cases import opening as cases
from workflows.forms import FormInvalid
from workflows.records.models import SupervisionCheck
from workflows.records.scoring import year_end_score
from workflows.records.settings import get_setting

CHECK = {"project": "2017-05", "subject": "旧住房综合改造推进情况", "requirements": "说明开工户数和资金到位情况",
         "answer_due": "2017-06-20"}
RECTIFY = {"finding": "rectify", "finding_note": "开工户数未达序时进度", "rectify_due": "2017-07-10"}


def open_check(driver: Driver):
    instance = cases.open_check(driver.session, driver.engine, CHECK, actor="duchake")
    driver.session.commit()
    return instance


def check_of(driver: Driver, instance) -> SupervisionCheck:
    return driver.session.scalar(select(SupervisionCheck).where(SupervisionCheck.instance_id == instance.id))


def answer(driver: Driver) -> None:
    driver.complete(driver.task(name="反馈督查事项"), {"answer": "已开工1200户，资金已拨付"})


def rectification_points(driver: Driver) -> float:
    [item] = [i for i in year_end_score(driver.session, "2017-05", driver.today)["items"] if i["rule"] == "督查整改"]
    return item["points"]


def test_a_check_answered_by_the_lead_unit_and_found_satisfactory_is_closed(driver):
    instance = open_check(driver)
    answering = driver.task(name="反馈督查事项")
    assert (answering.assigned_unit, answering.due_on) == ("fangguanju", date(2017, 6, 20))
    assert check_of(driver, instance).status == "open"

    answer(driver)
    assert (check_of(driver, instance).status, check_of(driver, instance).answered_on) == ("answered", date(2017, 6, 8))
    finding = driver.task(name="作出督查结论")
    assert finding.assigned_unit == "duchake"

    driver.complete(finding, {"finding": "satisfactory", "finding_note": "进度符合计划"})
    closed = check_of(driver, instance)
    assert (closed.status, closed.finding, closed.finding_note) == ("closed", "satisfactory", "进度符合计划")
    assert driver.session.get(ProcessInstance, instance.id).status == "completed"
    assert driver.tasks(instance_id=instance.id) == []


def test_a_finding_of_rectify_needs_a_rectification_date(driver):
    instance = open_check(driver)
    answer(driver)
    finding = driver.task(name="作出督查结论")

    with pytest.raises(FormInvalid) as refused:
        driver.complete(finding, {"finding": "rectify", "finding_note": "开工户数未达序时进度"})

    assert list(refused.value.errors) == ["rectify_due"]
    assert driver.task(name="作出督查结论").id == finding.id
    assert check_of(driver, instance).status == "answered"


def test_a_rectification_that_fails_verification_goes_back_to_the_lead_unit_until_it_passes(driver):
    instance = open_check(driver)
    answer(driver)
    driver.complete(driver.task(name="作出督查结论"), RECTIFY)
    rectifying = check_of(driver, instance)
    assert (rectifying.status, rectifying.rectify_due) == ("rectifying", date(2017, 7, 10))
    rectify = driver.task(name="落实整改")
    assert (rectify.assigned_unit, rectify.due_on) == ("fangguanju", date(2017, 7, 10))

    driver.complete(rectify, {"rectification": "已增加施工队伍"})
    verify = driver.task(name="核查整改")
    assert verify.assigned_unit == "duchake"
    with pytest.raises(FormInvalid) as refused:
        driver.complete(verify, {"verification": "failed"})
    assert list(refused.value.errors) == ["verification_note"]
    driver.complete(verify, {"verification": "failed", "verification_note": "现场核查仍有300户未开工"})
    assert check_of(driver, instance).status == "rectifying"

    driver.advance(days=5)
    driver.complete(driver.task(name="落实整改", unit="fangguanju"), {"rectification": "已全部开工"})
    driver.complete(driver.task(name="核查整改"), {"verification": "passed"})
    closed = check_of(driver, instance)
    assert (closed.status, closed.rectified_on, closed.verified_on) == ("closed", date(2017, 6, 13), date(2017, 6, 13))
    assert driver.session.get(ProcessInstance, instance.id).status == "completed"


def test_an_open_rectification_lowers_the_projects_year_end_score_until_it_is_verified(driver):
    rules = get_setting(driver.session, "year_end_scoring")
    assert rectification_points(driver) == rules["rectification"]
    total_before = year_end_score(driver.session, "2017-05", driver.today)["total"]
    open_check(driver)
    answer(driver)

    driver.complete(driver.task(name="作出督查结论"), RECTIFY)
    assert rectification_points(driver) == rules["rectification"] - rules["per_open_rectification"]
    assert year_end_score(driver.session, "2017-05", driver.today)["total"] == (
        total_before - rules["per_open_rectification"])

    driver.complete(driver.task(name="落实整改"), {"rectification": "已全部开工"})
    driver.complete(driver.task(name="核查整改"), {"verification": "passed"})
    assert rectification_points(driver) == rules["rectification"]


def test_a_satisfactory_check_does_not_touch_the_score(driver):
    before = rectification_points(driver)
    open_check(driver)
    answer(driver)

    driver.complete(driver.task(name="作出督查结论"), {"finding": "satisfactory", "finding_note": "符合要求"})

    assert rectification_points(driver) == before


@pytest.mark.parametrize("changes, field", [
    ({"project": ""}, "project"),
    ({"project": "2017-99"}, "project"),
    ({"project": "五号项目"}, "project"),
    ({"subject": ""}, "subject"),
    ({"answer_due": "2017-06-07"}, "answer_due"),
    ({"answer_due": None}, "answer_due"),
    ({"inspector": "张三"}, "inspector"),
], ids=["no project", "unknown project", "project not year-number", "no subject", "answer date past",
        "no answer date", "unknown field"])
def test_a_check_with_bad_input_is_refused_naming_the_field_and_nothing_is_written(driver, changes, field):
    with pytest.raises(FormInvalid) as refused:
        cases.open_check(driver.session, driver.engine, CHECK | changes, actor="duchake")
    driver.session.commit()

    assert field in refused.value.errors
    assert driver.engine.count_instances("supervision") == 0
    assert driver.session.scalar(select(func.count()).select_from(SupervisionCheck)) == 0
