"""延期申请: a unit asks for more time on one of its open tasks; the office approves or refuses it.

The request is a row (DeadlineExtension) and an instance of the ``deadline_extension`` diagram, whose one task
(审批延期申请) the office does in its inbox. Completing that task runs ``record_decision`` (completion.py
calls it for the task's ``record`` property ``extension_decided``): an approval moves the open task's due date
through the engine, which writes it to the task's history. Only the human task's deadline moves; the BPMN
timers the diagram computed from its own data (reminders, 催办 when overdue) keep their dates.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, EngineError, HumanTask, NotFound, TaskNotReady
from engine.clock import to_db

from ..accounts.actor import Actor, NotAllowed
from ..records.labels import label
from ..cases.opening import Checker
from ..directory.models import Unit
from ..forms import FormInvalid
from ..notifications.messages import notify
from ..projects.activation import OFFICE_ROLE, fixed_unit
from ..records.recorders import Completed
from ..runtime import add_workdays, process_engine
from .models import DeadlineExtension
from .permissions import may_complete, may_view

PROCESS_KEY = "deadline_extension"
DECISION_RECORD = "extension_decided"  # the ``record`` property of its 审批延期申请 task
APPLICANT_ROLE = "申请单位"
LONGEST_EXTENSION = timedelta(days=365)
DECISION_WORKDAYS = 2


class ExtensionPending(EngineError):
    """The task already has a request waiting for the office (answered 409, like the engine's conflicts)."""

    status = 409


def request_extension(session: Session, engine: BpmnEngine, actor: Actor, human_task_id: int,
                      requested_due_on, reason) -> DeadlineExtension:
    """The task's own unit asks to move its due date; starts the office's 审批延期申请."""
    task = _own_open_task(session, actor, human_task_id)
    requested, reason = _checked_request(session, task, requested_due_on, reason, engine.clock.today())
    if pending_request(session, task.id) is not None:
        raise ExtensionPending(f"任务“{task.name}”已有一份延期申请在审批中，请等待区推进办审批结果")
    unit_code = task.assigned_unit or actor.unit_code
    extension = DeadlineExtension(
        human_task_id=task.id, unit_code=unit_code, requested_by=actor.username, current_due_on=task.due_on,
        requested_due_on=requested, reason=reason, status="pending", requested_at=to_db(engine.clock.now()))
    session.add(extension)
    session.flush()
    instance = engine.start_instance(PROCESS_KEY, business_key=f"延期-{task.instance.business_key or task.instance_id}",
                                     actor=actor.username, data=_process_data(session, engine, task, extension))
    extension.instance_id = instance.id
    session.flush()
    return extension


def _own_open_task(session: Session, actor: Actor, human_task_id: int) -> HumanTask:
    # Lock the task so that two clerks of the unit cannot both open a request on it.
    task = session.get(HumanTask, human_task_id, with_for_update={"of": HumanTask})
    if task is None or not may_view(actor, task):
        raise NotFound(f"任务 {human_task_id} 不存在")
    check_may_request(actor, task)
    return task


def check_may_request(actor: Actor, task: HumanTask) -> None:
    """NotAllowed unless the actor's unit does this open task; TaskNotReady once it is done."""
    if not may_complete(actor, task):
        raise NotAllowed(f"只有办理任务“{task.name}”的单位可以申请延期")
    if task.state != "ready":
        raise TaskNotReady(f"任务“{task.name}”已不在待办状态，不能申请延期")
    if task.instance.definition.key == PROCESS_KEY:
        raise NotAllowed("延期申请的审批不能再申请延期")


def _checked_request(session: Session, task: HumanTask, requested_due_on, reason, today: date) -> tuple[date, str]:
    if task.due_on is None:
        raise FormInvalid({"requested_due_on": f"任务“{task.name}”没有办理期限，无需申请延期"})
    check = Checker(session, {"requested_due_on": requested_due_on, "reason": reason})
    reason = check.text("reason", "延期理由", limit=500)
    earliest = max(task.due_on, today) + timedelta(days=1)
    requested = check.day("requested_due_on", "申请延至", not_before=earliest)
    if requested is not None and requested > task.due_on + LONGEST_EXTENSION:
        check.errors["requested_due_on"] = (f"“申请延至”不能晚于 {task.due_on + LONGEST_EXTENSION:%Y年%m月%d日}"
                                            "（最多延期一年）")
    check.done({"requested_due_on", "reason"})
    return requested, reason


def _process_data(session: Session, engine: BpmnEngine, task: HumanTask, extension: DeadlineExtension) -> dict:
    unit = session.get(Unit, extension.unit_code)
    business_key = task.instance.business_key
    return {
        "roles": {APPLICANT_ROLE: extension.unit_code, OFFICE_ROLE: fixed_unit(session, "office")},
        "extension_id": extension.id, "task_id": task.id, "business_key": business_key,
        "original_task": f"{task.name}（{business_key}）" if business_key else task.name,
        "applicant_name": unit.name if unit else extension.unit_code,
        "current_due": extension.current_due_on.isoformat(), "requested_due": extension.requested_due_on.isoformat(),
        "approved_due": extension.requested_due_on.isoformat(), "extension_reason": extension.reason,
        "decision_due": add_workdays(engine.clock.today().isoformat(), DECISION_WORKDAYS),
    }


def pending_request(session: Session, human_task_id: int) -> DeadlineExtension | None:
    return session.scalar(select(DeadlineExtension).where(
        DeadlineExtension.human_task_id == human_task_id, DeadlineExtension.status == "pending").limit(1))


def requests_for_task(session: Session, human_task_id: int) -> list[DeadlineExtension]:
    """Every request made on the task, newest first."""
    return list(session.scalars(select(DeadlineExtension).where(DeadlineExtension.human_task_id == human_task_id)
                                .order_by(DeadlineExtension.id.desc())))


def request_reviewed_by(session: Session, review_task: HumanTask) -> DeadlineExtension | None:
    """The request an office's 审批延期申请 task decides."""
    return session.scalar(select(DeadlineExtension).where(DeadlineExtension.instance_id == review_task.instance_id))


def record_decision(completed: Completed) -> None:
    """The recorder of 审批延期申请: apply the office's decision to the request and the task it is about."""
    session, submitted, task = completed.session, completed.submitted, completed.task
    extension = session.scalar(select(DeadlineExtension).where(DeadlineExtension.instance_id == completed.instance.id))
    extension.decided_by, extension.decided_at = task.completed_by, task.completed_at
    extension.decision_comment = submitted.get("decision_comment") or None
    if submitted["extension_decision"] != "approve":
        extension.status = "refused"
        _tell_requester(completed, extension, "延期申请未获批准")
        return
    original = extension.human_task
    if original.state != "ready":
        extension.status = "void"
        return
    approved = _approved_date(submitted, extension, original)
    # A recorder is handed the session, not the engine that completed the task; this one shares the session.
    process_engine(session).set_task_due(original.id, approved, actor=task.completed_by,
                                         reason=f"延期申请获准：{extension.reason}")
    extension.status, extension.approved_due_on = "approved", approved
    _tell_requester(completed, extension, f"延期申请已获批准，新的办理期限为 {approved:%Y年%m月%d日}")


def _tell_requester(completed: Completed, extension: DeadlineExtension, outcome: str) -> None:
    """The requesting unit learns the decision, with the office's comment, on the task the request was about."""
    comment = f"：{extension.decision_comment}" if extension.decision_comment else ""
    notify(completed.session, "extension_decided", f"“{extension.human_task.name}”的{outcome}{comment}",
           at=completed.task.completed_at, unit_code=extension.unit_code, task=extension.human_task)


def _approved_date(submitted: dict, extension: DeadlineExtension, original: HumanTask) -> date:
    approved = date.fromisoformat(submitted["approved_due"]) if submitted.get("approved_due") else \
        extension.requested_due_on
    current = original.due_on or extension.current_due_on
    if current is not None and approved <= current:
        raise FormInvalid({"approved_due": f"“批准延至”须晚于当前期限 {current:%Y年%m月%d日}"})
    return approved


@dataclass
class RequestView:
    extension: DeadlineExtension
    unit_name: str
    status_name: str
    approved_due_on: date | None


@dataclass
class TaskExtensions:
    """What a task's page shows of 延期申请: the requests made on it, or the one it decides, and the link."""

    may_request: bool
    requests: list[RequestView]
    reviewed: RequestView | None
    reviewed_task_open: bool


def task_extensions(session: Session, actor: Actor, task: HumanTask) -> TaskExtensions:
    def view(extension: DeadlineExtension) -> RequestView:
        unit = session.get(Unit, extension.unit_code)
        return RequestView(extension, unit.name if unit else extension.unit_code,
                           label("extension_status", extension.status),
                           extension.approved_due_on)

    requests = [view(e) for e in requests_for_task(session, task.id)]
    is_review = task.instance.definition.key == PROCESS_KEY
    reviewed = request_reviewed_by(session, task) if is_review else None
    pending = any(r.extension.status == "pending" for r in requests)
    may_request = (task.state == "ready" and task.due_on is not None and may_complete(actor, task)
                   and not is_review and not pending)
    return TaskExtensions(may_request, requests, view(reviewed) if reviewed else None,
                          reviewed is not None and reviewed.human_task.state == "ready")
