"""Playing a whole year by the clock for all the plan's projects, shared by the year-play and report tests."""
from __future__ import annotations

from datetime import date, timedelta

from tests.process_support import REPORT, Driver

LATE_IN_Q3 = {7 * k for k in range(1, 8)}          # these lead units miss the Q3 deadline
RETURNED_IN_Q2 = {11, 22, 33, 44, 55}               # the office sends these Q2 reports back once
NO_DATE_FINISH = date(2017, 11, 15)                 # projects without a fixed date finish here
OVERDUE_FINISH = date(2017, 6, 20)                  # projects already overdue finish late, here


def completion_day(due: date | None) -> date:
    if due is None:
        return NO_DATE_FINISH
    if due < date(2017, 6, 8):
        return OVERDUE_FINISH
    return min(due, date(2017, 12, 10)) - timedelta(days=5)


class YearPlayer:
    """Answers every open task the way a diligent district would, with a few deliberate lapses."""

    def __init__(self, driver: Driver):
        self.d = driver
        self.returned: set[int] = set()

    def answer(self, task) -> bool:
        today = self.d.today
        if task.name == "提交办结报告" and today < completion_day(task.due_on):
            return False
        data = self.d.engine.task_view(task).data
        number = (data.get("project") or {}).get("number")
        answers = {
            "提供季度进展材料": lambda: {"contribution": "本单位按计划推进"},
            "责任单位提供材料": lambda: {"contribution": "已落实"},
            "汇总填报季度报告": lambda: self.report(number, data, today),
            "按意见修改季度报告": lambda: {k: v for k, v in REPORT.items() if k != "next_step"},
            "审核季度报告": lambda: self.review(number, data),
            "催办季度报告": lambda: {"chase_note": "已电话催报"},
            "催办办结": lambda: {"chase_note": "已督促办结"},
            "提交办结报告": lambda: {"completion_summary": "已完成"},
            "确认办结": lambda: {"completion_verdict": "confirm"},
            "撰写自评报告": lambda: {"self_summary": "全年任务完成", "self_score": 90},
            "检查评分": lambda: {"supervisor_score": data["computed_score"], "supervisor_comment": "按规则评分"},
            "确认最终得分": lambda: {"score_decision": "confirm", "final_score": data["computed_score"]},
        }
        submission = answers[task.name]()
        if submission is None:
            return False
        self.d.complete(task, submission)
        return True

    def report(self, number, data, today):
        if data["quarter"] == 3 and number in LATE_IN_Q3 and today < date(2017, 9, 22):
            return None
        return REPORT

    def review(self, number, data):
        if data["quarter"] == 2 and number in RETURNED_IN_Q2 and number not in self.returned:
            self.returned.add(number)
            return {"verdict": "return", "office_comment": "请补充量化数据"}
        return {"verdict": "accept"}

    def answer_all(self) -> None:
        answered = True
        while answered:
            answered = any([self.answer(task) for task in self.d.tasks()])


def play_year(driver: Driver) -> set[str]:
    """Activate the plan on its issue date and answer every task until 2018; returns the business keys whose
    completion was already overdue on the first day."""
    driver.activate()
    overdue_on_day_one = {t.instance.business_key for t in driver.tasks(name="提交办结报告")
                          if t.due_on and t.due_on < driver.today}
    player = YearPlayer(driver)
    while driver.today < date(2018, 1, 1):
        player.answer_all()
        driver.advance(days=1)
    return overdue_on_day_one
