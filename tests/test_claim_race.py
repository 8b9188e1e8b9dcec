"""Claiming is atomic on SQLite and PostgreSQL alike: of two clerks pressing 认领 at once, one holds the task and
the other is told who has it (409), never both told 已认领 with the last writer holding it."""
from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import select

from engine import HumanTask, TaskNotReady
from tests.process_support import Driver, start_projects, unit_actor
from tests.web_support import csrf_token, db, ensure_user, login_as  # noqa: F401
from workflows.accounts.actor import Actor
from workflows.accounts.tokens import issue_token
from workflows.tasks import inbox, notes
from workflows.tasks.models import TaskDraft
from workflows.tasks.inbox import ClaimConflict

LEAD = "zuzhibu"  # 区委组织部 leads projects 1 and 2
COMPILE = "汇总填报季度报告"


@pytest.fixture
def driver(db) -> Driver:  # noqa: F811
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 1, 2)
    return driver


def clerk(username: str) -> Actor:
    return Actor(username, LEAD, "unit")


def holder(db, task_id: int) -> str | None:  # noqa: F811
    db.expire_all()
    return db.scalar(select(HumanTask.claimed_by).where(HumanTask.id == task_id))


def press_at_once(clients: dict, task_id: int) -> dict[str, int]:
    """Every client posts 认领 for the task at the same moment, with the CSRF token its inbox page gave it."""
    tokens = {name: csrf_token(client.get("/inbox")) for name, client in clients.items()}
    start, answers = threading.Barrier(len(clients)), {}

    def press(name: str) -> None:
        start.wait()
        answers[name] = clients[name].post(f"/tasks/{task_id}/claim", data={"csrf_token": tokens[name]})

    threads = [threading.Thread(target=press, args=(name,)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_clerks_pressing_claim_at_once_on_the_inbox_page_leave_one_holder_and_tell_the_other_who(
        driver, db, login_as):  # noqa: F811
    ensure_user(db, "zuzhibu2", LEAD)
    clients = {"zuzhibu": login_as(LEAD), "zuzhibu2": login_as("zuzhibu2")}
    task_id = driver.task(name=COMPILE, business_key="2017-02").id
    for _ in range(8):
        answers = press_at_once(clients, task_id)
        codes = sorted(response.status_code for response in answers.values())
        assert codes == [302, 409]
        winner = next(name for name, response in answers.items() if response.status_code == 302)
        loser = next(response for response in answers.values() if response.status_code == 409)
        assert holder(db, task_id) == winner
        assert f"（{winner}）认领" in loser.get_data(as_text=True)
        inbox.release(db, db.get(HumanTask, task_id), clerk(winner))
        db.commit()


def test_a_claim_waiting_behind_a_colleagues_uncommitted_claim_is_refused_once_that_commits(driver, app):
    from web.core.db import new_session

    with app.app_context():
        first, second = new_session(), new_session()
    task_id = driver.task(name=COMPILE, business_key="2017-02").id
    mine, theirs = first.get(HumanTask, task_id), second.get(HumanTask, task_id)
    assert mine.claimed_by is None and theirs.claimed_by is None  # both clerks saw it unclaimed
    inbox.claim(first, mine, clerk("zuzhibu"))  # holds the write lock (SQLite) or the row (PostgreSQL)
    outcome = {}

    def colleague_claims() -> None:
        try:
            inbox.claim(second, theirs, clerk("zuzhibu2"))
            second.commit()
            outcome["result"] = "claimed"
        except ClaimConflict as error:
            second.rollback()
            outcome["result"] = str(error)

    thread = threading.Thread(target=colleague_claims)
    thread.start()
    time.sleep(0.3)  # let the colleague's claim reach the database and wait there (ordering, not a speed check)
    first.commit()
    thread.join()
    assert outcome["result"] == f"任务“{COMPILE}”已被 zuzhibu 认领"  # no account row: the user name alone
    assert holder(driver.session, task_id) == "zuzhibu"
    first.close()
    second.close()


def test_claiming_ones_own_task_again_is_no_conflict_and_a_display_name_is_shown_to_the_colleague(driver, db):  # noqa: F811
    ensure_user(db, "zuzhibu", LEAD).display_name = "张三"
    db.commit()
    task = driver.task(name=COMPILE, business_key="2017-02")
    inbox.claim(db, task, clerk("zuzhibu"))
    inbox.claim(db, task, clerk("zuzhibu"))
    db.commit()
    with pytest.raises(ClaimConflict, match="已被 张三（zuzhibu）认领"):
        inbox.claim(db, task, clerk("zuzhibu2"))
    assert holder(db, task.id) == "zuzhibu"


def test_a_task_completed_meanwhile_cannot_be_claimed(driver, db):  # noqa: F811
    task = driver.task(name=COMPILE, business_key="2017-02")
    driver.complete(task, {"progress": "已召开联席会议两次", "percent": "40", "status": "on_track",
                           "next_step": "submit"})
    with pytest.raises(TaskNotReady):
        inbox.claim(db, task, unit_actor(LEAD))


def test_two_api_clients_claiming_at_once_get_one_200_and_one_409(driver, db, app):  # noqa: F811
    tokens = [issue_token(db, ensure_user(db, name, LEAD), datetime.utcnow()) for name in ("zuzhibu", "zuzhibu2")]
    db.commit()
    task_id = driver.task(name=COMPILE, business_key="2017-01").id
    start, codes = threading.Barrier(2), []

    def claim(token: str) -> None:
        client = app.test_client()
        start.wait()
        codes.append(client.post(f"/api/tasks/{task_id}/claim", headers={"Authorization": f"Bearer {token}"})
                     .status_code)

    threads = [threading.Thread(target=claim, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 409]
    assert holder(db, task_id) in ("zuzhibu", "zuzhibu2")


def test_a_first_draft_saved_while_a_colleagues_first_draft_is_uncommitted_updates_it_instead_of_failing(
        driver, app):
    from web.core.db import new_session

    with app.app_context():
        first, second = new_session(), new_session()
    task_id = driver.task(name=COMPILE, business_key="2017-02").id
    fields = inbox.form_fields(driver.engine, driver.session.get(HumanTask, task_id))
    mine, theirs = first.get(HumanTask, task_id), second.get(HumanTask, task_id)
    notes.save_draft(first, mine, clerk("zuzhibu"), fields, {"progress": "甲"}, now=datetime(2017, 6, 9, 9))
    outcome = {}

    def colleague_saves() -> None:
        draft = notes.save_draft(second, theirs, clerk("zuzhibu2"), fields, {"progress": "乙"},
                                 now=datetime(2017, 6, 9, 9, 1))
        second.commit()
        outcome["saved"] = draft.data

    thread = threading.Thread(target=colleague_saves)
    thread.start()
    time.sleep(0.3)  # let the colleague's save reach the database and wait there (ordering, not a speed check)
    first.commit()
    thread.join()
    assert outcome["saved"] == {"progress": "乙"}
    driver.session.expire_all()
    assert driver.session.get(TaskDraft, task_id).saved_by == "zuzhibu2"
    first.close()
    second.close()
