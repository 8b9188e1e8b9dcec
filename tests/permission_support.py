"""The world the permission matrix runs on (tests/test_permissions.py): one app and database per module, the
activated 2017 plan, a user per role with a signed-in client and an API token, and a snapshot of what a refused
request must not change."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from flask import url_for
from sqlalchemy import func, select

from engine import HistoryEvent, HumanTask, ProcessInstance
from tests.conftest import fresh_app
from tests.process_support import Driver
from tests.web_support import csrf_token, ensure_user, sign_in
from workflows.accounts.actor import Actor
from workflows.accounts.models import ApiToken, User
from workflows.accounts.tokens import issue_token
from workflows.cases import opening as cases
from workflows.notifications.models import Notification
from workflows.plan.models import Plan, Project
from workflows.tasks import attachments
from workflows.tasks.models import Attachment, DeadlineExtension, TaskComment, TaskDraft

# role → (username, unit code); ``unit`` does the world's task, ``other_unit`` (a street) has no part in it.
USERS = {"unit": ("zuzhibu", "zuzhibu"), "other_unit": ("caoyang", "caoyang"), "office": ("office", "tuijinban"),
         "supervisor": ("supervisor", "duchake"), "auditor": ("auditor", "tuijinban"),
         "admin": ("admin", "tuijinban")}


@dataclass
class World:
    app: object
    session: object
    params: dict  # URL arguments by name: the task, its project, instance, attachment, a spare user …
    clients: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def url(self, endpoint: str, renamed: dict | None = None) -> str:
        """The endpoint's URL, its arguments taken from the world's params (``renamed``: argument → param)."""
        rule, renamed = next(self.app.url_map.iter_rules(endpoint)), renamed or {}
        with self.app.test_request_context():
            return url_for(endpoint, **{name: self.params[renamed.get(name, name)] for name in rule.arguments})

    def client(self, role: str, *, fresh: bool = False):
        if fresh or role not in self.clients:
            client = self.app.test_client()
            if role != "anonymous":
                assert sign_in(client, USERS[role][0]).status_code == 302
            if fresh:
                return client
            self.clients[role] = client
        return self.clients[role]

    def post_form(self, role: str, url: str, data: dict, *, fresh: bool = False, upload: bool = False):
        client = self.client(role, fresh=fresh)
        token = csrf_token(client.get("/login" if role == "anonymous" else "/inbox"))
        if upload:
            data = {**data, "file": text_file()}
        return client.post(url, data={**data, "csrf_token": token})

    def call_api(self, role: str, method: str, url: str, body=None, *, upload: bool = False):
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role != "anonymous" else {}
        if upload:
            return self.app.test_client().open(url, method=method, data={"file": text_file()}, headers=headers)
        return self.app.test_client().open(url, method=method, json=body, headers=headers)

    def state(self) -> tuple:
        """What a refused request must leave as it was: instances, history, tasks, notes, files, users, project."""
        session = self.session
        tasks = session.execute(select(HumanTask.id, HumanTask.state, HumanTask.claimed_by, HumanTask.assigned_unit,
                                       HumanTask.due_on).order_by(HumanTask.id)).all()
        users = session.execute(select(User.username, User.active, User.password_hash).order_by(User.id)).all()
        project = session.scalar(select(Project).join(Plan).where(Plan.year == 2017, Project.number == 2))
        counts = [session.scalar(select(func.count()).select_from(table))
                  for table in (ProcessInstance, HistoryEvent, Attachment, TaskComment, TaskDraft, DeadlineExtension)]
        result = (*counts, tuple(tasks), tuple(users), project.due_on,
                  tuple((u.role, u.unit_code) for u in project.units))
        session.rollback()
        return result


def text_file():
    return io.BytesIO("二季度推进情况说明".encode()), "进展说明.txt"


def build_world(session) -> dict:
    """The activated 2017 plan, a dispatched 约请, two files on the unit's task, a colleague's claim, a spare user."""
    driver = Driver(session)
    driver.load_plan_and_diagrams()
    driver.activate()
    report = driver.task(business_key="2017-02", name="汇总填报季度报告")
    consultation = cases.raise_consultation(session, driver.engine, "caoyang", {
        "description": "曹杨路积水点改造涉及排水管网", "invited_departments": ["minzhengju"]}, actor="caoyang")
    session.commit()
    driver.complete(driver.task(name="分派约请部门", instance_id=consultation.id), {})
    clerk, now = Actor("zuzhibu", "zuzhibu", "unit"), driver.engine.clock.now()
    kept, spare = (attachments.upload(session, report, clerk, name, "联席会议纪要".encode(), now=now)
                   for name in ("会议纪要.txt", "草稿.txt"))
    claimed = driver.task(business_key="2017-02", name="提交办结报告")
    claimed.claimed_by = ensure_user(session, "zzb2", "zuzhibu").username
    spare_user = ensure_user(session, "spare", "fangguanju")
    issue_token(session, spare_user, datetime.utcnow(), "备用")
    spare_task = driver.task(business_key="2017-05", name="汇总填报季度报告")
    second = cases.raise_consultation(session, driver.engine, "changfeng", {
        "description": "长风公园周边停车难", "invited_departments": ["jianjiaowei"]}, actor="changfeng")
    session.commit()
    notification = session.scalar(select(Notification.id).where(Notification.human_task_id == report.id))
    return {"notification_id": notification, "task_id": report.id, "number": 2, "instance_id": report.instance_id, "year": 2017,
            "attachment_id": kept.id, "spare_attachment_id": spare.id, "user_id": spare_user.id,
            "token_id": session.scalar(select(ApiToken.id).where(ApiToken.user_id == spare_user.id)),
            "code": "xiangguanweibanju", "claimed_task_id": claimed.id, "spare_task_id": spare_task.id,
            "office_task_id": driver.task(name="分派约请部门", instance_id=second.id).id, "consultation_id": consultation.id,
            "signing_id": driver.task(name="签收约请").id, "key": "project_lifecycle", "version": 1, "item_id": 999999,
            "job_id": "no-such-job"}


@pytest.fixture(scope="module")
def world(database_url):
    """Built once per test module: requests in its tests see what earlier ones changed, so keep changes small."""
    from web.core.db import new_session

    app = fresh_app(database_url)
    with app.app_context():
        session = new_session()
    world = World(app, session, build_world(session))
    for role, (username, unit_code) in USERS.items():
        user = ensure_user(session, username, unit_code, "unit" if role.endswith("unit") else role)
        world.tokens[role] = issue_token(session, user, datetime.utcnow())
    session.commit()
    yield world
    session.close()
    app.extensions["sqlalchemy_engine"].dispose()


