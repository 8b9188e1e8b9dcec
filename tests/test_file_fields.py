"""Every form field of the diagrams that holds a file (附件, 佐证材料 …) is a file picker with upload-and-select,
and is named as one to the labels, so that its value reads as file names and never as ids."""
import re
from pathlib import Path

from workflows.records.labels import FILE_FIELDS

BPMN = Path(__file__).resolve().parent.parent / "bpmn"
FIELD = re.compile(r'<camunda:formField\s+id="([^"]+)"\s+label="([^"]*)"\s+type="([^"]+)"')
FILE_WORDS = ("附件", "佐证", "材料", "文件")


def form_fields():
    for path in sorted(BPMN.glob("*.bpmn")):
        for field_id, label, kind in FIELD.findall(path.read_text(encoding="utf-8")):
            yield path.name, field_id, label, kind


def test_the_diagrams_have_form_fields_to_check():
    assert len(list(form_fields())) > 20


def test_every_field_that_holds_a_file_is_a_file_picker():
    typed = [(name, field_id, label, kind) for name, field_id, label, kind in form_fields()
             if any(word in label for word in FILE_WORDS) and kind != "attachments"]

    assert typed == []


def test_every_file_picker_reads_as_file_names():
    unnamed = [(name, field_id) for name, field_id, _, kind in form_fields()
               if kind == "attachments" and field_id not in FILE_FIELDS]

    assert unnamed == []
