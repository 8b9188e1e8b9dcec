"""The administration pages: unit groups, users and plan import, for the office and the administrator only."""
from __future__ import annotations

import html
import io
import re
from datetime import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.web_support import db, ensure_user, login_as, post_form, sign_in, text  # noqa: F401
from workflows.accounts.users import find_user
from workflows.directory.models import Unit
from workflows.directory.units import load_directory
from workflows.plan.models import Plan, Project

PLAN_2018 = """\
序号,项目,牵头单位,责任单位,完成时间
,一、在加强基层队伍建设上持续用力,,,
1,第一个项目。,区民政局、区人社局,各街道、镇,9月底前
2,第二个项目。,区城管执法局,,年底
3,第三个项目。,区环保局,相关委办局,长期
"""
PLAN_FORM = {"year": "2018", "title": "普陀区2018年重点工作项目安排", "issued_on": "2018-03-01"}
ADMIN_URLS = [("GET", "/admin"), ("GET", "/admin/units"), ("GET", "/admin/units/xiangguanweibanju"),
              ("POST", "/admin/units/xiangguanweibanju"), ("GET", "/admin/users"), ("POST", "/admin/users"),
              ("POST", "/admin/users/1/password"), ("POST", "/admin/users/1/active"), ("GET", "/admin/plans"),
              ("POST", "/admin/plans/preview"), ("POST", "/admin/plans/confirm")]


@pytest.fixture
def directory(db):
    load_directory(db)
    db.commit()


@pytest.fixture
def office(directory, login_as):
    return login_as("office", unit="tuijinban", role="office")


def upload(client, content: bytes, filename: str = "plan.csv", **form):
    data = {**PLAN_FORM, **form, "file": (io.BytesIO(content), filename)}
    return post_form(client, "/admin/plans", "/admin/plans/preview", data)


def carried_plan(page: str) -> str:
    return html.unescape(re.search(r'name="plan" value="([^"]*)"', page).group(1))


def plans_of(db, year: int = 2018) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Plan).where(Plan.year == year))


# --- who may use the pages --------------------------------------------------------------------


@pytest.mark.parametrize("role, unit", [("unit", "minzhengju"), ("supervisor", "duchake"), ("auditor", "tuijinban")])
def test_everyone_but_the_office_and_the_administrator_gets_403_on_every_admin_page(directory, login_as, role, unit):
    client = login_as(f"someone_{role}", unit=unit, role=role)

    for method, url in ADMIN_URLS:
        if method == "GET":
            response = client.get(url)
        else:
            response = post_form(client, "/inbox", url, {"password": "longenough", "members": "caoyang"})
        assert response.status_code == 403, (method, url)
    assert "管理页面只有区推进办和系统管理员可以使用" in text(client.get("/admin"))
    assert 'href="/admin"' not in text(client.get("/inbox"))


def test_the_office_and_the_administrator_see_the_admin_link_and_pages(office, login_as):
    admin = login_as("admin", unit="tuijinban", role="admin")

    for client in (office, admin):
        assert 'href="/admin"' in text(client.get("/inbox"))
        for url in ("/admin", "/admin/units", "/admin/users", "/admin/plans"):
            assert client.get(url).status_code == 200, url


# --- users ------------------------------------------------------------------------------------


def test_the_office_creates_a_user_who_can_then_sign_in(app, db, office):
    response = post_form(office, "/admin/users", "/admin/users", {
        "username": "wang.li", "display_name": "王丽", "unit_code": "minzhengju", "role": "unit",
        "password": "password123"})

    assert response.status_code == 302
    assert find_user(db, "wang.li").display_name == "王丽"
    assert sign_in(app.test_client(), "wang.li", "password123").status_code == 302


def test_a_password_shorter_than_eight_characters_is_refused_with_the_field_named(db, office):
    response = post_form(office, "/admin/users", "/admin/users", {
        "username": "wang.li", "unit_code": "minzhengju", "role": "unit", "password": "short"})

    assert response.status_code == 422 and "密码至少 8 个字符" in text(response)
    assert find_user(db, "wang.li") is None


def test_a_taken_username_or_a_group_as_unit_is_refused(db, office):
    taken = post_form(office, "/admin/users", "/admin/users", {
        "username": "office", "unit_code": "tuijinban", "role": "office", "password": "password123"})
    group = post_form(office, "/admin/users", "/admin/users", {
        "username": "zu", "unit_code": "gejiedaozhen", "role": "unit", "password": "password123"})

    assert taken.status_code == 422 and "用户名“office”已存在" in text(taken)
    assert group.status_code == 422 and "单位代码“gejiedaozhen”不存在" in text(group)


def test_the_office_cannot_create_an_administrator(db, office):
    response = post_form(office, "/admin/users", "/admin/users", {
        "username": "boss", "unit_code": "tuijinban", "role": "admin", "password": "password123"})

    assert response.status_code == 403 and "只有系统管理员可以创建系统管理员账号" in text(response)
    assert find_user(db, "boss") is None


def test_resetting_a_password_replaces_the_old_one(app, db, office):
    user = ensure_user(db, "minzhengju", "minzhengju")

    response = post_form(office, "/admin/users", f"/admin/users/{user.id}/password", {"password": "brand-new-pw"})

    assert response.status_code == 302
    assert sign_in(app.test_client(), "minzhengju", "brand-new-pw").status_code == 302
    assert sign_in(app.test_client(), "minzhengju").status_code == 401  # the old password no longer works


def test_a_deactivated_user_cannot_sign_in_and_loses_an_open_session(app, db, office, login_as):
    clerk = login_as("minzhengju")
    user = find_user(db, "minzhengju")

    response = post_form(office, "/admin/users", f"/admin/users/{user.id}/active", {"active": "0"})

    assert response.status_code == 302
    db.expire_all()
    assert find_user(db, "minzhengju").active is False
    assert "该账号已停用" in text(sign_in(app.test_client(), "minzhengju"))
    assert clerk.get("/inbox").status_code == 302  # back to the login page
    post_form(office, "/admin/users", f"/admin/users/{user.id}/active", {"active": "1"})
    assert sign_in(app.test_client(), "minzhengju").status_code == 302


def test_nobody_can_deactivate_their_own_account(db, office):
    me = find_user(db, "office")

    response = post_form(office, "/admin/users", f"/admin/users/{me.id}/active", {"active": "0"})

    assert response.status_code == 409 and "不能停用自己正在使用的账号" in text(response)
    db.expire_all()
    assert find_user(db, "office").active is True


def test_an_unknown_user_is_404(office):
    response = post_form(office, "/admin/users", "/admin/users/9999/password", {"password": "password123"})

    assert response.status_code == 404


# --- units and groups -------------------------------------------------------------------------


def members_of(db, code: str) -> list[str]:
    db.expire_all()
    return [unit.code for unit in db.get(Unit, code).members]


def test_the_office_sets_the_members_of_the_district_bodies_group(db, office):
    response = post_form(office, "/admin/units/xiangguanweibanju", "/admin/units/xiangguanweibanju",
                         {"members": ["minzhengju", "fangguanju"]})

    assert response.status_code == 302
    assert members_of(db, "xiangguanweibanju") == ["fangguanju", "minzhengju"]
    assert "区房管局、区民政局" in text(office.get("/admin/units"))


def test_a_street_cannot_be_one_of_the_district_bodies(db, office):
    response = post_form(office, "/admin/units/xiangguanweibanju", "/admin/units/xiangguanweibanju",
                         {"members": ["minzhengju", "caoyang"]})

    assert response.status_code == 422
    assert "“曹杨新村街道”（街道）不能作为“区相关委办局”的成员" in text(response)
    assert members_of(db, "xiangguanweibanju") == []


def test_a_fixed_group_or_a_plain_unit_has_no_members_to_set(db, office):
    fixed = post_form(office, "/admin/units/gejiedaozhen", "/admin/units/gejiedaozhen", {"members": ["minzhengju"]})
    plain = post_form(office, "/admin/units/minzhengju", "/admin/units/minzhengju", {"members": ["caoyang"]})

    assert fixed.status_code == 409 and "固定单位组" in text(fixed)
    assert plain.status_code == 409 and "不是单位组" in text(plain)
    assert "minzhengju" not in members_of(db, "gejiedaozhen")
    assert office.get("/admin/units/nowhere").status_code == 404


# --- plans ------------------------------------------------------------------------------------


def test_a_csv_plan_is_previewed_without_writing_and_written_on_confirmation(db, office):
    preview = upload(office, PLAN_2018.encode("utf-8-sig"))

    page = text(preview)
    assert preview.status_code == 200 and "新增 3 项" in page and 'id="created-3"' in page
    assert plans_of(db) == 0

    confirmed = post_form(office, "/admin/plans", "/admin/plans/confirm", {"plan": carried_plan(page)})

    assert confirmed.status_code == 302
    assert plans_of(db) == 1
    assert "新增 3 项" in text(office.get("/admin/plans"))
    numbers = db.scalars(select(Project.number).join(Plan).where(Plan.year == 2018)).all()
    assert sorted(numbers) == [1, 2, 3]


def test_an_xlsx_plan_and_a_gb18030_csv_are_previewed_alike(db, office):
    workbook = Workbook()
    for row in PLAN_2018.replace('"', "").splitlines():
        workbook.active.append(row.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)

    from_xlsx = upload(office, buffer.getvalue(), "plan.xlsx")
    from_gb18030 = upload(office, PLAN_2018.encode("gb18030"))

    assert from_xlsx.status_code == 200 and from_gb18030.status_code == 200
    assert carried_plan(text(from_xlsx)) == carried_plan(text(from_gb18030))


def test_row_errors_are_listed_with_their_rows_and_nothing_is_written(db, office):
    table = PLAN_2018.replace("区环保局", "区某某局").replace("年底", "明年").replace("第一个项目。", "")

    response = upload(office, table.encode("utf-8"))

    page = text(response)
    assert response.status_code == 422
    assert "第 3 行“项目”：缺少项目内容" in page
    assert "第 4 行“完成时间”：无法识别的完成时间“明年”" in page
    assert "第 5 行“牵头单位”：找不到单位“区某某局”" in page
    assert plans_of(db) == 0


def test_a_duplicate_number_or_a_missing_header_column_is_refused(db, office):
    duplicate = upload(office, PLAN_2018.replace("2,第二个", "1,第二个").encode())
    no_deadline = upload(office, "序号,项目,牵头单位,责任单位\n1,项目。,区民政局,\n".encode())

    assert duplicate.status_code == 422 and "第 4 行“序号”：序号 1 与第 3 行重复" in text(duplicate)
    assert no_deadline.status_code == 422 and "表头缺少“完成时间”列" in text(no_deadline)
    assert plans_of(db) == 0


def test_an_oversize_file_and_a_bad_form_are_refused(db, office):
    oversize = upload(office, b"x" * (2 * 1024 * 1024 + 1))
    bad_year = upload(office, PLAN_2018.encode(), year="明年")

    assert oversize.status_code == 422 and "文件超过 2 MB" in text(oversize)
    assert bad_year.status_code == 422 and "年度应是 2000–2100 之间的整数" in text(bad_year)
    assert plans_of(db) == 0


def test_a_tampered_confirmation_is_checked_again_and_refused(db, office):
    page = text(upload(office, PLAN_2018.encode()))
    tampered = carried_plan(page).replace("区环保局", "区某某局")

    response = post_form(office, "/admin/plans", "/admin/plans/confirm", {"plan": tampered})
    garbage = post_form(office, "/admin/plans", "/admin/plans/confirm", {"plan": "not json"})

    assert response.status_code == 422 and "第 5 行：未知单位“区某某局”" in text(response)
    assert garbage.status_code == 422 and "预览数据已损坏" in text(garbage)
    assert plans_of(db) == 0


def test_an_activated_plan_is_not_changed_by_an_import(db, office):
    carried = carried_plan(text(upload(office, PLAN_2018.encode())))
    post_form(office, "/admin/plans", "/admin/plans/confirm", {"plan": carried})
    db.expire_all()
    db.scalar(select(Plan).where(Plan.year == 2018)).activated_at = datetime(2018, 3, 1, 9, 0)
    db.commit()

    preview = upload(office, PLAN_2018.replace("9月底前", "6月底前").encode())
    confirm = post_form(office, "/admin/plans", "/admin/plans/confirm", {"plan": carried})

    assert preview.status_code == 409 and "2018年计划已于 2018-03-01 启动" in text(preview)
    assert confirm.status_code == 409
