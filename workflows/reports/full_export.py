"""The auditor's full export: a ZIP with every record table and the process history as CSV (UTF-8 with a BOM,
so that Excel reads the Chinese), and ``manifest.csv`` giving each file's table, row count and SHA-256, with the
data version and history chain head the export was taken at.

The tables are read from the database as it is (reflected), so a table added later is exported too; left out
are the accounts' secrets (user accounts, sessions, API tokens, sign-in attempts), unsaved drafts, and the
engine's serialized state and diagram sources (not records; the history says what happened).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import LargeBinary, MetaData, select
from sqlalchemy.orm import Session

from engine.chain import history_head

LEFT_OUT_TABLES = {"user_account", "user_session", "api_token", "login_attempt", "alembic_version", "task_draft",
                   "process_draft"}
LEFT_OUT_COLUMNS = {("process_instance", "state"), ("process_definition", "bpmn_xml"),
                    ("process_definition", "spec_state")}


@dataclass(frozen=True)
class ManifestRow:
    file: str
    table: str
    rows: int
    sha256: str


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _table_csv(session: Session, table) -> tuple[bytes, int]:
    columns = [c for c in table.columns if (table.name, c.name) not in LEFT_OUT_COLUMNS
               and not isinstance(c.type, LargeBinary)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.name for c in columns])
    count = 0
    order = list(table.primary_key.columns) or columns[:1]
    for row in session.execute(select(*columns).order_by(*order)):
        writer.writerow([_cell(value) for value in row])
        count += 1
    return out.getvalue().encode("utf-8-sig"), count


def full_export(session: Session) -> tuple[bytes, list[ManifestRow]]:
    """The ZIP's bytes and its manifest rows (one per table file)."""
    version = history_head(session)
    metadata = MetaData()
    metadata.reflect(bind=session.connection())
    manifest: list[ManifestRow] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(metadata.tables):
            if name in LEFT_OUT_TABLES:
                continue
            content, count = _table_csv(session, metadata.tables[name])
            archive.writestr(f"{name}.csv", content)
            manifest.append(ManifestRow(f"{name}.csv", name, count, hashlib.sha256(content).hexdigest()))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["数据版本", version.event_id])
        writer.writerow(["流程历史链头", version.head])
        writer.writerow(["文件", "数据表", "行数", "SHA-256"])
        for row in manifest:
            writer.writerow([row.file, row.table, row.rows, row.sha256])
        archive.writestr("manifest.csv", out.getvalue().encode("utf-8-sig"))
    return buffer.getvalue(), manifest
