"""The office's engine limits are read once a second per process, not by every request that builds an engine: the
process that changes a limit uses it as soon as the change is committed, another process within a second, and a
change not yet committed is seen by its own session only."""
from __future__ import annotations

import pytest

from tests.sql_support import statements_sent
from workflows.records import settings
from workflows.records.models import Setting

CONFIG = {"MAX_TIMER_YEARS": "5"}


def max_timer_years(session) -> float:
    return float(settings.engine_limit_settings(session, CONFIG)["MAX_TIMER_YEARS"])


@pytest.fixture
def sessions(app):
    from web.core.db import new_session

    with app.app_context():
        opened = []

        def open_one():
            opened.append(new_session())
            return opened[-1]

        yield open_one
        for session in opened:
            session.close()


def setting_reads(session, action) -> int:
    with statements_sent(session.get_bind()) as sent:
        action()
    return sum("FROM setting" in statement for statement in sent)


def test_requests_within_a_second_read_the_limits_once(sessions, monkeypatch):
    monkeypatch.setattr(settings, "LIMITS_MAX_AGE", 3600.0)  # however slow the machine, "within a second"
    first, second = sessions(), sessions()

    assert setting_reads(first, lambda: max_timer_years(first)) == 1
    assert setting_reads(second, lambda: max_timer_years(second)) == 0


def test_the_process_that_changes_a_limit_uses_it_once_committed(sessions):
    reader, office = sessions(), sessions()
    assert max_timer_years(reader) == 5

    settings.set_setting(office, "engine_limits", {"max_timer_years": 20}, actor="office")
    assert (max_timer_years(office), max_timer_years(sessions())) == (20, 5)  # not committed: its own session only
    office.commit()

    assert max_timer_years(sessions()) == 20


def test_a_change_rolled_back_is_never_used(sessions):
    office = sessions()
    settings.set_setting(office, "engine_limits", {"max_timer_years": 20}, actor="office")
    assert max_timer_years(office) == 20
    office.rollback()

    assert (max_timer_years(office), max_timer_years(sessions())) == (5, 5)


def test_a_change_made_by_another_process_is_used_after_a_second(sessions, monkeypatch):
    monkeypatch.setattr(settings, "LIMITS_MAX_AGE", 3600.0)
    assert max_timer_years(sessions()) == 5
    other_process = sessions()  # writes the row as another process's change_settings would, unseen by this one
    other_process.add(Setting(key="engine_limits", value={"max_timer_years": 20}))
    other_process.commit()
    assert max_timer_years(sessions()) == 5

    monkeypatch.setattr(settings, "LIMITS_MAX_AGE", 0.0)
    assert max_timer_years(sessions()) == 20
