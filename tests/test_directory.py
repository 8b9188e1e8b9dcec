"""The unit directory: units.yaml loaded into the database, looked up, and cells split into units."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from workflows.directory.units import (DirectoryError, find_unit, load_directory, read_units_file, split_unit_cell,
                                 units_as_json)
from workflows.directory.models import Unit, UnitMembership

STREETS_AND_TOWNS = {"caoyang", "changfeng", "changshou", "ganquan", "shiquan", "yichuan", "zhenru", "wanli",
                     "changzheng", "taopu"}
VAGUE_GROUPS = ("区相关委办局", "相关职能部门", "区联席会议各成员单位", "各党(工)委、党委", "各街道、镇党(工)委")
PROJECT_37_CELL = "区建交委、消防支队、市北供电公司、市城投水务集团供水分公司和各街道、镇"


@pytest.fixture
def units(db):
    load_directory(db)
    db.commit()
    return {unit["code"]: unit for unit in units_as_json(db)}


def by_name(units: dict, name: str) -> dict:
    return next(unit for unit in units.values() if unit["name"] == name)


def test_the_directory_has_the_promotion_office_and_the_supervision_section(units):
    assert units["tuijinban"]["name"] == "区推进办" and units["tuijinban"]["kind"] == "office"
    assert units["duchake"]["name"] == "区委区政府督查科" and units["duchake"]["kind"] == "supervision"


def test_the_ten_streets_and_towns_of_2017_are_the_members_of_each_street_and_town(units):
    group = by_name(units, "各街道、镇")
    assert group["kind"] == "group" and not group["members_set_by_office"]
    assert set(group["members"]) == STREETS_AND_TOWNS
    assert {units[code]["kind"] for code in STREETS_AND_TOWNS} == {"street", "town"}
    assert all(group["code"] in units[code]["groups"] for code in STREETS_AND_TOWNS)


def test_each_street_means_the_eight_streets_without_the_towns(units):
    assert set(by_name(units, "各街道")["members"]) == STREETS_AND_TOWNS - {"changzheng", "taopu"}


def test_vague_groups_have_their_members_set_by_the_office(units):
    for name in VAGUE_GROUPS:
        group = by_name(units, name)
        assert group["kind"] == "group" and group["members_set_by_office"] and group["members"] == []


def test_unit_codes_are_unique_short_ascii_usernames():
    codes = [entry.code for entry in read_units_file()]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z0-9_]{2,30}", code) for code in codes)


def test_mass_organisations_are_the_trade_union_the_womens_federation_and_the_youth_league(units):
    mass = {unit["name"] for unit in units.values() if unit["kind"] == "mass_organisation"}
    assert mass == {"区总工会", "区妇联", "区团委"}


def test_a_unit_is_found_by_its_name_or_by_an_alias(db, units):
    assert find_unit(db, "区城管执法局(区拆违办)").code == "chengguanju"
    assert find_unit(db, "区城管执法局（区拆违办）").code == "chengguanju"
    assert find_unit(db, "相关委办局").code == find_unit(db, "区相关委办局").code
    assert find_unit(db, "各党工委、党委").code == find_unit(db, "各党(工)委、党委").code
    assert find_unit(db, "区外星局") is None


def test_project_37s_cell_splits_into_five_units_keeping_each_street_and_town_whole(db, units):
    names = [unit.name for unit in split_unit_cell(db, PROJECT_37_CELL)]
    assert names == ["区建交委", "消防支队", "市北供电公司", "市城投水务集团供水分公司", "各街道、镇"]


def test_a_cell_of_vague_groups_and_streets_splits_on_the_longest_names(db, units):
    assert [unit.code for unit in split_unit_cell(db, "相关职能部门、各街道、镇")] == ["xiangguanbumen",
                                                                                   "gejiedaozhen"]
    assert [unit.code for unit in split_unit_cell(db, "区社工委、各街道、镇党(工)委")] == ["shegongwei",
                                                                                     "jiezhendangwei"]


def test_a_cell_naming_an_unknown_unit_is_refused_with_that_name(db, units):
    with pytest.raises(DirectoryError, match="区外星局"):
        split_unit_cell(db, "区民政局、区外星局和各街道、镇")


def test_loading_the_directory_twice_changes_nothing(db, units):
    before = units_as_json(db)
    load_directory(db)
    assert not db.dirty and not db.new and not db.deleted
    db.commit()
    assert units_as_json(db) == before


def test_loading_the_directory_keeps_the_members_the_office_chose(db, units):
    group = db.get(Unit, "xiangguanweibanju")
    group.members = [db.get(Unit, "minzhengju"), db.get(Unit, "fangguanju")]
    db.commit()
    load_directory(db)
    db.commit()
    members = db.scalars(select(UnitMembership.member_code).where(UnitMembership.group_code == group.code))
    assert sorted(members) == ["fangguanju", "minzhengju"]


def test_a_directory_file_with_a_repeated_code_is_refused(tmp_path):
    path = tmp_path / "units.yaml"
    path.write_text("units:\n  - {code: a1, name: 甲局, kind: department}\n"
                    "  - {code: a1, name: 乙局, kind: department}\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match="a1"):
        read_units_file(path)


def test_a_unit_code_ending_in_a_newline_is_refused():
    from workflows.directory.units import _entry

    with pytest.raises(DirectoryError, match="代码"):
        _entry({"code": "abc\n", "name": "区某局", "kind": "department"}, 1)
