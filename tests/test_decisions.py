"""A decision task shows what it decides on: each kind of task, reached by playing its process, has a panel of
labelled values in words (decisions.decision_context), never codes."""
from __future__ import annotations

import pytest
from engine import HumanTask
from tests.process_support import OFFICE, REPORT, Driver, start_projects
from tests.test_access_process import apply, LAWFUL
from tests.test_consultation_process import REPLIED, SIGNED, UNSATISFIED, raise_and_dispatch, rating_task_for
from tests.test_meeting_process import hold_meeting
from tests.test_supervision_process import RECTIFY, answer, open_check
from workflows.accounts.actor import Actor, NotAllowed
from workflows.tasks import notes
from workflows.tasks.decisions import decision_context, subjects
from workflows.tasks.inbox import task_page

COMPILE, REVIEW, REVISE = "汇总填报季度报告", "审核季度报告", "按意见修改季度报告"


def panel(driver: Driver, task: HumanTask) -> dict[str, dict[str, str]]:
    """Section title → label → text (with “原为” when it changed since the last round)."""
    return {section.title: {row.label: row.text + (f"（原为：{row.before}）" if row.before is not None else "")
                            for row in section.rows} | ({"说明": section.note} if section.note else {}) | {
        given.unit: (given.text if given.given_at else "尚未提供") for given in section.inputs}
        for section in decision_context(driver.session, driver.engine, task)}


def test_the_office_reviewing_a_quarterly_report_sees_its_fields_with_the_percentage_and_the_partners_input(driver):
    start_projects(driver, 17)  # 区人社局 compiles, 区社区办 contributes
    driver.complete(driver.task(business_key="2017-17", name="提供季度进展材料"), {"contribution": "考评结果运用已完成"})
    driver.complete(driver.task(business_key="2017-17", name=COMPILE),
                    dict(REPORT, percent=40, problems="经费未到位", experience="以考促建"))

    shown = panel(driver, driver.task(business_key="2017-17", name=REVIEW))

    report = shown["2017年第2季度报告"]
    assert (report["进展情况"], report["完成比例"], report["推进状态"]) == ("按计划推进", "40%", "正常推进")
    assert (report["存在问题"], report["经验做法、案例"]) == ("经费未到位", "以考促建")
    assert shown["各单位材料"]["区社区办"] == "考评结果运用已完成"
    assert "待审核" in shown["审核轮次"]["第1轮"]


def test_a_second_review_shows_what_changed_since_the_return_and_each_rounds_comment_beside_its_round(driver):
    start_projects(driver, 2)
    driver.complete(driver.task(business_key="2017-02", name=COMPILE), dict(REPORT, percent=40))
    driver.complete(driver.task(business_key="2017-02", name=REVIEW), {"verdict": "return", "office_comment": "请补充量化数据"})
    revised = {k: v for k, v in REPORT.items() if k != "next_step"} | {"percent": 45, "progress": "已完成45%"}
    driver.complete(driver.task(business_key="2017-02", name=REVISE), revised)

    shown = panel(driver, driver.task(business_key="2017-02", name=REVIEW))

    report = shown["2017年第2季度报告"]
    assert report["完成比例"] == "45%（原为：40%）" and report["进展情况"] == "已完成45%（原为：按计划推进）"
    assert report["推进状态"] == "正常推进"  # unchanged, so no “原为”
    rounds = shown["审核轮次"]
    assert "退回修改" in rounds["第1轮"] and "推进办意见：请补充量化数据" in rounds["第1轮"]
    assert "待审核" in rounds["第2轮"] and "请补充" not in rounds["第2轮"]


def test_the_second_review_form_opens_empty_while_a_revision_opens_with_the_report_so_far(driver):
    start_projects(driver, 2)
    driver.complete(driver.task(business_key="2017-02", name=COMPILE), dict(REPORT, percent=40))
    driver.complete(driver.task(business_key="2017-02", name=REVIEW), {"verdict": "return", "office_comment": "请补充"})
    revise = driver.task(business_key="2017-02", name=REVISE)
    assert task_page(driver.session, driver.engine, revise, OFFICE).values["percent"] == "40"
    driver.complete(revise, {k: v for k, v in REPORT.items() if k != "next_step"})

    second = task_page(driver.session, driver.engine, driver.task(business_key="2017-02", name=REVIEW), OFFICE)

    assert (second.values["verdict"], second.values["office_comment"]) == ("", "")


def test_a_lead_waiting_for_responsible_units_sees_who_has_given_input_and_can_chase_the_others(driver):
    start_projects(driver, 42)  # 区科委 leads; 区公安分局, 区房管局 and 区网格中心 are responsible
    compiled = driver.task(business_key="2017-42", name=COMPILE)
    driver.complete(compiled, dict(REPORT, next_step="consult"))
    asked = {task.assigned_unit: task for task in driver.tasks(business_key="2017-42", name="责任单位提供材料")}
    driver.complete(asked["fangguanju"], {"contribution": "已落实"})

    inputs = panel(driver, compiled)["各单位材料"]
    assert inputs["区房管局"] == "已落实"
    assert inputs["区公安分局"] == inputs["区网格中心"] == "尚未提供"

    late, now = asked["gonganfenju"], driver.engine.clock.now()
    comment = notes.chase_input(driver.session, compiled, late, Actor("kewei", "kewei", "unit"), now=now)
    assert comment.human_task_id == late.id and comment.body.startswith("催办：请区公安分局尽快办理")
    with pytest.raises(NotAllowed):
        notes.chase_input(driver.session, compiled, late, Actor("fangguanju", "fangguanju", "unit"), now=now)


def test_a_report_sent_to_the_responsible_units_for_input_is_no_round_waiting_for_review(driver):
    start_projects(driver, 42)
    compiled = driver.task(business_key="2017-42", name=COMPILE)
    driver.complete(compiled, dict(REPORT, next_step="consult"))
    for task in driver.tasks(business_key="2017-42", name="责任单位提供材料")[:-1]:
        driver.complete(task, {"contribution": "已落实"})

    assert "审核轮次" not in panel(driver, compiled)
    driver.complete(driver.task(business_key="2017-42", name="责任单位提供材料"), {"contribution": "已落实"})
    assert "审核轮次" not in panel(driver, driver.task(business_key="2017-42", name=COMPILE))

    driver.complete(driver.task(business_key="2017-42", name=COMPILE), REPORT)
    rounds = panel(driver, driver.task(business_key="2017-42", name=REVIEW))["审核轮次"]
    assert list(rounds) == ["第1轮"] and "待审核" in rounds["第1轮"]


def test_confirming_a_completion_shows_the_completion_report(driver):
    start_projects(driver, 2)
    driver.complete(driver.task(business_key="2017-02", name="提交办结报告"),
                    {"completion_summary": "已按计划完成", "completion_results": "覆盖全区"})

    report = panel(driver, driver.task(business_key="2017-02", name="确认办结"))["办结报告"]

    assert (report["完成情况"], report["主要成效"]) == ("已按计划完成", "覆盖全区")


def test_verifying_a_rectification_shows_the_finding_and_what_was_rectified(driver):
    open_check(driver)
    answer(driver)
    assert panel(driver, driver.task(name="作出督查结论"))["反馈的落实情况"]["落实情况"] == "已开工1200户，资金已拨付"
    driver.complete(driver.task(name="作出督查结论"), RECTIFY)
    driver.complete(driver.task(name="落实整改"), {"rectification": "已补足开工户数"})

    shown = panel(driver, driver.task(name="核查整改"))

    assert shown["督查结论"] == {"督查结论": "限期整改", "结论说明": "开工户数未达序时进度", "整改期限": "2017年7月10日"}
    assert shown["整改情况"]["整改情况"] == "已补足开工户数"


def test_deciding_an_access_application_shows_the_legal_opinion_in_words(driver):
    apply(driver)
    driver.complete(driver.task(name="出具法律意见"), LAWFUL)

    opinion = panel(driver, driver.task(name="准入审核"))["法律意见"]

    assert (opinion["是否有法定依据"], opinion["法律意见"]) == ("有法定依据", "有地方性法规依据")


def test_reporting_on_a_meeting_decision_shows_the_decision_itself(driver):
    hold_meeting(driver)

    decision = panel(driver, driver.task(name="报告决定事项落实情况", unit="minzhengju"))["决定事项"]

    assert decision["承办单位"] == "区民政局" and decision["事项"] == "牵头制定方案"
    assert decision["完成期限"] == "2017年7月31日" and decision["会议"] == "2017年6月15日 二季度重点项目推进情况"
    assert decision["会议纪要"] == "会议通报了二季度进展"


def test_two_ratings_name_their_departments_and_a_renewed_reply_says_it_was_rejected_why_and_which_round(driver):
    raise_and_dispatch(driver)
    for department in ("minzhengju", "fangguanju"):
        driver.complete(driver.task(name="签收约请", unit=department), SIGNED)
        driver.complete(driver.task(name="答复约请", unit=department), REPLIED)

    ratings = driver.tasks(name="评价答复")
    assert sorted(subjects(driver.session, driver.engine, ratings).values()) == ["区房管局", "区民政局"]
    assert task_page(driver.session, driver.engine, rating_task_for(driver, "fangguanju"), OFFICE).subject == "区房管局"
    rating = panel(driver, rating_task_for(driver, "minzhengju"))["部门答复"]
    assert rating["被约请部门"] == "区民政局" and rating["答复类型"] == "处理方案"
    assert rating["答复内容"] == REPLIED["reply_text"] and "曹杨路积水点" in rating["约请事项"]

    driver.complete(rating_task_for(driver, "minzhengju"), UNSATISFIED)
    renewed = panel(driver, driver.task(name="答复约请", unit="minzhengju"))["重新答复"]

    assert renewed["说明"] == "上一轮答复被评为不满意，原因：未明确施工时间。这是第 2 轮答复。"


def test_a_task_that_decides_nothing_beyond_its_form_has_no_panel(driver):
    start_projects(driver, 2)

    assert decision_context(driver.session, driver.engine, driver.task(business_key="2017-02", name=COMPILE)) == []


def test_the_office_coordinating_a_twice_rejected_reply_sees_the_reply_and_why_it_was_rejected(driver):
    raise_and_dispatch(driver, departments=("fangguanju",))
    driver.complete(driver.task(name="签收约请", unit="fangguanju"), SIGNED)
    driver.complete(driver.task(name="答复约请", unit="fangguanju"), REPLIED)
    driver.complete(rating_task_for(driver, "fangguanju"), UNSATISFIED)
    driver.complete(driver.task(name="答复约请", unit="fangguanju"), {"reply_kind": "result", "reply_text": "已完成施工"})
    second = panel(driver, rating_task_for(driver, "fangguanju"))["部门答复"]
    assert second["答复类型"] == "处理结果" and "这是第 2 轮答复" in second["说明"]
    driver.complete(rating_task_for(driver, "fangguanju"), {"rating": "unsatisfied", "rating_reason": "积水仍未消除"})

    shown = panel(driver, driver.task(name="协调处理约请"))["部门答复"]

    assert shown["被约请部门"] == "区房管局" and shown["答复内容"] == "已完成施工"
    assert shown["说明"] == "街镇已 2 次评为不满意，最近一次的原因：积水仍未消除。"


def test_scoring_a_self_evaluation_shows_it_beside_each_rules_points_and_reason(driver):
    start_projects(driver, 21)  # 区社区办; due 03-31, so its completion is late
    driver.complete(driver.task(business_key="2017-21", name=COMPILE), REPORT)
    driver.complete(driver.task(business_key="2017-21", name=REVIEW), {"verdict": "accept"})
    driver.complete(driver.task(business_key="2017-21", name="提交办结报告"), {"completion_summary": "手册已制发"})
    driver.complete(driver.task(business_key="2017-21", name="确认办结"), {"completion_verdict": "confirm"})
    driver.advance(days=196)  # 12-21
    driver.complete(driver.task(business_key="2017-21", name="撰写自评报告"), {"self_summary": "手册已制发", "self_score": 90})

    shown = panel(driver, driver.task(business_key="2017-21", name="检查评分"))

    assert (shown["自评报告"]["全年完成情况"], shown["自评报告"]["自评分"]) == ("手册已制发", "90")
    assert "晚于完成时间" in shown["按规则计算"]["按期办结"] and "分" in shown["按规则计算"]["合计"]
    assert "评分规则第4行" in shown["按规则计算"]["按期办结"]  # the row of the scoring table that gave the points
    assert shown["按规则计算"]["等级"].split("（")[0] in ("优秀", "良好", "合格", "不合格")
    assert "评定等级规则第" in shown["按规则计算"]["等级"]
