"""A bounded schemathesis run against /api/openapi.json: whatever it sends, the API never answers 500."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from tests.process_support import Driver, start_projects
from tests.web_support import db, ensure_user  # noqa: F401
from workflows.accounts.tokens import issue_token

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_generated_requests_to_every_api_operation_never_get_a_server_error(live_server, db, tmp_path):  # noqa: F811
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2, 5)
    token = issue_token(db, ensure_user(db, "zuzhibu", "zuzhibu"), datetime.utcnow())
    db.commit()
    run = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{live_server}/api/openapi.json", "--url", live_server,
         "-H", f"Authorization: Bearer {token}", "--checks", "not_a_server_error", "--max-examples", "10",
         "--seed", "2017", "--generation-deterministic", "--request-timeout", "30", "--max-time", "100"],
        capture_output=True, text=True, timeout=400, cwd=tmp_path, env={**os.environ, "NO_COLOR": "1"})
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
