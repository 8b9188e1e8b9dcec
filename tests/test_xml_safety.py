"""Uploaded BPMN is parsed with DTDs, entities and the network off: hostile files are refused and nothing is deployed."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import InvalidDiagram, ProcessDefinition
from engine.parser import MAX_BYTES
from tests.engine_support import diagram, make_engine

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" name="&lol4;" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" name="&secret;" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""

NETWORK_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd">
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>"""


def oversized() -> bytes:
    padding = b"<!--" + b"x" * MAX_BYTES + b"-->"
    return diagram("timers.bpmn").replace(b"<bpmn:process", padding + b"<bpmn:process", 1)


HOSTILE = {
    "billion laughs": (BILLION_LAUGHS, "DTD"),
    "an external entity reading a local file": (EXTERNAL_ENTITY, "entity|DTD"),
    "a DTD fetched from the network": (NETWORK_DTD, "DTD"),
    "a parameter entity": (PARAMETER_ENTITY, "DTD"),
    "a file over 5 MB": (oversized(), "5 MB"),
    "not XML at all": (b"MZ\x90\x00 this is an executable", "XML"),
    "XML that is not BPMN": (b"<html><body>hello</body></html>", "bpmn:definitions"),
}


@pytest.mark.parametrize("document, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_upload_is_refused_with_a_reason_and_nothing_is_deployed(engine_db, document, message):
    with engine_db() as session:
        with pytest.raises(InvalidDiagram, match=message) as refused:
            make_engine(session).deploy(document, deployed_by="tester", source="upload.bpmn")
        assert "upload.bpmn" in refused.value.message
        assert "root:" not in refused.value.message  # no line of /etc/passwd came back
        assert session.scalars(select(ProcessDefinition)).all() == []
