"""The 2017 plan file as converted from the notice: its projects, columns and due dates."""
from __future__ import annotations

from datetime import date

import pytest

from tools.convert_putuo_2017 import convert_file, split_columns
from workflows.plan.document import PlanFileError, parse_deadline
from workflows.plan.loading import DEFAULT_PLAN_FILE, read_plan_file


@pytest.fixture(scope="module")
def plan():
    return read_plan_file(DEFAULT_PLAN_FILE)


@pytest.fixture(scope="module")
def projects(plan):
    return {project.number: project for project in plan.projects}


def columns(project) -> tuple[list[str], list[str]]:
    return list(project.lead_units), list(project.responsible_units)


def test_the_2017_plan_has_55_projects_in_five_areas_each_with_a_lead_unit(plan):
    assert (plan.year, plan.issued_on) == (2017, date(2017, 6, 8))
    assert plan.title == "普陀区创新社会治理加强基层建设2017年重点工作项目安排"
    assert [project.number for project in plan.projects] == list(range(1, 56))
    assert [area.number for area in plan.areas] == [1, 2, 3, 4, 5]
    assert all(project.lead_units for project in plan.projects)


def test_an_area_heading_ends_at_the_first_full_stop_and_the_goal_follows(plan):
    first = plan.areas[0]
    assert first.heading == "在深化城市基层党建引领社区治理上持续用力"
    assert first.goal.startswith("围绕组织有活力") and first.goal.endswith("水平。")


def test_projects_belong_to_the_area_they_are_listed_under(projects):
    assert [projects[number].area for number in (1, 9, 10, 20, 21, 34, 35, 47, 48, 55)] == [1, 1, 2, 2, 3, 3, 4,
                                                                                            4, 5, 5]


def test_project_text_is_kept_exactly_as_in_the_notice(projects):
    assert projects[6].text.startswith("依托楼宇(园区)综合服务站点建设,进一步推进“两新”组织 “两个覆盖”")
    assert projects[45].text.endswith("提升社区物防、技防水平.开展“小微精特”项目;加强社区警务室建设。")
    assert all(project.party_work == "" for project in projects.values())


@pytest.mark.parametrize("number, due_on", [
    (2, date(2017, 12, 31)),   # 全年
    (4, date(2017, 10, 31)),   # 10月底前
    (5, date(2017, 5, 31)),    # 5月底前
    (7, date(2017, 6, 30)),    # 6月底前
    (21, date(2017, 3, 31)),   # 3月底前
    (22, date(2017, 10, 31)),  # 10月
    (49, date(2017, 6, 30)),   # 上半年
    (50, date(2017, 9, 30)),   # 9月底前
])
def test_a_deadline_as_written_gives_the_last_day_of_its_period(projects, number, due_on):
    assert (projects[number].due_on, projects[number].no_fixed_date) == (due_on, False)


def test_projects_waiting_for_the_city_have_no_fixed_date(projects):
    for number in (1, 30):
        assert (projects[number].due_on, projects[number].no_fixed_date) == (None, True)
    assert [number for number, project in projects.items() if project.no_fixed_date] == [1, 30]


def test_the_second_half_of_the_year_ends_on_31_december_and_unknown_wording_is_refused():
    assert parse_deadline("下半年", 2018) == (date(2018, 12, 31), False)
    assert parse_deadline("2月底前", 2020) == (date(2020, 2, 29), False)
    with pytest.raises(PlanFileError, match="尽快"):
        parse_deadline("尽快", 2017)


def test_a_repeated_unit_starts_the_responsible_column(projects):
    assert columns(projects[17]) == (["区人社局", "区社区办"], ["区人社局", "区社区办"])
    assert columns(projects[49]) == (["区委组织部"], ["区委组织部", "区社区办", "各街道、镇"])
    assert columns(projects[52]) == (["区人社局"], ["区人社局"])
    assert columns(projects[54]) == (["区民政局"], ["区民政局"])


def test_an_extra_blank_line_is_the_column_break(projects):
    assert columns(projects[36]) == (["各街道、镇"], [])
    assert columns(projects[42]) == (["区科委"], ["区公安分局", "区房管局", "区网格中心"])


def test_a_cell_naming_several_units_becomes_separate_units(projects):
    assert columns(projects[37]) == (["区房管局"], ["区建交委", "消防支队", "市北供电公司", "市城投水务集团供水分公司",
                                                   "各街道、镇"])
    assert columns(projects[20])[1] == ["区农办", "区集资委", "区民政局", "区人社局", "长征镇", "桃浦镇"]
    assert columns(projects[16])[1][-2:] == ["相关委办局", "各街道、镇"]


def test_without_a_repeat_or_a_gap_the_first_unit_leads_and_the_office_is_asked_to_check(projects):
    assert columns(projects[10]) == (["区司法局"], ["区法制办", "区民政局", "各街道、镇"])
    decided = [number for number, project in projects.items() if not project.read_by_fallback]
    assert decided == [17, 36, 42, 49, 52, 54]


def test_the_double_blank_lines_between_rows_are_not_column_breaks(projects):
    for number in (5, 6, 15, 16, 27, 28, 39, 40, 45, 46):
        assert projects[number].read_by_fallback and len(projects[number].lead_units) == 1


def test_a_gap_before_the_first_unit_cell_does_not_split_the_columns():
    cells = [(["区委组织部"], 2), (["区社工委"], 1), (["各街道、镇"], 1)]
    assert split_columns(cells, 1) == (["区委组织部"], ["区社工委", "各街道、镇"], True)


def test_running_the_converter_again_gives_exactly_the_committed_plan_file():
    assert convert_file() == DEFAULT_PLAN_FILE.read_text(encoding="utf-8")
