"""Ten simultaneous submissions of one start form (one Idempotency-Key) start one instance; every answer names it."""
from __future__ import annotations

import json
import os
import threading
import urllib.request
from datetime import datetime

import pytest
from sqlalchemy import func, select

from engine import ProcessInstance
from tests.browser_support import live_server  # noqa: F401
from tests.start_support import diagram
from tests.web_support import db, ensure_user  # noqa: F401
from workflows.accounts.tokens import issue_token
from workflows.directory import units as directory
from workflows.processes import deployment
from workflows.runtime import process_engine

on_postgresql = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                   reason="concurrent writers are PostgreSQL's; SQLite has one writer")
START = {"process_key": "relief_request", "data": {"subject": "张某家庭临时救助"}}


def post_start(url: str, token: str) -> tuple[int, int]:
    request = urllib.request.Request(url, data=json.dumps(START).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": "same-form"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read())["id"]


@on_postgresql
def test_ten_simultaneous_starts_with_one_key_give_one_instance(live_server, db):  # noqa: F811
    directory.load_directory(db)
    process_engine(db).clock.set(datetime(2017, 6, 8, 9, 0))
    deployment.deploy_diagram(db, diagram("starter_form"), source="relief.bpmn", deployed_by="office")
    token = issue_token(db, ensure_user(db, "caoyang", "caoyang"), datetime.utcnow())
    db.commit()
    start, answers = threading.Barrier(10), []

    def submit():
        start.wait()
        answers.append(post_start(f"{live_server}/api/process-instances", token))

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(answers) == 10 and {status for status, _ in answers} == {201}
    assert len({instance_id for _, instance_id in answers}) == 1
    assert db.scalar(select(func.count()).select_from(ProcessInstance)) == 1
