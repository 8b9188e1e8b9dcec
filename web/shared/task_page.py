"""The task page that the inbox, task_notes and task_actions blueprints share: finding a task the user may see,
and drawing its page (inbox/task.html) with the form, the notes and the actions, after a success or a refusal."""
from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from engine import HumanTask
from workflows.forms import FieldSpec
from workflows.records.history import person_names
from workflows.tasks import inbox as inboxes, notes as task_notes
from workflows.tasks.permissions import may_view

from ..core.db import get_process_engine, get_session


def get_task(task_id: int) -> HumanTask:
    """The task if this user may see it; 404 otherwise, so other units' tasks stay invisible."""
    task = get_session().get(HumanTask, task_id)
    if task is None or not may_view(current_user.actor, task):
        abort(404)
    return task


def widget(spec: FieldSpec) -> str:
    """The HTML control for a form field."""
    if spec.type == "string":
        return "textarea" if int(spec.constraints.get("maxlength") or 0) > 200 else "text"
    return {"long": "number", "date": "date", "enum": "select", "boolean": "checkbox",
            "attachments": "attachments"}.get(spec.type, "textarea")


def render_task(task: HumanTask, submitted: dict | None = None, errors: dict | None = None, status: int = 200,
                note_errors: dict | None = None):
    """The task page; ``errors`` are the form's, ``note_errors`` those of the draft, upload or comment forms."""
    session, actor = get_session(), current_user.actor
    page = inboxes.task_page(session, get_process_engine(), task, actor, submitted)
    notes = task_notes.notes_for(session, task, actor, page.project)
    if submitted is None:
        page.values = task_notes.values_with_draft(page.fields, page.values, notes.draft)
    return render_template("inbox/task.html", page=page, notes=notes, errors=errors or {},
                           note_errors=note_errors or {}, widget=widget, people=person_names(session)), status
