"""Every code the product can store or show has its word in workflows/records/labels.py, the same word the
diagram gives its choice; a code without one is an error, never shown as itself."""
from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from workflows.records import labels
from workflows.records.history import describe
from engine.models import HistoryEvent

ROOT = Path(__file__).resolve().parent.parent
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"


def diagram_fields() -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    """(diagram file, field id, type, [(value id, value name)]) for every form field of bpmn/*.bpmn."""
    found = []
    for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
        for form_field in ElementTree.parse(path).iter(f"{CAMUNDA}formField"):
            values = [(v.get("id"), v.get("name")) for v in form_field.iter(f"{CAMUNDA}value")]
            found.append((path.name, form_field.get("id"), form_field.get("type"), values))
    return found


def test_every_enum_choice_of_every_diagram_has_the_label_the_diagram_gives_it():
    enums = [(name, field_id, values) for name, field_id, kind, values in diagram_fields() if kind == "enum"]
    assert len(enums) >= 14

    for diagram, field_id, values in enums:
        for value_id, value_name in values:
            assert labels.choice_label(field_id, value_id) == value_name, (diagram, field_id, value_id)
        assert set(labels.CHOICES[field_id]) == {value_id for value_id, _ in values}, (diagram, field_id)


def test_every_form_field_of_every_diagram_has_a_name_for_the_history_and_the_panels():
    missing = {(diagram, field_id) for diagram, field_id, _, _ in diagram_fields() if field_id not in labels.FIELDS}
    assert missing == set()


def _written_codes(pattern: str, *folders: str) -> set[str]:
    codes = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            codes |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return codes


def test_every_history_kind_the_engine_or_the_domain_records_has_a_label():
    kinds = _written_codes(r'(?:_record|record_event)\(\s*[\w.]+,\s*"([a-z_]+)"', "engine", "workflows")
    kinds |= _written_codes(r'(?:_record|record_event)\(\s*"([a-z_]+)"', "engine", "workflows")
    assert {"started", "task_completed", "migrated", "incident"} <= kinds

    assert {kind: labels.label("history_kind", kind) for kind in kinds}


@pytest.mark.parametrize(("vocabulary", "pattern", "folders"), [
    ("instance_status", r'status\s*=\s*"([a-z_]+)"', ("engine",)),
    ("task_state", r'\.state\s*=\s*"([a-z_]+)"', ("engine",)),
    ("report_status", r'report\.status(?:, [\w.]+)?\s*=\s*"([a-z_]+)"', ("workflows/records",)),
    ("completion_status", r'completion\.status(?:, [\w.]+)?\s*=\s*"([a-z_]+)"', ("workflows/records",)),
    ("check_status", r'check\.status(?:, [\w.]+)?\s*=\s*"([a-z_]+)"', ("workflows/records",)),
    ("action_status", r'action\.status(?:, [\w.]+)?\s*=\s*"([a-z_]+)"', ("workflows/records",)),
    ("meeting_status", r'meeting\.status\s*=\s*"([a-z_]+)"', ("workflows/records",)),
    ("consultation_status", r'consultation\.status(?:, [\w.]+)?\s*=\s*"([a-z_]+)"', ("workflows/records",)),
])
def test_every_status_the_code_writes_has_a_label(vocabulary, pattern, folders):
    written = _written_codes(pattern, *folders)
    assert written, f"no {vocabulary} found: the pattern no longer matches the code"

    assert {code: labels.label(vocabulary, code) for code in written}


def test_a_code_without_a_label_is_an_error_not_the_code_itself():
    with pytest.raises(labels.MissingLabel):
        labels.label("report_status", "archived")
    with pytest.raises(labels.MissingLabel):
        labels.choice_label("status", "stalled")
    with pytest.raises(labels.MissingLabel):
        labels.shown_value("verdict", "maybe", units={})


def test_a_completed_report_reads_in_words_in_the_history():
    event = HistoryEvent(kind="task_completed", data={"data": {
        "progress": "下一步报区委审议。", "percent": 40, "status": "on_track", "next_step": "submit",
        "attachments": [3]}})

    text = describe(event, {}, {3: "进展材料.docx"})

    assert text == "进展情况：下一步报区委审议。；完成比例：40%；推进状态：正常推进；下一步：提交区推进办；附件：进展材料.docx"
    assert not re.search(r"on_track|submit|\b40\b(?!%)", text)


def test_evidence_reads_as_file_names_like_attachments():
    event = HistoryEvent(kind="task_completed", data={"data": {"answer": "已开工1200户", "evidence": [7]}})

    text = describe(event, {}, {7: "开工清单.xlsx"})

    assert text == "落实情况：已开工1200户；佐证材料：开工清单.xlsx"


def test_each_list_of_status_words_is_written_once_in_the_labels_registry():
    root = Path(__file__).resolve().parent.parent
    sources = [path for folder in ("web", "workflows") for path in (root / folder).rglob("*.py")
               if path != root / "workflows/records/labels.py"]
    copies = [(path.relative_to(root).as_posix(), code, word)
              for path in sources for text in [path.read_text(encoding="utf-8")]
              for vocabulary in labels.VOCABULARIES.values() for code, word in vocabulary.items()
              if re.search(rf"""["']{re.escape(code)}["']\s*:\s*["']{re.escape(word)}["']""", text)]

    assert copies == []
