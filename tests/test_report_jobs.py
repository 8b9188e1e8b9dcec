"""The year-end book is made in the background and kept (issue 18 §2): a huey job with progress (parts done /
parts), a download served from the kept file while nothing changed, only the parts that hold a changed project laid
out again, 202 with a job URL for an API client, and a real consumer (`flask --app web reports work`) on SQLite and
on Redis."""
from __future__ import annotations

import os
import subprocess
import time
import uuid

import pytest
import redis
from sqlalchemy import select

from tests.conftest import ROOT
from tests.process_support import REPORT, Driver, prepared_app, three_projects_and_one_report
from tests.web_support import signed_in_client
from web import create_app
from web.reports import jobs, year_book

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def app(database_url):
    """Three projects started on 2017-06-08, one report filed; huey in immediate mode (the job runs in the
    request that starts it)."""
    with prepared_app(database_url, three_projects_and_one_report,
                      users=(("auditor", "tuijinban", "auditor"), ("changfeng", "changfeng", "unit"))) as application:
        yield application


def client_of(app, username: str = "auditor"):
    return signed_in_client(app, username)


def queued_app(app, tmp_path, **config):
    """A second app on the same database whose jobs wait in a real queue (SQLite file, or Redis) for a consumer."""
    settings = {"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "test", "TESTING": True,
                "HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
                "REPORT_CACHE_DIR": str(tmp_path / "reports"), "HUEY_NAME": f"putuo-test-{uuid.uuid4().hex[:8]}"}
    return create_app(settings | config)


def book_job(app):
    """The book's file or job as the data stands, asked the way the download asks."""
    with app.test_request_context():
        return jobs.book_or_job(2017)


def parts_on_disk(app) -> int:
    return len(list((jobs.cache_directory(app) / "parts").glob("*.part")))


def test_the_same_download_again_is_served_from_the_kept_file(app):
    auditor = client_of(app)
    first = auditor.get("/reports/year-end/2017.pdf")
    [book] = (jobs.cache_directory(app) / "books").glob("2017-*.pdf")
    written, parts = book.stat().st_mtime_ns, parts_on_disk(app)
    again = auditor.get("/reports/year-end/2017.pdf")
    assert first.status_code == again.status_code == 200 and again.data.startswith(b"%PDF")
    assert again.data == first.data and book.stat().st_mtime_ns == written and parts_on_disk(app) == parts
    assert book_job(app) == (book, None)


def file_report(app, business_key: str) -> None:
    from web.core.db import new_session

    with app.app_context():
        session = new_session()
        driver = Driver(session)
        driver.complete(driver.task(name="汇总填报季度报告", business_key=business_key), REPORT)
        session.close()


def test_after_one_project_changes_only_the_parts_that_hold_it_are_laid_out_again(app, monkeypatch):
    monkeypatch.setattr(year_book, "PROJECTS_PER_PART", 1)  # a part per project, to see which are laid out
    file_report(app, "2017-10")
    _, before = book_job(app)
    file_report(app, "2017-52")
    _, after = book_job(app)
    # The front matter's three parts, the plan's 55 projects (a section each, started or not), the consultations,
    # the appendix, the provenance page and the page numbers' type. After 2017-52's report only the summary and
    # the project list (their figures), 2017-52's part and the provenance page (its data version) are laid out.
    assert before.state == after.state == "done" and before.parts == after.parts == after.parts_done == 62
    assert (after.laid_out, after.reused) == (4, 58)


def comment_at_length(app, number: int) -> None:
    """The office's comment on the report of the project of that number made long enough to push the pages after it on (what the
    section prints of a report), with the history event every step writes beside such a change."""
    from web.core.db import new_session
    from workflows.plan.models import Project
    from workflows.records.models import QuarterlyReport

    with app.app_context():
        session = new_session()
        report = session.scalars(select(QuarterlyReport).join(Project).where(Project.number == number)).one()
        report.office_comment = "请补充量化指标和佐证材料，" * 400
        Driver(session).engine.record_event(report.instance_id, "report_amended", actor="test")
        session.commit()
        session.close()


def pdf_layout_text(content: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout


def test_a_book_laid_out_again_in_part_after_its_pages_moved_reads_as_a_book_made_from_nothing(
        app, tmp_path, monkeypatch):
    auditor = client_of(app)
    pages_before = pdf_layout_text(auditor.get("/reports/year-end/2017.pdf").data, tmp_path, "before").count("\f")
    comment_at_length(app, 2)
    _, partial = book_job(app)
    kept = auditor.get("/reports/year-end/2017.pdf").data
    monkeypatch.setitem(app.config, "REPORT_CACHE_DIR", str(tmp_path / "cold"))
    _, cold = book_job(app)
    made_from_nothing = auditor.get("/reports/year-end/2017.pdf").data
    assert 0 < partial.laid_out < partial.parts and (cold.laid_out, cold.reused) == (cold.parts, 0)
    partial_text, cold_text = pdf_layout_text(kept, tmp_path, "kept"), pdf_layout_text(made_from_nothing, tmp_path, "cold")
    pages = partial_text.count("\f")
    assert "请补充量化指标和佐证材料" in partial_text and pages > pages_before
    assert partial_text == cold_text  # every page: its number of the total, the contents' and the list's pages


def test_an_api_client_gets_202_and_a_job_url_that_answers_the_jobs_progress(app, tmp_path):
    queued = queued_app(app, tmp_path)
    auditor = client_of(queued)
    response = auditor.get("/reports/year-end/2017.pdf", headers=JSON)
    assert response.status_code == 202
    job_url = response.headers["Location"]
    assert response.json["job"] == job_url and response.json["state"] == "queued"
    status = auditor.get(job_url)
    assert status.status_code == 200
    assert status.json == {"job": job_url, "year": 2017, "state": "queued", "parts_done": 0, "parts": 0}
    assert auditor.get("/reports/year-end/2017.pdf", headers=JSON).json["job"] == job_url  # one job, not two


def test_an_api_token_of_an_auditor_is_answered_like_a_signed_in_auditor(app, tmp_path):
    from datetime import datetime

    from sqlalchemy import select

    from web.core.db import new_session
    from workflows.accounts.models import User
    from workflows.accounts.tokens import issue_token

    queued = queued_app(app, tmp_path)
    with queued.app_context():
        session = new_session()
        token = issue_token(session, session.scalar(select(User).where(User.username == "auditor")), datetime.utcnow())
        session.commit()
        session.close()
    client = queued.test_client()
    response = client.get("/reports/year-end/2017.pdf", headers=JSON | {"Authorization": f"Bearer {token}"})
    assert response.status_code == 202 and response.json["state"] == "queued"
    refused = client.get(response.headers["Location"], headers={"Authorization": "Bearer ptk_not-a-token"})
    assert refused.status_code == 401 and "error" in refused.json


def test_a_browser_is_sent_to_the_reports_page_which_shows_the_jobs_progress(app, tmp_path):
    queued = queued_app(app, tmp_path)
    auditor = client_of(queued)
    response = auditor.get("/reports/year-end/2017.pdf")
    assert response.status_code == 303 and "/reports?job=" in response.headers["Location"]
    job_id = response.headers["Location"].split("job=")[1]
    with queued.app_context():
        job = jobs.find_job(job_id)
        job.state, job.parts_done, job.parts = "running", 3, 9
        jobs.save_job(jobs.queue(), job)
    page = auditor.get(f"/reports?job={job_id}").get_data(as_text=True)
    assert "正在后台生成 2017 年度评估报告：已完成 3 / 9 部分" in page and 'http-equiv="refresh"' in page


def test_an_unknown_job_is_404_with_a_chinese_message(app):
    response = client_of(app).get("/reports/jobs/no-such-job")
    assert response.status_code == 404 and response.json == {"error": "没有编号为 no-such-job 的报告生成任务"}
    assert client_of(app).get("/reports/jobs/no-such-job/file").status_code == 404


def test_a_unit_may_not_see_a_job(app):
    response = client_of(app, "changfeng").get("/reports/jobs/no-such-job")
    assert response.status_code == 403 and response.json == {"error": "只有审计、区推进办和督查科可以查看评估报告"}
    assert client_of(app, "changfeng").get("/reports/year-end/2017.pdf", headers=JSON).status_code == 403


def test_a_year_without_a_plan_is_404_in_chinese(app):
    response = client_of(app).get("/reports/year-end/2031.pdf", headers=JSON)
    assert response.status_code == 404 and response.json == {"error": "没有 2031 年度的计划"}


def run_consumer(queued_app_config: dict, tmp_path) -> subprocess.Popen:
    """`flask --app web reports work`, the Procfile's jobs, on the test's database and queue."""
    environment = os.environ | {name: str(value) for name, value in queued_app_config.items()
                                if name in ("DATABASE_URL", "HUEY_SQLITE_PATH", "REPORT_CACHE_DIR", "HUEY_NAME",
                                            "HUEY_REDIS_URL")} | {"SECRET_KEY": "test"}
    log = open(tmp_path / "consumer.log", "wb")
    return subprocess.Popen([str(ROOT / ".venv/bin/flask"), "--app", "web", "reports", "work"], cwd=ROOT,
                            env=environment, stdout=log, stderr=subprocess.STDOUT)


def wait_for_the_book(client, job_url: str, seconds: float = 300) -> tuple[dict, list[tuple[int, int]]]:
    """Poll the job URL until the job is done; its last status and every (parts_done, parts) seen on the way."""
    seen, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(job_url).json
        seen.append((status["parts_done"], status["parts"]))
        if status["state"] in ("done", "failed"):
            return status, seen
        time.sleep(0.2)
    raise AssertionError(f"the job was not done in {seconds} s: {seen[-1]}")


def the_consumer_makes_the_book(queued, tmp_path):
    consumer = run_consumer(queued.config, tmp_path)
    try:
        auditor = client_of(queued)
        job_url = auditor.get("/reports/year-end/2017.pdf", headers=JSON).headers["Location"]
        status, seen = wait_for_the_book(auditor, job_url)
    finally:
        consumer.terminate()
        consumer.wait(timeout=60)
    assert status["state"] == "done", (tmp_path / "consumer.log").read_text()
    assert status["parts_done"] == status["parts"] > 1 and all(done <= parts for done, parts in seen)
    book = auditor.get(status["url"])
    assert book.status_code == 200 and book.data.startswith(b"%PDF")
    assert auditor.get("/reports/year-end/2017.pdf").data == book.data  # now kept: served at once
    page = auditor.get(f"/reports?job={job_url.rsplit('/', 1)[1]}").get_data(as_text=True)
    assert "2017 年度评估报告已生成" in page and status["url"] in page


def test_a_real_consumer_on_the_sqlite_queue_makes_the_book_while_the_job_url_tells_its_progress(app, tmp_path):
    the_consumer_makes_the_book(queued_app(app, tmp_path), tmp_path)


def test_a_real_consumer_on_redis_makes_the_book(app, tmp_path):
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    queued = queued_app(app, tmp_path, HUEY_REDIS_URL=url)
    try:
        the_consumer_makes_the_book(queued, tmp_path)
    finally:
        with queued.app_context():
            jobs.queue().flush()
