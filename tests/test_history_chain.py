"""The tamper-evident history (issue 18 §3): every history event carries a SHA-256 over its content and the previous
event's hash of its instance; `flask --app web history verify` finds the first event that does not fit."""
from __future__ import annotations

from sqlalchemy import select, text

from engine import HistoryEvent
from engine.chain import GENESIS, event_digest, history_head, verify
from tests.process_support import REPORT, Driver, start_projects


def played(db) -> Driver:
    """Three projects started in one batch, one report submitted and accepted."""
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2, 10, 52)
    driver.complete(driver.task(name="汇总填报季度报告", business_key="2017-02"), REPORT)
    driver.complete(driver.task(name="审核季度报告", business_key="2017-02"), {"verdict": "accept"})
    return driver


def events(db) -> list[HistoryEvent]:
    return list(db.scalars(select(HistoryEvent).order_by(HistoryEvent.id)))


def test_each_event_hashes_its_content_and_the_previous_events_hash_of_its_instance(db):
    played(db)
    rows = events(db)
    assert len(rows) > 5 and all(len(row.chain_hash) == 64 for row in rows)
    previous: dict[int, str] = {}
    for row in rows:
        expected = event_digest(previous.get(row.instance_id, GENESIS), row.at, row.kind, row.task_name, row.actor,
                                row.data)
        assert row.chain_hash == expected, row.id
        previous[row.instance_id] = row.chain_hash


def test_an_untouched_history_verifies_and_the_command_says_so(db, runner):
    played(db)
    assert verify(db) is None
    result = runner.invoke(args=["history", "verify"])
    assert result.exit_code == 0 and "流程历史完整" in result.output
    assert history_head(db).head in result.output


def test_an_edited_event_row_is_found_and_named_with_exit_status_1(db, runner):
    played(db)
    rows = events(db)
    edited = rows[len(rows) // 2]
    db.execute(text("UPDATE history_event SET actor = 'mallory' WHERE id = :id"), {"id": edited.id})
    db.commit()

    result = runner.invoke(args=["history", "verify"])

    assert result.exit_code == 1
    assert f"第 {edited.id} 号事件" in result.output and edited.kind in result.output


def test_a_deleted_event_breaks_the_chain_at_the_next_event_of_its_instance(db, runner):
    played(db)
    rows = events(db)
    deleted = rows[len(rows) // 2]
    following = next(row for row in rows if row.id > deleted.id and row.instance_id == deleted.instance_id)
    db.execute(text("DELETE FROM history_event WHERE id = :id"), {"id": deleted.id})
    db.commit()

    broken = verify(db)

    assert broken is not None and broken.event_id == following.id


def test_the_head_changes_with_every_new_event_and_can_be_taken_as_of_an_earlier_version(db):
    driver = played(db)
    before = history_head(db)
    driver.complete(driver.task(name="汇总填报季度报告", business_key="2017-10"), REPORT)
    after = history_head(db)
    assert after.event_id > before.event_id and after.head != before.head
    assert history_head(db, up_to=before.event_id) == before
