"""The office adjusts the scoring rules and the consultation deadlines from the command line."""
from __future__ import annotations

import json


def test_the_office_changes_a_scoring_rule_and_the_rest_keep_their_defaults(runner):
    result = runner.invoke(args=["settings", "set", "year_end_scoring", "completion", "35"])
    assert result.exit_code == 0, result.output
    shown = json.loads(runner.invoke(args=["settings", "show"]).output)
    assert shown["year_end_scoring"]["completion"] == 35
    assert shown["year_end_scoring"]["quarterly_reports"] == 30
    assert shown["consultation_deadlines"] == {"sign_workdays": 2, "reply_workdays": 10}


def test_an_unknown_rule_or_a_negative_value_is_refused_and_changes_nothing(runner):
    for args in (["settings", "set", "year_end_scoring", "charm", "5"],
                 ["settings", "set", "consultation_deadlines", "sign_workdays", "--", "-1"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and ("没有" in result.output or "应在 1–30 个工作日之间" in result.output), result.output
    shown = json.loads(runner.invoke(args=["settings", "show"]).output)
    assert shown["consultation_deadlines"]["sign_workdays"] == 2
    assert "charm" not in shown["year_end_scoring"]
