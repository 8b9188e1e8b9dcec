"""Year-end evaluation reports for auditors and overseers: the year's PDF (WeasyPrint), one project's PDF, and
the summary tables as CSV and XLSX."""
from __future__ import annotations

import io
import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from weasyprint import HTML

from workflows.plan.models import Plan
from workflows.records.labels import VOCABULARIES
from workflows.projects import pages as project_pages
from engine.chain import history_head
from workflows.reports.full_export import full_export
from workflows.reports.overdue_items import overdue_items, project_overdue, unit_names
from workflows.reports.provenance import NotAStampedReport, check, stamp_for, write_stamp
from workflows.reports.tables import summary_tables, tables_csv, tables_xlsx
from workflows.reports.year_report import find_plan, project_facts, report_date, year_summary

from . import year_book
from .signing import signed
from ..core.db import get_process_engine, get_session
from ..core.inputs import db_int

bp = Blueprint("reports", __name__)
READERS = ("auditor", "office", "supervisor", "admin")
NAMES = {  # the stored codes as the PDF shows them: the labels of workflows/records/labels.py
    "verdict_names": VOCABULARIES["report_status"], "progress_names": VOCABULARIES["progress_status"],
    "finding_names": VOCABULARIES["finding"],
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def require_reader():
    """Reports are for the auditors, the office and the supervision section (and the administrator)."""
    if current_user.role not in READERS:
        abort(403)


def _download(content: bytes, filename: str, mimetype: str):
    # send_file writes an ASCII fallback and an RFC 5987 filename* for the Chinese name.
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=filename)


def _render_pdf(template: str, **context) -> bytes:
    html = render_template(template, **NAMES, **context)
    return HTML(string=html).write_pdf()  # no base URL: the documents load nothing from outside


def _year_figures(year: int):
    plan = find_plan(get_session(), year)
    if plan is None:
        abort(404)
    session, clock = get_session(), get_process_engine().clock
    summary = year_summary(session, plan, clock.today(), clock.local_tz)
    return summary, overdue_items(session, plan, summary.projects, summary.as_of)


def _index_page(error: str | None = None, status: int = 200):
    plans = get_session().scalars(select(Plan).order_by(Plan.year.desc())).all()
    return render_template("reports/index.html", plans=plans, error=error), status


@bp.get("/reports")
def index():
    return _index_page()


# 项目编号 as typed: 7, 07, or the business key 2017-07 (whose year then wins over the form's 年度).
PROJECT_NUMBER = re.compile(r"(?:(\d{4})\s*-\s*)?0*(\d{1,4})")


@bp.get("/reports/project")
def project_pdf_by_form():
    typed = PROJECT_NUMBER.fullmatch(request.args.get("number", "").strip())
    if typed is None or int(typed.group(2)) < 1:
        return _index_page("“项目编号”应为正整数或项目编号，如 7 或 2017-07", 422)
    year = int(typed.group(1)) if typed.group(1) else request.args.get("year", type=db_int)
    return redirect(url_for("reports.project_pdf", number=int(typed.group(2)), year=year))


@bp.get("/reports/year-end/<int:year>.pdf")
def year_pdf(year: int):
    version = history_head(get_session())  # before the figures: see provenance.stamp_for
    summary, overdue = _year_figures(year)
    stamp = stamp_for(get_session(), summary, overdue, version)
    pdf = year_book.year_pdf(summary, overdue, NAMES, workers=current_app.config["PDF_WORKERS"], stamp=stamp)
    return _download(signed(write_stamp(pdf, stamp)), f"{year}年度重点工作评估报告.pdf", "application/pdf")


@bp.get("/reports/export.zip")
def full_export_zip():
    """The auditor's full export: every record table and the history as CSV, with a manifest."""
    if current_user.role not in ("auditor", "admin"):
        abort(403)
    content, _ = full_export(get_session())
    return _download(content, "审计全量导出.zip", "application/zip")


@bp.get("/reports/verify")
def verify_form():
    return render_template("reports/verify.html", verdict=None, error=None)


@bp.post("/reports/verify")
def verify_upload():
    """An auditor uploads a downloaded year-end PDF: does it match the data as of its version?"""
    upload = request.files.get("report")
    if upload is None or not upload.filename:
        return render_template("reports/verify.html", verdict=None, error="请选择要核验的报告文件（PDF）"), 422
    try:
        verdict = check(get_session(), upload.read())
    except NotAStampedReport as bad:
        return render_template("reports/verify.html", verdict=None, error=str(bad)), 422
    return render_template("reports/verify.html", verdict=verdict, error=None)


@bp.get("/reports/year-end/<int:year>.csv")
def year_csv(year: int):
    summary, overdue = _year_figures(year)
    return _download(tables_csv(summary_tables(summary, overdue)), f"{year}年度评估汇总表.csv", "text/csv")


@bp.get("/reports/year-end/<int:year>.xlsx")
def year_xlsx(year: int):
    summary, overdue = _year_figures(year)
    return _download(tables_xlsx(summary_tables(summary, overdue)), f"{year}年度评估汇总表.xlsx", XLSX)


@bp.get("/reports/projects/<int:number>.pdf")
def project_pdf(number: int):
    session = get_session()
    project = project_pages.find_project(session, number, request.args.get("year", type=db_int))
    if project is None:
        abort(404)
    clock = get_process_engine().clock
    as_of = report_date(project.plan, clock.today())
    [facts] = project_facts(session, project.plan, [project], as_of, clock.local_tz)
    overdue = project_overdue(facts, as_of, unit_names(session))
    pdf = signed(_render_pdf("reports/project.html", facts=facts, plan=project.plan, as_of=as_of, overdue=overdue))
    return _download(pdf, f"{project.business_key}项目评估报告.pdf", "application/pdf")
