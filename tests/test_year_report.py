"""The year-end evaluation report after a played 2017: the PDF's text and fonts (read with poppler), one project's
PDF, the summary tables as CSV and XLSX, an empty year, and who may download them.

The year is played once for the module (about two minutes); every figure checked is computed here from the
record tables, independently of workflows/year_report.py."""
from __future__ import annotations

import csv
import re
import io
import subprocess
from datetime import date, datetime
from statistics import mean

import pikepdf
import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import select

from tests.process_support import Driver, prepared_app
from tests.web_support import db, login_as  # noqa: F401
from tests.year_support import LATE_IN_Q3, play_year
from workflows.cases import opening as cases
from workflows.plan import loading as plans
from workflows.plan.models import Plan, Project
from workflows.records.models import ConsultationInvitation, Evaluation, ProjectCompletion, QuarterlyReport
from workflows.workdays import workdays_between

TITLE = "2017年度重点工作评估报告"
CHECK = {"project": "2017-05", "subject": "旧住房综合改造推进情况", "requirements": "说明开工户数和资金到位情况",
         "answer_due": "2017-06-20"}


def set_clock(driver: Driver, day: date) -> None:
    driver.engine.clock.set(datetime.combine(day, datetime.min.time()).replace(hour=9))
    driver.session.commit()


def consult_and_check_before_the_plan_starts(driver: Driver) -> None:
    """A consultation answered over a few working days and a supervision check, all closed before activation
    (the year's player only answers the plan's own tasks)."""
    set_clock(driver, date(2017, 6, 1))
    instance = cases.raise_consultation(driver.session, driver.engine, "caoyang", {
        "description": "曹杨路积水点改造涉及排水管网", "place": "曹杨路兰溪路口",
        "invited_departments": ["minzhengju", "fangguanju"]}, actor="caoyang")
    driver.session.commit()
    driver.complete(driver.task(name="分派约请部门", instance_id=instance.id), {})
    set_clock(driver, date(2017, 6, 5))
    for department in ("minzhengju", "fangguanju"):
        driver.complete(driver.task(name="签收约请", unit=department), {"signer": "王科长", "signer_phone": "52564588"})
    set_clock(driver, date(2017, 6, 7))
    for department in ("minzhengju", "fangguanju"):
        driver.complete(driver.task(name="答复约请", unit=department),
                        {"reply_kind": "plan", "reply_text": "已列入排水管网改造计划"})
    for task in driver.tasks(name="评价答复"):
        driver.complete(task, {"rating": "satisfied"})
    cases.open_check(driver.session, driver.engine, CHECK, actor="duchake")
    driver.session.commit()
    driver.complete(driver.task(name="反馈督查事项"), {"answer": "已开工1200户，资金已拨付"})
    driver.complete(driver.task(name="作出督查结论"), {"finding": "satisfactory", "finding_note": "进度符合序时要求"})
    assert driver.tasks() == []
    set_clock(driver, date(2017, 6, 8))


def load_empty_2018_plan(session) -> None:
    """Three of 2017's projects as a 2018 plan that is loaded but never activated."""
    document = yaml.safe_load(plans.DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    document.update(year=2018, title="普陀区2018年重点工作项目安排", issued_on=date(2018, 3, 1),
                    projects=[{**project, "due_on": None} for project in document["projects"][:3]])
    plans.load_plan_data(session, plans.read_plan_document(document))
    session.commit()


def the_year_and_an_empty_2018(driver: Driver) -> None:
    """Consultations and a check before the plan starts, the played 2017, and an empty 2018 plan."""
    consult_and_check_before_the_plan_starts(driver)
    play_year(driver)
    load_empty_2018_plan(driver.session)


@pytest.fixture(scope="module")
def app(database_url):
    """One app for the module on a database holding the played 2017 and an empty 2018."""
    with prepared_app(database_url, the_year_and_an_empty_2018) as application:
        yield application


def pdf_text(content: bytes, tmp_path) -> str:
    """The PDF's text with all white space removed, so that line breaks inside table cells do not matter."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True)
    return "".join(text.stdout.split())


def pdf_pages(content: bytes, tmp_path, *, layout: bool = False) -> list[str]:
    """Each page's text (pdftotext ends every page with a form feed): white space removed, or, with ``layout``,
    in lines as the page shows them."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"],
                          capture_output=True, check=True, text=True)
    pages = text.stdout.split("\f")[:-1]
    return pages if layout else ["".join(page.split()) for page in pages]


def destination_pages(content: bytes) -> dict[str, int]:
    """The PDF's named destinations: anchor name -> page index (0 is the cover)."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        return {name: pages[target[0].objgen] for name, target in pikepdf.NameTree(pdf.Root.Names.Dests).items()}


def pdf_fonts(content: bytes, tmp_path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) for every font of the PDF, as pdffonts lists them."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    return [(row[0], row[-5]) for row in rows]


def project(db, number: int, year: int = 2017) -> Project:
    return db.scalar(select(Project).join(Plan).where(Plan.year == year, Project.number == number))


@pytest.fixture(scope="module")
def year_pdf(app):
    """The 2017 PDF as the auditor downloads it (rendered once for the module's checks)."""
    from tests.web_support import ensure_user, signed_in_client
    from web.core.db import new_session

    with app.app_context():
        session = new_session()
        ensure_user(session, "auditor", "tuijinban", "auditor")
        session.close()
    return signed_in_client(app, "auditor").get("/reports/year-end/2017.pdf")


def test_the_auditor_downloads_the_year_pdf_under_a_chinese_file_name(year_pdf):
    assert year_pdf.status_code == 200 and year_pdf.mimetype == "application/pdf"
    assert year_pdf.data.startswith(b"%PDF")
    disposition = year_pdf.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''2017%E5%B9%B4" in disposition  # 2017年…


def test_the_year_pdf_shows_the_cover_contents_and_the_projects_in_chinese(year_pdf, db, tmp_path):
    text = pdf_text(year_pdf.data, tmp_path)
    assert TITLE in text and "目录" in text and "附录逾期事项" in text
    for number in (1, 14, 37, 55):
        assert project(db, number).text[:16] in text, number
    assert "第2页/共" in text  # the cover has no page number


def test_every_page_but_the_cover_is_numbered_out_of_the_total(year_pdf, tmp_path):
    pages = pdf_pages(year_pdf.data, tmp_path)
    assert len(pages) > 55 and "页/共" not in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        assert text.endswith(f"第{number}页/共{len(pages)}页"), (number, text[-30:])


def test_the_project_list_gives_the_page_on_which_each_projects_section_begins(year_pdf, tmp_path):
    pages = pdf_pages(year_pdf.data, tmp_path)
    rows = {line.split()[0]: line.split()[-1] for page in pdf_pages(year_pdf.data, tmp_path, layout=True)
            if "页码" in page for line in page.splitlines() if line.strip().startswith("2017-")}
    targets = destination_pages(year_pdf.data)
    for number in (1, 14, 37, 55):
        page = targets[f"project-{number}"]
        assert pages[page].startswith(f"{TITLE}项目2017-{number:02d}项目2017-{number:02d}"), pages[page][:40]
        assert rows[f"2017-{number:02d}"] == str(page + 1)


def test_the_contents_link_to_the_chapters_and_give_their_pages(year_pdf, tmp_path):
    pages = pdf_pages(year_pdf.data, tmp_path)
    targets = destination_pages(year_pdf.data)
    with pikepdf.open(io.BytesIO(year_pdf.data)) as pdf:
        links = [str(annotation.Dest) for annotation in pdf.pages[1].get("/Annots", [])]
    assert links == ["summary", "projects", "consultations", "overdue"]
    for anchor, heading in (("summary", "一、总体情况"), ("consultations", "三、条块约请"), ("overdue", "附录逾期事项")):
        page = targets[anchor]
        assert heading in pages[page] and f"{heading}{page + 1}" in pages[1], anchor


def test_the_outline_holds_the_chapters_with_the_projects_under_theirs(year_pdf):
    with pikepdf.open(io.BytesIO(year_pdf.data)) as pdf, pdf.open_outline() as outline:
        chapters = [item.title for item in outline.root]
        projects = next(item for item in outline.root if item.title == "二、项目情况").children
    assert chapters == [TITLE, "目录", "一、总体情况", "二、项目情况", "三、条块约请", "附录 逾期事项", "数据版本与校验"]
    assert [item.title for item in projects][:2] == ["项目 2017-01", "项目 2017-02"] and len(projects) == 55


def test_the_year_pdf_counts_projects_completed_on_time_late_and_open(year_pdf, db, tmp_path):
    completions = db.scalars(select(ProjectCompletion)).all()
    on_time = sum(1 for c in completions if c.status == "confirmed" and not c.late)
    late = sum(1 for c in completions if c.status == "confirmed" and c.late)
    assert (on_time, late) == (53, 2)  # projects 5 and 21 were overdue on the plan's first day
    assert f"按期办结{on_time}个，逾期办结{late}个，未办结0个" in pdf_text(year_pdf.data, tmp_path)


def test_the_year_pdf_gives_the_third_quarter_on_time_rate_from_the_reports(year_pdf, db, tmp_path):
    q3 = db.scalars(select(QuarterlyReport).where(QuarterlyReport.quarter == 3,
                                                  QuarterlyReport.submitted_on.is_not(None))).all()
    on_time = sum(1 for report in q3 if not report.late)
    assert len(q3) - on_time == len([n for n in LATE_IN_Q3 if any(r.project.number == n for r in q3)]) > 0
    text = pdf_text(year_pdf.data, tmp_path)
    assert f"{on_time}/{len(q3)}{on_time / len(q3):.1%}" in text


def test_the_year_pdf_ranks_a_unit_by_the_average_final_score_of_the_projects_it_leads(year_pdf, db, tmp_path):
    led = [p.id for p in db.scalars(select(Project).join(Plan).where(Plan.year == 2017))
           if "zuzhibu" in [u.code for u in p.lead_units]]
    scores = [e.final_score for e in db.scalars(select(Evaluation).where(Evaluation.project_id.in_(led)))]
    assert scores
    assert f"区委组织部{len(led)}{round(mean(scores), 1)}" in pdf_text(year_pdf.data, tmp_path)


def test_the_year_pdf_explains_a_late_projects_final_score(year_pdf, db, tmp_path):
    evaluation = db.scalar(select(Evaluation).where(Evaluation.project_id == project(db, 14).id))
    text = pdf_text(year_pdf.data, tmp_path)
    assert f"最终得分：{evaluation.final_score}（推进办" in text
    assert "第3季度逾期报送" in text and "季度信息报送" in text


def test_the_year_pdf_reports_consultation_times_in_working_days_and_the_supervision_finding(year_pdf, db, tmp_path):
    [invitation] = db.scalars(select(ConsultationInvitation).where(
        ConsultationInvitation.department_code == "minzhengju")).all()
    sign_days = float(workdays_between(invitation.invited_on, invitation.signed_on))
    reply_days = float(workdays_between(invitation.invited_on, invitation.replied_on))
    assert reply_days > sign_days > 0
    text = pdf_text(year_pdf.data, tmp_path)
    assert f"区民政局1{sign_days}{reply_days}1/1100.0%" in text
    assert "旧住房综合改造推进情况" in text and "符合要求：进度符合序时要求" in text


def test_the_year_pdf_lists_the_late_third_quarter_reports_in_its_appendix(year_pdf, db, tmp_path):
    appendix = pdf_text(year_pdf.data, tmp_path).split("附录逾期事项")[-1]
    report = db.scalar(select(QuarterlyReport).where(QuarterlyReport.project_id == project(db, 14).id,
                                                     QuarterlyReport.quarter == 3))
    assert report.late
    assert "【第3季度报告】2017-14" in appendix
    assert f"{workdays_between(report.due_on, report.submitted_on)}" in appendix


def test_the_year_pdf_embeds_every_font_and_a_cjk_one(year_pdf, tmp_path):
    fonts = pdf_fonts(year_pdf.data, tmp_path)
    assert fonts and all(embedded == "yes" for _, embedded in fonts), fonts
    assert any("Noto" in name and "CJK" in name for name, _ in fonts), fonts


def test_a_projects_pdf_shows_its_reports_and_score(login_as, db, tmp_path):
    response = login_as("office", unit="tuijinban", role="office").get("/reports/projects/14.pdf?year=2017")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    evaluation = db.scalar(select(Evaluation).where(Evaluation.project_id == project(db, 14).id))
    assert "2017-14" in text and project(db, 14).text[:16] in text
    assert f"最终得分：{evaluation.final_score}" in text and "第3季度" in text
    assert all(embedded == "yes" for _, embedded in pdf_fonts(response.data, tmp_path))


def test_the_summary_csv_is_utf8_with_a_bom_and_holds_every_project(login_as, db):
    response = login_as("supervisor", unit="duchake", role="supervisor").get("/reports/year-end/2017.csv")
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["【项目汇总】"] and rows[1][:3] == ["编号", "任务领域", "项目内容"]
    projects = {row[0]: row for row in rows[2:57]}
    assert len(projects) == 55
    late_q3 = projects["2017-14"]
    assert late_q3[2] == project(db, 14).text and late_q3[rows[1].index("三季度报告")] == "逾期报送"
    assert ["【单位排名】"] in rows and ["【逾期事项】"] in rows


def test_the_summary_xlsx_has_a_sheet_per_table_with_scores_from_the_database(login_as, db):
    response = login_as("office", unit="tuijinban", role="office").get("/reports/year-end/2017.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["项目汇总", "季度按时率", "单位排名", "条块约请", "逾期事项"]
    sheet = workbook["项目汇总"]
    header = [cell.value for cell in sheet[1]]
    scores = {row[0]: row[header.index("最终得分")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    expected = {e.project.business_key: e.final_score for e in db.scalars(select(Evaluation))}
    assert scores == expected
    q3_late = sum(1 for r in db.scalars(select(QuarterlyReport).where(QuarterlyReport.quarter == 3)) if r.late)
    assert sum(1 for row in workbook["逾期事项"].iter_rows(min_row=2, values_only=True)
               if row[0] == "第3季度报告") == q3_late


def test_a_year_without_data_gives_a_valid_pdf_that_says_so(login_as, tmp_path):
    response = login_as("auditor", unit="tuijinban", role="auditor").get("/reports/year-end/2018.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = pdf_text(response.data, tmp_path)
    assert "2018年度重点工作评估报告" in text and "尚未启动，暂无数据" in text


@pytest.mark.parametrize("url", ["/reports/year-end/2017.pdf", "/reports/year-end/2017.csv",
                                 "/reports/year-end/2017.xlsx", "/reports/projects/14.pdf?year=2017", "/reports"])
def test_a_unit_clerk_may_not_download_reports(login_as, url):
    assert login_as("caoyang", unit="caoyang").get(url).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(app):
    response = app.test_client().get("/reports/year-end/2017.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_year_or_project_is_not_found(login_as):
    client = login_as("supervisor", unit="duchake", role="supervisor")
    assert client.get("/reports/year-end/2031.pdf").status_code == 404
    assert client.get("/reports/year-end/2031.xlsx").status_code == 404
    assert client.get("/reports/projects/99.pdf?year=2017").status_code == 404
    assert client.get("/reports/projects/14.pdf").status_code == 404  # the latest plan, 2018, has three


def test_the_reports_page_links_every_year_and_refuses_a_bad_project_number(login_as):
    client = login_as("auditor", unit="tuijinban", role="auditor")
    page = client.get("/reports").get_data(as_text=True)
    assert "/reports/year-end/2017.pdf" in page and "/reports/year-end/2018.xlsx" in page
    refused = client.get("/reports/project?number=abc&year=2017")
    assert refused.status_code == 422 and "项目编号" in refused.get_data(as_text=True)
    found = client.get("/reports/project?number=14&year=2017")
    assert found.status_code == 302 and found.headers["Location"].endswith("/reports/projects/14.pdf?year=2017")


def test_after_the_played_year_the_pdf_the_tables_the_dashboard_and_the_api_agree_on_every_report(
        app, year_pdf, login_as, db, tmp_path):
    from workflows.accounts.tokens import issue_token
    from workflows.accounts.users import find_user

    office = login_as("office", unit="tuijinban", role="office")
    token = issue_token(db, find_user(db, "office"), datetime.utcnow())
    db.commit()
    figures = app.test_client().get("/api/dashboard?year=2017", headers={"Authorization": f"Bearer {token}"}).json
    page = office.get("/dashboard?year=2017").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(office.get("/reports/year-end/2017.csv").data.decode("utf-8-sig"))))
    header, summary = rows[1], rows[2:57]
    path = tmp_path / "raw.pdf"
    path.write_bytes(year_pdf.data)
    raw = "".join(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                 check=True, text=True).stdout.split())
    appendix = raw.split("附录逾期事项共")[1]  # the chapter title and its note, not the running heads
    items = re.findall(r"【第(\d)季度报告】(\d{4}-\d{2})([^【]*)", appendix)
    for quarter, column in zip((1, 2, 3, 4), ("一季度报告", "二季度报告", "三季度报告", "四季度报告")):
        def keys(status):
            return {row["business_key"] for row in figures["matrix"]["rows"]
                    if row["cells"][quarter - 1]["status"] == status}
        marks = {row[0]: row[header.index(column)] for row in summary}
        listed = [(key, "未完成" in rest) for q, key, rest in items if int(q) == quarter]
        assert {key for key, missing in listed if missing} == keys("missing") == \
            {key for key, mark in marks.items() if mark == "逾期未报"}
        assert {key for key, missing in listed if not missing} == keys("late") == \
            {key for key, mark in marks.items() if mark == "逾期报送"}
        for status in ("missing", "late", "returned"):
            shown = re.search(rf'<tr data-status="{status}">(.*?)</tr>', page, re.S).group(1)
            assert re.findall(r'<td class="num">(\d+)</td>', shown)[quarter - 1] == str(len(keys(status)))
    late_in_q3 = {key for q, key, rest in items if q == "3" and "未完成" not in rest}
    assert late_in_q3 and late_in_q3 <= {f"2017-{n:02d}" for n in LATE_IN_Q3}
