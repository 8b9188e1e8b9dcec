"""When the worker turns an instance into an incident, the user who started it finds a 消息 of kind incident that
leads to the instance; the e-mails and robot posts of every message carry an absolute link (config PUBLIC_URL)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from tests.channel_support import smtp_server  # noqa: F401
from tests.engine_support import diagram
from tests.process_support import start_projects
from tests.test_notifications import submit_and_return
from tests.test_outbound_channels import deliver, mail_settings, with_email
from tests.web_support import csrf_token, db, login_as  # noqa: F401
from workflows.accounts.actor import Actor
from workflows.directory import units as directory
from workflows.notifications import messages
from workflows.notifications.delivery import ChannelSettings, link_of
from workflows.runtime import process_engine


def start_poisoned(db, runner, starter: str | None) -> int:
    engine = process_engine(db)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("poison.bpmn"), deployed_by="tester")
    instance_id = engine.start_instance("poison", data={"kind": "complex"}, actor=starter).id
    db.commit()
    flask_command(runner, "clock", "advance", "2h")
    return instance_id


def flask_command(runner, *args: str):
    """A command as `flask --app web ...` runs it, in an app context of its own."""
    with runner.app.app_context():
        return runner.invoke(args=list(args))


def test_the_worker_turning_an_instance_into_an_incident_tells_the_user_who_started_it(app, db, runner):
    instance_id = start_poisoned(db, runner, "zhangsan")

    result = flask_command(runner, "worker", "--once")

    assert result.exit_code == 0 and "失败 1 个" in result.output
    db.expire_all()
    [message] = messages.for_reader(db, Actor("zhangsan", "nobody", "unit"))
    assert (message.kind, message.instance_id, message.read_at) == ("incident", instance_id, None)
    assert message.text.startswith("您发起的流程出现异常：") and "“整理数据”（compute）" in message.text


def test_an_incident_of_an_instance_no_user_started_tells_nobody(app, db, runner):
    start_poisoned(db, runner, None)

    flask_command(runner, "worker", "--once")

    db.expire_all()
    assert messages.for_reader(db, Actor("tester", "nobody", "unit")) == []


def test_the_incident_e_mail_links_to_the_starters_list_of_what_they_started(app, db, runner):
    start_poisoned(db, runner, "zhangsan")
    flask_command(runner, "worker", "--once")
    db.expire_all()
    [message] = messages.for_reader(db, Actor("zhangsan", "nobody", "unit"))

    assert link_of(message, "https://duban.putuo.example/") == "https://duban.putuo.example/started"


@pytest.mark.parametrize("role, link", [("office", "/instances/{id}"), ("unit", "/started")])
def test_on_the_message_page_the_incident_leads_to_the_instance_for_an_overseer_else_to_what_they_started(
        app, db, runner, login_as, role, link):
    directory.load_directory(db)
    instance_id = start_poisoned(db, runner, "zhangsan")
    flask_command(runner, "worker", "--once")

    client = login_as("zhangsan", unit="tuijinban" if role == "office" else "zuzhibu", role=role)
    db.expire_all()
    [message] = messages.for_reader(db, Actor("zhangsan", "nobody", role))

    opened = client.post(f"/notifications/{message.id}/read",
                         data={"open": "1", "csrf_token": csrf_token(client.get("/notifications"))})

    assert opened.status_code == 302 and opened.headers["Location"] == link.format(id=instance_id)


def test_an_e_mail_carries_the_absolute_link_to_its_task(driver, smtp_server):
    with_email(driver, "zuzhibu", "zuzhibu", "zzb@putuo.example")
    start_projects(driver, 2)
    submit_and_return(driver)
    settings = mail_settings(smtp_server)

    deliver(driver, replace(settings, public_url="https://duban.putuo.example"))

    [returned] = [body for body in smtp_server[2].bodies() if "退回" in body]
    revise = driver.task(name="按意见修改季度报告", business_key="2017-02")
    assert f"https://duban.putuo.example/tasks/{revise.id}" in returned


def test_the_link_defaults_to_the_local_address(app):
    assert ChannelSettings().public_url == "http://127.0.0.1:5000"
    assert ChannelSettings.from_config({**app.config, "PUBLIC_URL": ""}).public_url == "http://127.0.0.1:5000"
