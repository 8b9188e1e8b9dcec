"""Year-end evaluation reports for auditors and overseers: the year's PDF (WeasyPrint), one project's PDF, and
the summary tables as CSV and XLSX."""
from __future__ import annotations

import io
import re

import click

from flask import (Blueprint, abort, current_app, g, jsonify, make_response, redirect, render_template, request,
                   send_file, url_for)
from flask_login import current_user
from sqlalchemy import select

from workflows.accounts import tokens
from workflows.plan.models import Plan
from workflows.projects import pages as project_pages
from workflows.reports.full_export import full_export
from workflows.reports.overdue_items import project_overdue, unit_names
from workflows.reports.provenance import NotAStampedReport, check
from workflows.reports.tables import summary_tables, tables_csv, tables_xlsx
from workflows.reports.year_report import project_facts, report_date

from . import jobs
from .books import NoPlan, year_figures
from .signing import signed
from ..core.db import get_process_engine, get_session
from ..core.inputs import db_int
from ..core.security import bearer_user

bp = Blueprint("reports", __name__)
bp.record_once(lambda state: jobs.init_app(state.app))
READERS = ("auditor", "office", "supervisor", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
def require_reader():
    """Reports are for the auditors, the office and the supervision section (and the administrator): signed in,
    or with an API token (``Authorization: Bearer …``) for the year-end book and its jobs."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        try:
            g.reader_role = bearer_user(request.headers["Authorization"]).role
        except tokens.TokenRefused as refused:
            return _json_error(401, str(refused))
    elif current_user.is_authenticated:
        g.reader_role = current_user.role
    else:
        return current_app.login_manager.unauthorized()
    if g.reader_role not in READERS:
        return _json_error(403, "只有审计、区推进办和督查科可以查看评估报告") if _wants_json() else abort(403)
    return None


def _wants_json() -> bool:
    return request.endpoint == "reports.job_status" or request.accept_mimetypes.best == "application/json"


def _json_error(status: int, message: str):
    return jsonify({"error": message}), status


def _download(content: bytes, filename: str, mimetype: str):
    # send_file writes an ASCII fallback and an RFC 5987 filename* for the Chinese name.
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=filename)


def _render_pdf(template: str, **context) -> bytes:
    from weasyprint import HTML  # here, not at import: its fonts' library takes ~0.5 s to load (see pdf_book)

    html = render_template(template, **context)
    return HTML(string=html).write_pdf()  # no base URL: the documents load nothing from outside


def _year_figures(year: int):
    try:
        return year_figures(year)
    except NoPlan:
        abort(404)


def _index_page(error: str | None = None, status: int = 200):
    plans = get_session().scalars(select(Plan).order_by(Plan.year.desc())).all()
    job = jobs.find_job(request.args.get("job", ""))
    return render_template("reports/index.html", plans=plans, error=error, job=job), status


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


def _book_download(year: int, path):
    return _download(path.read_bytes(), f"{year}年度重点工作评估报告.pdf", "application/pdf")


@bp.get("/reports/year-end/<int:year>.pdf")
def year_pdf(year: int):
    """The year's book when kept for the data as it stands; else its job is started (or found): 202 with the
    job's URL for a client asking JSON, the reports page with the job's progress for a browser."""
    try:
        path, job = jobs.book_or_job(year)
    except NoPlan:
        return _json_error(404, f"没有 {year} 年度的计划") if _wants_json() else abort(404)
    if job is not None and job.state == "done":  # made while we waited (huey's immediate mode)
        path = jobs.job_file(job)
    if path is not None:
        return _book_download(year, path)
    if _wants_json():
        url = url_for("reports.job_status", job_id=job.id)
        return jsonify(_job_json(job)), 202, {"Location": url}
    return redirect(url_for("reports.index", job=job.id), 303)


def _job_json(job: jobs.Job) -> dict:
    answer = {"job": url_for("reports.job_status", job_id=job.id), "year": job.year, "state": job.state,
              "parts_done": job.parts_done, "parts": job.parts}
    if job.state == "done":
        answer["url"] = url_for("reports.job_file", job_id=job.id)
    if job.error:
        answer["error"] = job.error
    return answer


def _job_or_404(job_id: str) -> jobs.Job:
    job = jobs.find_job(job_id)
    if job is None:
        abort(make_response(jsonify({"error": f"没有编号为 {job_id} 的报告生成任务"}), 404))
    return job


@bp.get("/reports/jobs/<job_id>")
def job_status(job_id: str):
    """A book's job: ``{job, year, state, parts_done, parts, url when done, error when failed}``."""
    return jsonify(_job_json(_job_or_404(job_id)))


@bp.get("/reports/jobs/<job_id>/file")
def job_file(job_id: str):
    job = _job_or_404(job_id)
    if job.state != "done":
        return _json_error(409, "评估报告尚未生成完毕，请稍后再下载")
    return _book_download(job.year, jobs.job_file(job))


@bp.get("/reports/export.zip")
def full_export_zip():
    """The auditor's full export: every record table and the history as CSV, with a manifest."""
    if g.reader_role not in ("auditor", "admin"):
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


@bp.cli.command("work")
@click.option("--workers", default=1, show_default=True, help="同时生成的报告数（每个报告自己再用 PDF_WORKERS 个进程排版）")
def work(workers: int) -> None:
    """后台生成年度评估报告（huey 任务队列的消费进程，Procfile 的 jobs）。"""
    jobs.consume(workers)
