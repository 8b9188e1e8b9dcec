"""The year-end scoring as a decision table (bpmn/year_end_scoring.dmn): the default table gives every project of
a played year exactly the points the weights gave before, each item names the row that gave it, and the total
has a grade."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.process_support import Driver
from tests.scoring_reference import weights_score
from tests.year_support import play_year
from workflows.plan.models import Plan, Project
from workflows.records.scoring import year_end_score
from workflows.records.settings import set_setting

GRADES = {"优秀", "良好", "合格", "不合格"}


def business_keys(session) -> list[str]:
    return [f"{year}-{number:02d}" for year, number in session.execute(
        select(Plan.year, Project.number).join(Plan).order_by(Project.number))]


def same_points(session, business_key: str, today: date) -> tuple[dict, dict]:
    table, weights = year_end_score(session, business_key, today), weights_score(session, business_key, today)
    return ({"total": table["total"], "items": [(i["rule"], i["points"], i["max"]) for i in table["items"]]},
            {"total": weights["total"], "items": [(i["rule"], i["points"], i["max"]) for i in weights["items"]]})


def test_a_played_year_scores_the_same_by_the_default_table_as_by_the_weights_on_every_day_that_matters(db):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    play_year(driver)
    keys = business_keys(db)
    assert len(keys) == 55

    for today in (date(2017, 7, 20), date(2017, 10, 20), driver.today):
        for key in keys:
            table, weights = same_points(db, key, today)
            assert table == weights, (key, today)

    set_setting(db, "year_end_scoring", {"completion": 35, "late_report_share": 0.25, "per_open_rectification": 5})
    for key in keys:
        table, weights = same_points(db, key, driver.today)
        assert table == weights, key

    scored = year_end_score(db, keys[0], driver.today)
    assert scored["grade"] in GRADES
    for item in scored["items"]:
        assert f"评分规则第{item['row']}行" in item["reason"]
