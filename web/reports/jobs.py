"""The year-end book made in the background by huey (issue 18 §2): a request never lays the city's book out.

The queue is huey's: SQLite by default (``HUEY_SQLITE_PATH``, var/huey.db), Redis when ``HUEY_REDIS_URL`` is set,
the queue's name ``HUEY_NAME`` (default putuo-reports), and, for an app under test, immediate (the job runs inside the call that queues it) unless ``HUEY_IMMEDIATE`` says
otherwise. `flask --app web reports work` runs the consumer (the Procfile's ``jobs``).

A job's status lives in huey's key-value store beside the queue, so the web processes and the consumer see the same
one on either backend: ``report-job:<id>`` holds ``{year, state, parts_done, parts, laid_out, reused, file,
error, started}`` (state: queued, running, done, failed); ``report-book:<file>`` holds the id of the job making
that file, so that many requests for the same book start one job.
"""
from __future__ import annotations

import os
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey

from ..core.config import VAR
from .books import cache_directory, current_book_path, make_book
from .part_cache import Progress

NAME = "putuo-reports"
LOST_AFTER_SECONDS = 30 * 60  # a job queued or running this long is taken for lost (its consumer stopped)


@dataclass
class Job:
    """A job's status as the status JSON gives it (with ``url`` added when its file is ready)."""
    id: str
    year: int
    state: str = "queued"
    parts_done: int = 0
    parts: int = 0
    laid_out: int = 0     # parts laid out by this job
    reused: int = 0       # parts taken from the part cache
    file: str | None = None
    error: str | None = None
    started: float = 0.0  # time.time() when queued

    @property
    def lost(self) -> bool:
        return self.state == "failed" or (self.state != "done" and time.time() - self.started > LOST_AFTER_SECONDS)


def _setting(app: Flask, name: str, default=None):
    return app.config.get(name) or os.environ.get(name) or default


def _immediate(app: Flask) -> bool:
    if "HUEY_IMMEDIATE" in app.config:
        return bool(app.config["HUEY_IMMEDIATE"])
    if "HUEY_IMMEDIATE" in os.environ:
        return os.environ["HUEY_IMMEDIATE"].strip().lower() in ("1", "true", "yes", "on")
    return app.testing


def _queue(app: Flask) -> Huey:
    immediate = _immediate(app)
    name, redis_url = _setting(app, "HUEY_NAME", NAME), _setting(app, "HUEY_REDIS_URL")
    if redis_url:
        return RedisHuey(name, url=redis_url, immediate=immediate)
    path = Path(_setting(app, "HUEY_SQLITE_PATH", VAR / "huey.db"))
    if not immediate:
        path.parent.mkdir(parents=True, exist_ok=True)  # SQLite makes the file, not its folder
    return SqliteHuey(name, filename=str(path), immediate=immediate)


def init_app(app: Flask) -> None:
    """Attach the queue and the book's task to ``app`` (app.extensions["huey"], ["report_task"])."""
    huey = _queue(app)

    @huey.task(name="reports.make_year_book")
    def make_year_book(year: int, job_id: str) -> None:
        with app.app_context():
            _run(huey, year, job_id)

    app.extensions["huey"], app.extensions["report_task"] = huey, make_year_book


def queue() -> Huey:
    return current_app.extensions["huey"]


def find_job(job_id: str) -> Job | None:
    """The job of that id, or None."""
    record = queue().get(f"report-job:{job_id}", peek=True)
    return Job(**record) if record else None


def save_job(huey: Huey, job: Job) -> None:
    """Write the job's status where every process reads it (huey's key-value store)."""
    huey.put(f"report-job:{job.id}", asdict(job))


def book_or_job(year: int) -> tuple[Path | None, Job | None]:
    """``year``'s book as the data stands: its file when kept, else the job making it (started if none is).
    Raises books.NoPlan."""
    path = current_book_path(year)
    if path.exists():
        return path, None
    huey = queue()
    job = Job(uuid.uuid4().hex, year, started=time.time())
    if not huey.put_if_empty(f"report-book:{path.name}", job.id):
        running = find_job(huey.get(f"report-book:{path.name}", peek=True))
        if running is not None and running.state != "done" and not running.lost:  # done: its file was removed
            return None, running
        huey.put(f"report-book:{path.name}", job.id)
    save_job(huey, job)
    current_app.extensions["report_task"](year, job.id)
    return None, find_job(job.id)


def _run(huey: Huey, year: int, job_id: str) -> None:
    """The task: make the book, telling the job's status on the way. A failure is written to the status (in
    Chinese) and raised again for huey's log."""
    job = find_job(job_id) or Job(job_id, year, started=time.time())
    job.state = "running"
    save_job(huey, job)

    def report(parts_done: int, parts: int) -> None:
        job.parts_done, job.parts = parts_done, parts
        save_job(huey, job)

    try:
        path, cache = make_book(year, Progress(report))
    except Exception:
        job.state, job.error = "failed", "生成评估报告时出错，请稍后重试；如仍不成功，请联系系统管理员。"
        save_job(huey, job)
        raise
    job.state, job.file, job.laid_out, job.reused = "done", path.name, cache.laid_out, cache.reused
    save_job(huey, job)


def job_file(job: Job) -> Path | None:
    """The file of a done job (None before), under the report cache's books/."""
    return cache_directory(current_app) / "books" / job.file if job.file else None


def consume(workers: int = 1) -> None:
    """Run huey's consumer on the app's queue until stopped (SIGINT/SIGTERM): `flask --app web reports work`.
    Thread workers: a job lays the book's parts out on processes of its own (pdf_book.lay_out_all)."""
    huey = queue()
    if huey.immediate:
        raise RuntimeError("HUEY_IMMEDIATE 已开启：任务在请求中直接执行，无需后台进程")
    huey.create_consumer(workers=workers, worker_type="thread", periodic=False).run()
