"""The working-day calendar the office keeps: 2027 and later are counted from the office's entries (the page or
the State Council's notice imported from a file), and a year nobody entered is counted Monday to Friday only
with a warning: a GuessedWorkdays warning for callers and a banner on the office's pages."""
from __future__ import annotations

import warnings
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from engine import Clock
from tests.web_support import db, login_as, post_form, text  # noqa: F401
from workflows import runtime, workdays
from workflows.directory.units import load_directory
from workflows.holidays import book
from workflows.holidays.models import CalendarDay, CalendarYear
from workflows.workdays import GuessedWorkdays, add_workdays, is_workday, workdays_between

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_2027 = ROOT / "workflows" / "holidays" / "notices" / "2027-example.csv"


@pytest.fixture(autouse=True)
def calendar_of_the_package_alone():
    """Each test starts, and leaves the process, with the package's tables alone (no other test's 2027)."""
    book.forget()
    yield
    book.forget()


@pytest.fixture
def office(db, login_as):  # noqa: F811
    load_directory(db)
    db.commit()
    return login_as("office", unit="tuijinban", role="office")


def notice(tmp_path, body: str) -> Path:
    path = tmp_path / "2027.csv"
    path.write_text(body, encoding="utf-8")
    return path


def set_clock(db, when: datetime) -> None:  # noqa: F811
    Clock(db, ZoneInfo("Asia/Shanghai")).set(when)
    db.commit()


def days_stored(db) -> int:  # noqa: F811
    db.expire_all()
    return db.scalar(select(func.count()).select_from(CalendarDay))


def test_without_2027_in_the_calendar_a_deadline_is_counted_monday_to_friday_and_says_so():
    with pytest.warns(GuessedWorkdays, match="2027 年的节假日和调休安排尚未完整录入"):
        assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert not workdays.year_known(2027) and workdays.year_known(2026)


def test_the_years_the_package_knows_are_counted_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", GuessedWorkdays)
        assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_after_importing_2027_a_one_day_deadline_from_new_years_eve_is_monday_the_fourth(runner, db):  # noqa: F811
    result = runner.invoke(args=["calendar", "import", str(EXAMPLE_2027)])
    assert result.exit_code == 0, result.output
    assert "已导入 2027 年：放假 13 天，调休上班 0 天（已标为完整）" in result.output

    runtime.process_engine(db)  # as every request and worker sweep does: the calendar is read afresh
    with warnings.catch_warnings():
        warnings.simplefilter("error", GuessedWorkdays)
        assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
        assert runtime.add_workdays("2026-12-31", 1) == "2027-01-04"  # what diagram code calls
        assert not is_workday(date(2027, 2, 8))  # 正月初三, a Monday
        assert workdays_between(date(2027, 2, 4), date(2027, 2, 9)) == 1
    assert workdays.year_known(2027)


def test_a_make_up_workday_on_a_weekend_counts_and_a_draft_import_leaves_the_year_unknown(runner, db, tmp_path):  # noqa: F811
    path = notice(tmp_path, "2027-02-05,休,春节\n2027-02-20，班，春节调休\n")
    result = runner.invoke(args=["calendar", "import", str(path), "--draft"])
    assert result.exit_code == 0 and "草稿" in result.output

    runtime.process_engine(db)
    assert is_workday(date(2027, 2, 20))  # a Saturday
    assert not workdays.year_known(2027)
    with pytest.warns(GuessedWorkdays):
        is_workday(date(2027, 3, 1))


@pytest.mark.parametrize("body, message", [
    ("2027-01-01,休,元旦\n2027-13-01,休,元旦\n", "第 2 行：日期“2027-13-01”不是 YYYY-MM-DD 格式的日期"),
    ("# 2027\n2027-01-01,放,元旦\n", "第 2 行：类型“放”应为“休”（放假）或“班”（调休上班）"),
    ("2027-01-01,休\n", "第 1 行“2027-01-01,休”应为“日期,休或班,名称”三项"),
    ("2027-01-01,休,元旦\n2027-01-01,休,元旦\n", "第 2 行：日期 2027-01-01 已在第 1 行出现"),
    ("2027-01-01,休,\n", "第 1 行：名称应为 1–50 个字"),
    ("# nothing\n\n", "文件中没有任何日期行"),
], ids=["bad date", "bad kind", "two fields", "repeated day", "no name", "no days"])
def test_a_bad_notice_file_exits_1_naming_the_line_and_stores_nothing(runner, db, tmp_path, body, message):  # noqa: F811
    result = runner.invoke(args=["calendar", "import", str(notice(tmp_path, body))])
    assert result.exit_code == 1 and message in result.output
    assert days_stored(db) == 0


def test_a_notice_file_that_is_not_utf8_is_refused(runner, db, tmp_path):  # noqa: F811
    path = tmp_path / "gbk.csv"
    path.write_bytes("2027-01-01,休,元旦\n".encode("gbk"))
    result = runner.invoke(args=["calendar", "import", str(path)])
    assert result.exit_code == 1 and "不是 UTF-8 编码" in result.output and days_stored(db) == 0


def test_importing_a_year_again_replaces_the_offices_days_of_that_year(runner, db, tmp_path):  # noqa: F811
    runner.invoke(args=["calendar", "import", str(EXAMPLE_2027)])
    result = runner.invoke(args=["calendar", "import", str(notice(tmp_path, "2027-01-01,休,元旦\n"))])
    assert result.exit_code == 0 and days_stored(db) == 1
    shown = runner.invoke(args=["calendar", "show", "2027"]).output
    assert "2027 年（已完整录入）" in shown and "2027-01-01,休,元旦  # 办公室录入" in shown


def test_the_office_sees_every_year_with_its_source_and_whether_it_is_complete(office, runner):
    runner.invoke(args=["calendar", "import", str(EXAMPLE_2027), "--draft"])
    page = text(office.get("/admin/calendar"))
    assert "chinese-calendar 1.11.0（国务院历年通知，内置）" in page and 'id="year-2004"' in page
    row_2027 = page[page.index('id="year-2027"'):].split("</tr>")[0]
    assert "导入文件 2027-example.csv" in row_2027 and "未完整录入，按周一至周五推算" in row_2027


def test_the_banner_names_next_year_until_the_office_marks_it_complete(office, db):  # noqa: F811
    set_clock(db, datetime(2026, 12, 1, 9, 0))
    assert "2027 年的节假日和调休安排尚未完整录入工作日历" in text(office.get("/inbox"))

    assert post_form(office, "/admin/calendar", "/admin/calendar/days",
                     {"day": "2027-02-08", "kind": "休", "name": "春节"}).status_code == 302
    assert "2027 年的节假日和调休安排尚未完整录入工作日历" in text(office.get("/inbox"))  # one day is not the year
    assert post_form(office, "/admin/calendar/2027", "/admin/calendar/2027/complete",
                     {"complete": "1"}).status_code == 302
    assert "尚未完整录入工作日历" not in text(office.get("/inbox"))
    assert not is_workday(date(2027, 2, 8))


def test_the_office_sets_and_clears_a_day_on_the_page(office, db):  # noqa: F811
    response = post_form(office, "/admin/calendar", "/admin/calendar/days",
                         {"day": "2026-12-31", "kind": "休", "name": "区内调整"})
    assert response.status_code == 302 and response.location.endswith("/admin/calendar/2026")
    year_page = text(office.get("/admin/calendar/2026"))
    assert "2026-12-31" in year_page and "区内调整" in year_page and "办公室录入" in year_page
    runtime.process_engine(db)
    assert not is_workday(date(2026, 12, 31))

    assert post_form(office, "/admin/calendar/2026", "/admin/calendar/days/clear",
                     {"day": "2026-12-31"}).status_code == 302
    runtime.process_engine(db)
    assert is_workday(date(2026, 12, 31)) and days_stored(db) == 0
    assert "区内调整" not in text(office.get("/admin/calendar/2026"))


@pytest.mark.parametrize("form, message", [
    ({"day": "2027-02-30", "kind": "休", "name": "春节"}, "日期“2027-02-30”不是 YYYY-MM-DD 格式的日期"),
    ({"day": "2027-02-08", "kind": "X", "name": "春节"}, "类型“X”应为"),
    ({"day": "2027-02-08", "kind": "休", "name": ""}, "名称应为 1–50 个字"),
    ({"day": "9999-02-08", "kind": "休", "name": "春节"}, "年份不在 2000–2100 之间"),
], ids=["no such date", "bad kind", "no name", "far year"])
def test_a_bad_day_on_the_page_is_a_422_naming_the_field_and_stores_nothing(office, db, form, message):  # noqa: F811
    response = post_form(office, "/admin/calendar", "/admin/calendar/days", form)
    assert response.status_code == 422 and message in text(response)
    assert days_stored(db) == 0


def test_the_page_refuses_bad_urls_and_bad_files_without_a_500(office, db):  # noqa: F811
    import io

    assert office.get("/admin/calendar/99999").status_code == 404
    assert post_form(office, "/admin/calendar", "/admin/calendar/days/clear", {"day": "2027-02-30"}).status_code == 422
    assert post_form(office, "/admin/calendar", "/admin/calendar/days/clear", {"day": "2027-02-08"}).status_code == 404
    assert post_form(office, "/admin/calendar", "/admin/calendar/2026/complete", {"complete": "0"}).status_code == 422
    assert post_form(office, "/admin/calendar", "/admin/calendar/2027/complete", {"complete": "x"}).status_code == 422
    bad = post_form(office, "/admin/calendar", "/admin/calendar/import",
                    {"file": (io.BytesIO("2027-01-01,休,元旦\n2027-01-02,休\n".encode()), "2027.csv")})
    assert bad.status_code == 422 and "第 2 行" in text(bad) and days_stored(db) == 0
    good = post_form(office, "/admin/calendar", "/admin/calendar/import",
                     {"file": (io.BytesIO(EXAMPLE_2027.read_bytes()), "2027.csv")})
    assert good.status_code == 302 and days_stored(db) == 13
    db.expire_all()
    assert db.get(CalendarYear, 2027).complete


def test_only_the_office_and_the_administrator_keep_the_calendar_and_see_the_banner(office, db, login_as):  # noqa: F811
    set_clock(db, datetime(2026, 12, 1, 9, 0))
    clerk = login_as("zuzhibu", unit="zuzhibu")
    assert clerk.get("/admin/calendar").status_code == 403
    assert "尚未完整录入工作日历" in text(office.get("/inbox"))
    assert "尚未完整录入工作日历" not in text(clerk.get("/inbox"))
