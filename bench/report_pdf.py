"""Figure 6 as the year-end book is made since issue 18 §2: the city's PDF cold (no part kept), the same download
again (the kept file) and again after one report changes (only the parts that hold it laid out again).

The job runs in the request here (huey's immediate mode): the same code as the consumer's, without the polling.
The parts and books are kept in a folder of this run, so a run never finds a book of an earlier one."""
from __future__ import annotations

import sys
import tempfile
import time

from sqlalchemy import func, select

from engine import BpmnEngine
from web import create_app
from web.core.db import new_session
from workflows.plan.models import Plan, Project
from workflows.records.models import QuarterlyReport
from workflows.runtime import process_engine

from .database import database_url
from .report import Figure


def use_a_fresh_report_cache(app) -> None:
    """Jobs run in the request; parts and books kept in a new temporary folder."""
    app.config["REPORT_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-reports-")
    app.extensions["huey"].immediate = True


def download(client, year: int) -> tuple[float, int]:
    """Seconds to download the year's PDF, and its size in bytes."""
    started = time.perf_counter()
    response = client.get(f"/reports/year-end/{year}.pdf")
    seconds = time.perf_counter() - started
    if response.status_code != 200 or not response.data.startswith(b"%PDF"):
        raise AssertionError(f"the year-end PDF gave {response.status_code}")
    return seconds, len(response.data)


def change_one_report(session, engine: BpmnEngine, year: int) -> str:
    """One quarterly report of the year amended (its percent and progress text) with the history event every
    step of the app writes beside such a change; the report's project's business key."""
    report = session.scalars(select(QuarterlyReport).join(Project).join(Plan).where(Plan.year == year)
                             .order_by(QuarterlyReport.id).limit(1)).one()
    report.percent = min(100, (report.percent or 0) + 10)
    report.content = {**report.content, "progress": "（基准测试）进度已更新，补充了量化数据"}
    engine.record_event(report.instance_id, "report_amended", actor="bench", data={"report_id": report.id})
    session.commit()
    return report.project.business_key


def pdf_figures(client, session, engine: BpmnEngine, year: int, projects: int) -> list[Figure]:
    """The three figures of the city's book: cold, the same download again, after one report changed."""
    cold, size = download(client, year)
    again, _ = download(client, year)
    key = change_one_report(session, engine, year)
    changed, _ = download(client, year)
    return [Figure(f"6. year-end PDF, {projects} projects ({size / 1024:.0f} KiB), cold", f"{cold:.1f} s",
                   "≤ 60 s", cold <= 60, number=cold),
            Figure("6. the same download again (kept file)", f"{again:.2f} s", "≤ 1 s", again <= 1, number=again),
            Figure(f"6. again after one report changed ({key})", f"{changed:.1f} s", "≤ 10 s", changed <= 10,
                   number=changed)]


def main() -> None:
    """`python -m bench.report_pdf [sqlite|postgresql]`: figure 6's three rows again on the database the last
    `make bench` left (the city's 880 projects), without building it again; printed, not written."""
    app = create_app({"DATABASE_URL": database_url(sys.argv[1] if len(sys.argv) > 1 else "sqlite"),
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    use_a_fresh_report_cache(app)
    client = app.test_client()
    client.post("/login", data={"username": "auditor", "password": "demo"})
    with app.app_context():
        session = new_session()
        projects = session.scalar(select(func.count(Project.id)).join(Plan).where(Plan.year == 2017))
        for figure in pdf_figures(client, session, process_engine(session, app.config["TIMEZONE"]), 2017, projects):
            print(f"| {figure.name} | {figure.value} | {figure.target} | {'yes' if figure.met else '**no**'} |")
        session.close()


if __name__ == "__main__":
    main()
