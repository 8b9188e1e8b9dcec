"""After a played 2017, every page and export a person reads speaks in words: no stored code (on_track, submit,
return, pending …) and no login name (zuzhibu, tuijinban, demo) in the visible text of the pages, the CSV and
XLSX tables and the PDFs.

The year is played once for the module (about two minutes), as tests/test_year_report.py does."""
from __future__ import annotations

import csv
import io
import re
import subprocess
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from engine import HumanTask, ProcessInstance
from engine.models import ProcessDefinition
from tests.test_year_report import app  # noqa: F401  (the played year, shared fixture)
from tests.web_support import db, login_as  # noqa: F401
from workflows.accounts.models import User
from workflows.directory.models import Unit
from workflows.records import labels
from web.core.db import new_session

# English words a page may show as such (file types, the product's own abbreviations).
ALLOWED = {"pdf", "csv", "xlsx", "docx", "ofd", "zip", "png", "jpg", "txt", "wps", "ppt", "kb", "mb", "bpmn"}


class VisibleText(HTMLParser):
    """The text a browser shows: tag contents outside <script>, <style> and <head>, and no attribute."""

    def __init__(self):
        super().__init__()
        self.hidden, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style", "head", "svg")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style", "head", "svg")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


RAW_SECTION = re.compile(r"<section[^>]*data-raw-values[^>]*>.*?</section>", re.S)
BUSINESS_KEY_CODE = re.compile(r"(约请|督查)-[a-z]+-\d{8}")  # a matter's key as it was: named by the street's code


def visible(html: str) -> str:
    """The visible text, less sections marked ``data-raw-values`` (an instance's stored variables, a technical
    view for those who maintain diagrams)."""
    parser = VisibleText()
    parser.feed(RAW_SECTION.sub("", html))
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def forbidden(app):  # noqa: F811
    """Every stored code and every login name, as whole words."""
    with app.app_context():
        session = new_session()
        logins = set(session.scalars(select(User.username))) | set(session.scalars(select(Unit.code)))
        session.close()
    codes = {code for vocabulary in labels.VOCABULARIES.values() for code in vocabulary}
    codes |= {code for choices in labels.CHOICES.values() for code in choices}
    words = (codes | logins | {"demo", "test"}) - ALLOWED
    return re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True))
                      + r")(?![A-Za-z0-9_])")


def codes_in(text: str, forbidden) -> list[str]:
    return [f"{match.group(0)} in “…{text[max(0, match.start() - 40):match.end() + 40]}…”"
            for match in forbidden.finditer(text)]


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "export.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def task_ids(app, *business_keys: str) -> list[int]:  # noqa: F811
    with app.app_context():
        session = new_session()
        ids = list(session.scalars(select(HumanTask.id).join(ProcessInstance).where(
            (ProcessInstance.business_key.in_(business_keys)) | (ProcessInstance.business_key.is_(None)))
            .order_by(HumanTask.id)))
        session.close()
    return ids


def task_per_kind(app) -> list[int]:  # noqa: F811
    """For each task name (each kind of task page) of the played year, its first open task and its last task
    (the year ends with most tasks done, so a done page of each kind is read too)."""
    with app.app_context():
        session = new_session()
        ids = set(session.scalars(select(func.min(HumanTask.id)).where(HumanTask.state == "ready")
                                  .group_by(HumanTask.name)))
        ids |= set(session.scalars(select(func.max(HumanTask.id)).group_by(HumanTask.name)))
        session.close()
    return sorted(ids)


def instance_pages(app) -> tuple[list[str], list[str]]:  # noqa: F811
    """/instances/<id> for one instance of each process, and /analytics/<key> for each process key."""
    with app.app_context():
        session = new_session()
        rows = session.execute(select(func.min(ProcessInstance.id), ProcessDefinition.key)
                               .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
                               .group_by(ProcessDefinition.key)).all()
        session.close()
    return [f"/instances/{instance_id}" for instance_id, _ in rows], [f"/analytics/{key}" for _, key in rows]


def test_every_open_task_page_instance_page_and_analytics_page_shows_words_not_codes(
        app, login_as, forbidden):  # noqa: F811
    office = login_as("tuijinban", unit="tuijinban", role="office")
    instances, analytics = instance_pages(app)
    tasks = [f"/tasks/{task_id}" for task_id in task_per_kind(app)]
    pages = ["/instances", "/started", "/started?scope=unit", "/analytics"] + instances + analytics + tasks

    assert len(tasks) >= 10 and len(instances) >= 3
    found, shown = {}, 0
    for url in pages:
        response = office.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        if response.status_code == 200:
            shown += 1
            page = visible(response.get_data(as_text=True))
            found.update({url: hits for hits in [codes_in(page, forbidden)] if hits})
    assert found == {}
    assert shown >= len(pages) // 2


def test_every_page_of_a_played_year_shows_words_not_codes_or_login_names(app, login_as, forbidden):  # noqa: F811
    office = login_as("tuijinban", unit="tuijinban", role="office")
    unit = login_as("zuzhibu")
    pages = ["/inbox", "/inbox/done", "/projects", "/dashboard", "/reports", "/start", "/overview"]
    pages += [f"/projects/{number}?year=2017" for number in range(1, 56)]
    # a returned and accepted report (11), a late one (14), the consultation and the check (no business key)
    pages += [f"/tasks/{task_id}" for task_id in task_ids(app, "2017-11", "2017-14", "督查-2017-05")]

    assert len(codes_in("推进状态 on_track，办理人 zuzhibu，pending", forbidden)) == 3  # the detector detects
    found, read = {}, {}
    for client in (office, unit):
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (url, response.status_code)
            if response.status_code == 200:
                read[url] = visible(response.get_data(as_text=True))
                found.update({url: hits for hits in [codes_in(read[url], forbidden)] if hits})
    assert found == {}
    assert "推进状态：正常推进" in read["/projects/11?year=2017"] and "审核意见：退回修改" in read["/projects/11?year=2017"]
    assert "逾期报送" in read["/projects/14?year=2017"]


def test_the_exports_of_a_played_year_show_words_not_codes(app, login_as, forbidden, tmp_path):  # noqa: F811
    office = login_as("tuijinban", unit="tuijinban", role="office")

    table = office.get("/reports/year-end/2017.csv").get_data().decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(office.get("/reports/year-end/2017.xlsx").get_data()))
    cells = " ".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell is not None)
    project_pdf = pdf_text(office.get("/reports/projects/11.pdf?year=2017").get_data(), tmp_path)
    year_pdf = pdf_text(office.get("/reports/year-end/2017.pdf").get_data(), tmp_path)

    assert list(csv.reader(io.StringIO(table)))
    assert {name: codes_in(text, forbidden) for name, text in (
        ("csv", table), ("xlsx", cells), ("project pdf", project_pdf), ("year pdf", year_pdf))} == {
        "csv": [], "xlsx": [], "project pdf": [], "year pdf": []}


def test_the_started_matters_are_listed_without_a_code_in_their_titles(app, login_as):  # noqa: F811
    listed = visible(login_as("tuijinban", unit="tuijinban", role="office").get("/instances").get_data(as_text=True))

    assert not BUSINESS_KEY_CODE.search(listed)
