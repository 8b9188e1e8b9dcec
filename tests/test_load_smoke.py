"""The peak day's load test (`python -m bench --load`) at a tiny size on SQLite, so that it cannot rot: the
Procfile's gunicorn serves a few projects, a few locust users sign in and work for a few seconds, nothing fails
and every acknowledged completion is in the history exactly once. Timing targets are the full run's business."""
from __future__ import annotations

from bench.load import LOAD_SIZES, run_load
from bench.load_report import section
from bench.load_server import procfile_command


def test_a_small_peak_day_runs_without_errors_and_records_each_completion_once(tmp_path):
    run = run_load("sqlite", 2, LOAD_SIZES["smoke"], url=f"sqlite:///{tmp_path / 'load.db'}")
    phases = [run.swarm["steady"], *run.swarm["ramp"]]
    assert [phase["errors"] for phase in phases] == [[]] * len(phases)
    assert [phase["failures"] for phase in phases] == [0] * len(phases)
    sent = {entry["name"] for phase in phases for entry in phase["endpoints"] if entry["requests"]}
    assert {"GET /inbox (lead unit)", "GET /inbox (office)", "GET /dashboard"} <= sent
    # The few reports may all be in before the phases count (after every user signed in); the history has them.
    assert any(name.startswith("GET /tasks/<id> (") for name in sent)
    assert any(name.startswith("POST /tasks/<id>/draft (") for name in sent)
    assert run.history.acknowledged > 0 and run.history.exact, run.history
    assert "### Load: sqlite, 2 gunicorn workers (smoke)" in section(run)


def test_the_load_test_serves_the_procfiles_web_line_with_its_worker_count_and_port_replaced():
    command = procfile_command(54321, 4)
    assert command[0].endswith("gunicorn") and "web:create_app()" in command
    assert command[command.index("--workers") + 1] == "4"
    assert command[command.index("--bind") + 1] == "127.0.0.1:54321"
