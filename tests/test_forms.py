"""workflows.forms.validate: every submission is checked against its form, field by field."""
from __future__ import annotations

import pytest

from workflows.forms import MAX_TEXT, FieldSpec, FormInvalid, validate

UNITS = {"区民政局": "minzhengju", "minzhengju": "minzhengju", "区房管局": "fangguanju", "曹杨新村街道": "caoyang"}


def resolve(name: str, kinds: tuple[str, ...] | None = None) -> str | None:
    return UNITS.get(name)


def text(*, required: bool = False, **constraints) -> FieldSpec:
    return FieldSpec("note", "说明", "string", required=required, constraints={k: str(v) for k, v in constraints.items()})


def errors_of(specs: list[FieldSpec], submitted) -> dict[str, str]:
    with pytest.raises(FormInvalid) as refused:
        validate(specs, submitted, resolve)
    return refused.value.errors


VERDICT = FieldSpec("verdict", "审核结论", "enum", required=True, options=[("accept", "通过"), ("return", "退回")])
COMMENT = FieldSpec("comment", "退回意见", "string", constraints={"required_if": "verdict=return"})
PERCENT = FieldSpec("percent", "完成进度", "long", constraints={"min": "0", "max": "100"})


def test_a_required_field_left_empty_is_named_with_its_label():
    assert errors_of([text(required=True)], {"note": ""}) == {"note": "请填写“说明”"}
    assert errors_of([text(required=True)], {}) == {"note": "请填写“说明”"}


def test_an_optional_field_left_empty_is_left_out_of_the_cleaned_data():
    assert validate([text()], {"note": ""}) == {}


def test_text_is_stripped_and_anything_but_text_is_refused():
    assert validate([text()], {"note": "  按计划推进 "}) == {"note": "按计划推进"}
    assert errors_of([text()], {"note": 12}) == {"note": "“说明”应为文本"}


def test_required_if_makes_a_field_required_only_when_the_other_field_has_that_value():
    assert errors_of([VERDICT, COMMENT], {"verdict": "return"}) == {"comment": "请填写“退回意见”"}
    assert validate([VERDICT, COMMENT], {"verdict": "accept"}) == {"verdict": "accept"}
    assert validate([VERDICT, COMMENT], {"verdict": "return", "comment": "请补充"}) == {
        "verdict": "return", "comment": "请补充"}


def test_a_whole_number_is_taken_from_an_int_or_its_digits_within_its_bounds():
    assert validate([PERCENT], {"percent": 50}) == {"percent": 50}
    assert validate([PERCENT], {"percent": " 100 "}) == {"percent": 100}
    assert errors_of([PERCENT], {"percent": 101}) == {"percent": "“完成进度”不能大于 100"}
    assert errors_of([PERCENT], {"percent": "-1"}) == {"percent": "“完成进度”不能小于 0"}


@pytest.mark.parametrize("value", ["五十", "50.5", 50.5, True], ids=["chinese numeral", "decimal text", "float",
                                                                    "boolean"])
def test_anything_but_a_whole_number_is_refused_for_a_long_field(value):
    assert errors_of([PERCENT], {"percent": value}) == {"percent": "“完成进度”应为整数"}


def test_an_enum_takes_only_its_option_ids_and_lists_the_option_names_otherwise():
    assert validate([VERDICT], {"verdict": "accept"}) == {"verdict": "accept"}
    assert errors_of([VERDICT], {"verdict": "通过"}) == {"verdict": "“审核结论”只能选择：通过、退回"}


@pytest.mark.parametrize("value, cleaned", [(True, True), ("是", True), ("on", True), ("true", True),
                                            (False, False), ("否", False), ("0", False)])
def test_a_boolean_takes_yes_and_no_in_their_usual_spellings(value, cleaned):
    flag = FieldSpec("listed", "是否列入清单", "boolean")
    assert validate([flag], {"listed": value}) == {"listed": cleaned}


def test_a_boolean_refuses_anything_else():
    flag = FieldSpec("listed", "是否列入清单", "boolean")
    assert errors_of([flag], {"listed": "maybe"}) == {"listed": "“是否列入清单”应为“是”或“否”"}


def test_a_date_is_checked_and_kept_as_an_iso_string():
    due = FieldSpec("due", "整改期限", "date")
    assert validate([due], {"due": "2017-07-10"}) == {"due": "2017-07-10"}
    assert errors_of([due], {"due": "2017-06-31"}) == {"due": "“整改期限”应为有效日期，如 2017-06-20"}
    assert errors_of([due], {"due": "7月10日"}) == {"due": "“整改期限”应为有效日期，如 2017-06-20"}


def test_text_is_limited_by_maxlength_and_minlength():
    bounded = text(maxlength=5, minlength=2)
    assert validate([bounded], {"note": "五个字正好"}) == {"note": "五个字正好"}
    assert errors_of([bounded], {"note": "六个字超过了"}) == {"note": "“说明”不能超过 5 个字"}
    assert errors_of([bounded], {"note": "一"}) == {"note": "“说明”至少 2 个字"}


def test_text_without_a_maxlength_is_still_limited():
    assert validate([text()], {"note": "字" * MAX_TEXT}) == {"note": "字" * MAX_TEXT}
    assert errors_of([text()], {"note": "字" * (MAX_TEXT + 1)}) == {"note": f"“说明”不能超过 {MAX_TEXT} 个字"}


def test_fields_the_form_does_not_have_are_refused():
    assert errors_of([text()], {"note": "好", "score": 100}) == {"score": "表单中没有这个字段"}


def test_a_submission_that_is_not_a_mapping_is_refused_as_a_whole():
    assert errors_of([text()], ["note", "好"]) == {"_form": "提交的数据应为对象（字段名 → 值）"}


def test_a_readonly_field_is_never_taken_from_the_submission():
    shown = FieldSpec("project", "项目", "string", constraints={"readonly": ""})
    assert validate([shown, text()], {"project": "改过的项目", "note": "好"}) == {"note": "好"}


def test_every_broken_field_is_reported_at_once():
    assert set(errors_of([VERDICT, PERCENT, text()], {"verdict": "x", "percent": "x", "extra": 1})) == {
        "verdict", "percent", "extra"}


def test_units_are_taken_by_name_or_code_in_any_separator_without_repeats():
    invited = FieldSpec("units", "参会单位", "units")
    assert validate([invited], {"units": "区民政局、区房管局，minzhengju; 曹杨新村街道"}, resolve) == {
        "units": ["minzhengju", "fangguanju", "caoyang"]}
    assert validate([invited], {"units": ["区房管局", "区民政局"]}, resolve) == {"units": ["fangguanju", "minzhengju"]}


def test_unknown_units_are_named_in_the_error():
    invited = FieldSpec("units", "参会单位", "units")
    assert errors_of([invited], {"units": "区民政局、区不存在局、区外星局"}) == {
        "units": "“参会单位”中有不存在或类别不符的单位：区不存在局、区外星局"}
    assert errors_of([invited], {"units": "、，"}) == {"units": "“参会单位”至少要有一个单位"}


def test_action_items_are_read_from_lines_of_unit_task_and_date():
    decisions = FieldSpec("decisions", "决定事项", "action_items")
    cleaned = validate([decisions], {"decisions": "区民政局；牵头制定方案；2017-07-31\n\n区房管局|摸底调查|2017-08-15"},
                       resolve)
    assert cleaned == {"decisions": [
        {"position": 0, "unit": "minzhengju", "task": "牵头制定方案", "due_on": "2017-07-31"},
        {"position": 1, "unit": "fangguanju", "task": "摸底调查", "due_on": "2017-08-15"}]}


def test_action_items_may_also_come_as_a_list_of_mappings():
    decisions = FieldSpec("decisions", "决定事项", "action_items")
    cleaned = validate([decisions], {"decisions": [{"unit": "曹杨新村街道", "task": "排摸需求", "due_on": "2017-07-14"}]},
                       resolve)
    assert cleaned == {"decisions": [{"position": 0, "unit": "caoyang", "task": "排摸需求", "due_on": "2017-07-14"}]}


@pytest.mark.parametrize("lines, message", [
    ("区民政局；方案；2017-07-31\n区外星局；方案；2017-07-31", "第 2 项的承办单位“区外星局”不存在"),
    ("区民政局；方案；2017-02-30", "第 1 项的完成期限“2017-02-30”不是有效日期"),
    ("区民政局；；2017-07-31", "第 1 项应写成“承办单位；事项；完成期限”"),
    ("区民政局；方案；另行通知；2017-07-31", "第 1 项应写成“承办单位；事项；完成期限”"),
    ("区民政局；" + "事" * 501 + "；2017-07-31", "第 1 项的事项不能超过 500 个字"),
], ids=["unknown unit", "impossible date", "empty task", "four parts", "task too long"])
def test_a_bad_action_item_is_refused_with_its_position(lines, message):
    decisions = FieldSpec("decisions", "决定事项", "action_items")
    assert message in errors_of([decisions], {"decisions": lines})["decisions"]
