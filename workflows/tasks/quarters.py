"""A project's quarterly reports as threads, read from its instance's history: for each quarter, the units'
input (given or still owed) and each round of submission and review.

The four quarters run as parallel called processes inside one instance, and a history event does not say which
quarter it belongs to. The drafting tasks carry the quarter in their due date (the quarter's last day to report,
or later when a 延期申请 moved it, never past the next quarter's window); a review goes to the quarter whose
report waits for one, a revision to the quarter whose report was returned (the oldest first, as the office works).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, HistoryEvent, HumanTask

from ..workdays import quarter_window_opens

INPUT_SPECS = ("partner_input", "responsible_input")
REPORT_SPECS = INPUT_SPECS + ("compile_report", "review_report", "revise_report")


@dataclass
class Given:
    """A unit's input for the report: ``by``/``at``/``text`` once given, empty while its task is open."""

    unit: str
    task_id: int
    by: str | None = None
    at: datetime | None = None
    text: str = ""


@dataclass
class Round:
    """One submission of the report and the office's review of it (``verdict`` None while it waits)."""

    submitted: dict[str, Any]
    submitted_by: str | None
    submitted_at: datetime
    verdict: str | None = None
    comment: str = ""
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    task_id: int | None = None  # the drafting task whose completion made this round


@dataclass
class ReportThread:
    quarter: int
    inputs: list[Given] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)

    @property
    def waiting_for_review(self) -> bool:
        return bool(self.rounds) and self.rounds[-1].verdict is None

    @property
    def returned(self) -> bool:
        return bool(self.rounds) and self.rounds[-1].verdict == "return"


def quarter_of(due_on: date | None) -> int | None:
    """The quarter a drafting task's due date falls in: the last whose reporting window opened by then."""
    if due_on is None:
        return None
    return max((q for q in (1, 2, 3, 4) if quarter_window_opens(due_on.year, q) <= due_on), default=1)


def _oldest(threads: dict[int, ReportThread], wanted) -> ReportThread | None:
    return next((threads[q] for q in sorted(threads) if wanted(threads[q])), None)


def report_threads(session: Session, engine: BpmnEngine, instance_id: int,
                   events: list[HistoryEvent] | None = None) -> dict[int, ReportThread]:
    """Quarter → its thread, for the instance's quarterly reports so far; ``events``: the instance's history,
    oldest first, where the caller has read it already."""
    tasks = {task.id: task for task in session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.spec_name.in_(REPORT_SPECS)))}
    threads: dict[int, ReportThread] = {}

    def thread(task: HumanTask) -> ReportThread | None:
        quarter = quarter_of(task.due_on)
        return threads.setdefault(quarter, ReportThread(quarter)) if quarter else None

    for event in engine.history(instance_id) if events is None else events:
        task = tasks.get((event.data or {}).get("task_id")) if event.kind == "task_completed" else None
        if task is not None:
            _apply(threads, thread, task, event.data.get("data") or {}, event.actor, event.at)
    for task in sorted(tasks.values(), key=lambda t: t.id):
        if task.state == "ready" and task.spec_name in INPUT_SPECS and thread(task) is not None:
            thread(task).inputs.append(Given(task.assigned_unit or "", task.id))
    for each in threads.values():
        _drop_request_for_input(each)
    return threads


def _drop_request_for_input(thread: ReportThread) -> None:
    """A draft sent with 先征求责任单位意见 that opened input tasks went to the units, not to the office: it is no
    round of review while the lead waits for their input (compiled again, it becomes the round; the diagram sends
    it straight to the office only when there is no responsible unit to ask, and then no input task follows)."""
    last = thread.rounds[-1] if thread.rounds else None
    if last is None or last.verdict is not None or last.submitted.get("next_step") != "consult":
        return
    if any(given.task_id > (last.task_id or 0) for given in thread.inputs):
        thread.rounds.pop()


def _apply(threads, thread, task: HumanTask, data: dict, actor: str | None, at: datetime) -> None:
    if task.spec_name in INPUT_SPECS and thread(task) is not None:
        given = Given(task.assigned_unit or "", task.id, actor, at, data.get("contribution", ""))
        thread(task).inputs.append(given)
    elif task.spec_name == "compile_report" and thread(task) is not None:
        current = thread(task)
        if current.waiting_for_review:  # asked the responsible units first, then compiled again
            current.rounds.pop()
        current.rounds.append(Round(data, actor, at, task_id=task.id))
    elif task.spec_name == "review_report":
        current = _oldest(threads, lambda t: t.waiting_for_review)
        if current is not None:
            current.rounds[-1].verdict, current.rounds[-1].comment = data.get("verdict"), data.get("office_comment", "")
            current.rounds[-1].reviewed_by, current.rounds[-1].reviewed_at = actor, at
    elif task.spec_name == "revise_report":
        current = _oldest(threads, lambda t: t.returned)
        if current is not None:
            current.rounds.append(Round(data, actor, at, task_id=task.id))
