"""The task page that the inbox, task_notes and task_actions blueprints share: finding a task the user may see,
and drawing its page (inbox/task.html) with the form, the notes and the actions, after a success or a refusal."""
from __future__ import annotations

from flask import abort, render_template, request, session as cookie, url_for
from flask_login import current_user

from engine import HumanTask
from workflows.forms import FieldSpec
from workflows.tasks import inbox as inboxes, notes as task_notes
from workflows.tasks.permissions import may_view
from workflows.tasks.unit_choices import expand_groups, unit_choices

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
    if spec.type in ("units", "action_items") and not spec.readonly:
        return spec.type
    return {"long": "number", "date": "date", "enum": "select", "boolean": "checkbox",
            "attachments": "attachments"}.get(spec.type, "textarea")


ACTION_COLUMNS = ("unit", "task", "due_on")  # a decision row's inputs: <field>__unit, <field>__task, <field>__due_on
BLANK_ROWS = 3


def action_rows(text: str, choices) -> tuple[list[tuple[str, str, str]], str]:
    """The field's lines (单位；事项；期限) as rows for the row inputs (with blank rows to add more), and the lines
    the rows cannot show (not three parts, or a unit not in the list by code) for the paste box: nothing typed is
    lost. ``choices``: the UnitChoices of the rows' unit lists."""
    codes = {unit.code for _, units in choices.kinds for unit in units}
    rows, leftover = [], []
    for line in (line.strip() for line in text.splitlines() if line.strip()):
        parts = tuple(part.strip() for part in line.replace(";", "；").split("；"))
        (rows.append(parts) if len(parts) == 3 and parts[0] in codes else leftover.append(line))
    return rows + [("", "", "")] * BLANK_ROWS, "\n".join(leftover)


def posted_action_items(spec: FieldSpec) -> str:
    """The rows as posted (each filled row one line, 单位；事项；期限) and, after them, the lines pasted into the
    shortcut text box: one text for the form's check, which names each faulty row by its number."""
    columns = [request.form.getlist(f"{spec.id}__{column}") for column in ACTION_COLUMNS]
    lines = ["；".join(part.strip() for part in row) for row in zip(*columns) if any(part.strip() for part in row)]
    pasted = [line for line in request.form.get(spec.id, "").splitlines() if line.strip()]
    return "\n".join(lines + pasted)


def spec_kinds(spec: FieldSpec) -> tuple[str, ...] | None:
    """The unit kinds a ``units`` field takes (its ``kinds`` property, as the form's check reads it)."""
    kinds = spec.properties.get("kinds")
    return tuple(kind.strip() for kind in kinds.split(",")) if kinds else None


def picked_units(spec: FieldSpec) -> str:
    """A ``units`` field as posted by the picker (ticked codes, groups expanded) or typed (names), as one text."""
    ticked = [value for value in request.form.getlist(spec.id) if value.strip()]
    return "、".join(expand_groups(get_session(), ticked))


def render_task(task: HumanTask, submitted: dict | None = None, errors: dict | None = None, status: int = 200,
                note_errors: dict | None = None):
    """The task page; ``errors`` are the form's, ``note_errors`` those of the draft, upload or comment forms."""
    session, actor = get_session(), current_user.actor
    engine = get_process_engine()
    page = inboxes.task_page(session, engine, task, actor, submitted)
    notes = task_notes.notes_for(session, task, actor, page.project, engine.clock.today())
    if submitted is None:
        page.values = task_notes.values_with_draft(page.fields, page.values, notes.draft)
    widgets = [widget(spec) for spec in page.fields]
    return render_template("inbox/task.html", page=page, notes=notes, errors=errors or {},
                           note_errors=note_errors or {}, widget=widget, back=back_link(),
                           unit_pickers={spec.id: unit_choices(session, spec_kinds(spec))
                                         for spec, kind in zip(page.fields, widgets) if kind == "units"},
                           action_rows=action_rows,
                           action_units=unit_choices(session, with_groups=False) if "action_items" in widgets else None
                           ), status


# The lists a task page is opened from, by path, and what the way back to each is called.
LISTS = (("/inbox/done", "已办"), ("/inbox", "待办"), ("/projects", "项目"), ("/dashboard", "驾驶舱"),
         ("/instances", "流程实例"), ("/notifications", "消息"), ("/started", "我发起的"))


def _list_label(path: str | None) -> str | None:
    for prefix, label in LISTS:
        if path and (path == prefix or path.startswith((prefix + "/", prefix + "?"))):
            return label
    return None


def back_link() -> tuple[str, str]:
    """(url, label) of the list this person opened the task from, with its filters and page; remembered in the
    session so that it survives the page's own posts (a draft, an upload, a comment). Default: 待办."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        path = "/" + referrer[len(request.host_url):]
        if _list_label(path):
            cookie["task_list"] = path[:500]
    remembered = cookie.get("task_list")
    label = _list_label(remembered)
    return (remembered, label) if label else (url_for("inbox.index"), "待办")
