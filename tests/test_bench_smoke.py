"""The benchmark (`make bench`) at tiny sizes on the test database, so that it cannot rot: every figure is
produced, and no timer fires twice. Timing targets are the full run's business, not this test's."""
from __future__ import annotations

import pytest

from bench.database import empty_database
from bench.run import run
from bench.sizes import scale_for


@pytest.fixture
def bench_database(database_url, monkeypatch):
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    monkeypatch.setenv("BENCH_DATABASE_URL" if kind == "postgresql" else "BENCH_SQLITE_URL", database_url)
    yield kind
    empty_database(database_url)


def test_a_smoke_run_of_the_benchmark_produces_every_figure_and_fires_each_timer_once(bench_database):
    result = run(bench_database, scale_for("smoke"))
    numbered = {figure.name.split(".")[0] for figure in result.figures}
    assert numbered == {"1", "2", "3", "4", "5", "6", "7"}
    assert all(figure.number > 0 for figure in result.figures), [(f.name, f.number) for f in result.figures]
    fired_once = next(f for f in result.figures if f.name.startswith("5. fired exactly once"))
    assert fired_once.met, fired_once.value
    poison = next(f for f in result.figures if f.name.startswith("5. the poison instance"))
    assert poison.met, poison.value  # in error with one incident, its timer's step rolled back
    assert result.counts["human tasks"] == 200 and result.counts["consultations"] == 20
