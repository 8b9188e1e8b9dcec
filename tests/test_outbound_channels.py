"""Messages reach people outside the product: an e-mail to each user of the unit who wants that kind by e-mail
(at once or in a daily digest), a post to the unit's group robot. The worker sends them from the outbox after
the step committed; a server that fails is tried again later and later, then shows on /admin/outbox for 重发."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from tests.channel_support import robot_receiver, smtp_server  # noqa: F401
from tests.process_support import Driver, start_projects
from tests.test_notifications import submit_and_return
from tests.web_support import csrf_token, db, ensure_user, login_as, text  # noqa: F401
from workflows.notifications import outbox
from workflows.notifications.delivery import MAX_ATTEMPTS, ChannelSettings, deliver_outbox, resend
from workflows.notifications.messages import notify
from workflows.notifications.models import OutboxItem

LATER = datetime(2030, 1, 1)  # after every message of the 2017 plan


def with_email(driver: Driver, username: str, unit: str, email: str, role: str = "unit"):
    user = ensure_user(driver.session, username, unit, role)
    user.email = email
    driver.session.commit()
    return user


def mail_settings(smtp) -> ChannelSettings:
    host, port, _mailbox = smtp
    return ChannelSettings(mail_server=host, mail_port=port, mail_from="duban@putuo.example")


def deliver(driver: Driver, settings: ChannelSettings, now: datetime = LATER):
    result = deliver_outbox(driver.session, now, settings)
    driver.session.commit()
    return result


def outbox_rows(driver: Driver, channel: str | None = None) -> list[OutboxItem]:
    driver.session.expire_all()
    rows = driver.session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
    return [row for row in rows if channel is None or row.channel == channel]


def test_a_returned_report_reaches_the_units_mailbox_when_the_worker_runs(driver, app, runner, smtp_server):
    with_email(driver, "zuzhibu", "zuzhibu", "zzb@putuo.example")
    start_projects(driver, 2)
    submit_and_return(driver)
    host, port, mailbox = smtp_server
    assert mailbox.mails == []  # nothing leaves inside the step

    app.config.update(MAIL_SERVER=host, MAIL_PORT=port, MAIL_FROM="duban@putuo.example")
    with app.app_context():  # as `flask --app web worker --once` has
        result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    returned = [mail for mail in mailbox.mails if "退回" in mail.get_content()]
    assert len(returned) == 1 and returned[0]["To"] == "zzb@putuo.example"
    assert "请补充街道落实情况" in returned[0].get_content() and returned[0]["Subject"] == "督查督办系统消息"
    assert {row.state for row in outbox_rows(driver, "email")} == {"sent"}


def test_e_mail_waits_in_the_outbox_while_no_mail_server_is_configured(driver):
    with_email(driver, "zuzhibu", "zuzhibu", "zzb@putuo.example")
    start_projects(driver, 2)

    assert deliver(driver, ChannelSettings()).sent == 0
    assert {row.state for row in outbox_rows(driver, "email")} == {"pending"}


def test_a_units_group_robot_receives_the_json_the_robots_accept(driver, robot_receiver):
    outbox.set_webhook(driver.session, "zuzhibu", robot_receiver.url)
    driver.session.commit()
    start_projects(driver, 2)

    result = deliver(driver, ChannelSettings())

    assert result.sent == len(robot_receiver.posts) == 2  # the quarterly report and the 办结报告
    assert robot_receiver.posts[0]["msgtype"] == "text"
    assert robot_receiver.posts[0]["text"]["content"].startswith("新待办：")


def test_a_failing_robot_is_retried_later_each_time_and_then_given_up(driver, robot_receiver):
    outbox.set_webhook(driver.session, "zuzhibu", robot_receiver.url)
    driver.session.commit()
    notify(driver.session, "chased", "请尽快报送", at=datetime(2017, 6, 8, 1), unit_code="zuzhibu")
    driver.session.commit()
    robot_receiver.status = 500

    now = LATER
    deliver(driver, ChannelSettings(), now)
    [row] = outbox_rows(driver)
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 1, now + timedelta(seconds=60))
    assert "500" in row.last_error

    deliver(driver, ChannelSettings(), now + timedelta(seconds=59))
    assert len(robot_receiver.posts) == 1  # not yet due
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        now = outbox_rows(driver)[0].next_attempt_at
        deliver(driver, ChannelSettings(), now)
        waits.append(outbox_rows(driver)[0].next_attempt_at - now)
    [row] = outbox_rows(driver)
    assert row.state == "failed" and row.attempts == MAX_ATTEMPTS == len(robot_receiver.posts)
    assert waits[:3] == [timedelta(seconds=120), timedelta(seconds=240), timedelta(seconds=480)]


def test_a_wrong_mail_server_does_not_stop_the_robots_and_shows_its_error(driver, robot_receiver):
    with_email(driver, "zuzhibu", "zuzhibu", "zzb@putuo.example")
    outbox.set_webhook(driver.session, "zuzhibu", robot_receiver.url)
    driver.session.commit()
    notify(driver.session, "chased", "请尽快报送", at=datetime(2017, 6, 8, 1), unit_code="zuzhibu")
    driver.session.commit()

    result = deliver(driver, ChannelSettings(mail_server="127.0.0.1", mail_port=1))

    assert (result.sent, result.failed) == (1, 1)
    email, webhook = outbox_rows(driver)
    assert webhook.state == "sent" and email.state == "pending" and "Connection" in email.last_error


def test_the_admin_sees_a_failed_delivery_with_its_error_and_sends_it_again(driver, app, login_as, robot_receiver):
    outbox.set_webhook(driver.session, "zuzhibu", robot_receiver.url)
    driver.session.commit()
    notify(driver.session, "chased", "请尽快报送", at=datetime(2017, 6, 8, 1), unit_code="zuzhibu")
    driver.session.commit()
    robot_receiver.status = 500
    [row] = outbox_rows(driver)
    for attempt in range(MAX_ATTEMPTS):
        deliver(driver, ChannelSettings(), LATER + timedelta(days=attempt))
    assert outbox_rows(driver)[0].state == "failed"

    client = login_as("admin", unit="tuijinban", role="admin")
    page = client.get("/admin/outbox")
    assert "发送失败" in text(page) and "HTTP Error 500" in text(page) and "请尽快报送" in text(page)
    response = client.post(f"/admin/outbox/{row.id}/resend", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    robot_receiver.status = 200
    deliver(driver, ChannelSettings(), datetime.utcnow() + timedelta(seconds=1))
    assert outbox_rows(driver)[0].state == "sent"


def test_resending_a_delivery_that_does_not_exist_is_a_404_in_chinese(driver, login_as):
    client = login_as("admin", unit="tuijinban", role="admin")
    response = client.post("/admin/outbox/999/resend", data={"csrf_token": csrf_token(client.get("/admin/outbox"))})
    assert response.status_code == 404 and "不存在" in text(response)


def test_a_user_who_switches_e_mail_off_for_new_tasks_gets_none(driver, smtp_server):
    with_email(driver, "zuzhibu", "zuzhibu", "zzb@putuo.example")
    outbox.set_preference(driver.session, "zuzhibu", ["report_returned", "chased"], daily_digest=False)
    driver.session.commit()
    start_projects(driver, 2)
    submit_and_return(driver)

    deliver(driver, mail_settings(smtp_server))

    bodies = smtp_server[2].bodies()
    assert len(bodies) == 1 and "退回" in bodies[0]


def test_the_offices_defaults_send_new_tasks_returns_and_chases_but_not_comments_by_e_mail(driver):
    preference = outbox.preference_of(driver.session, "nobody-yet")
    assert [kind for kind in ("task_arrived", "report_returned", "chased", "comment", "incident")
            if outbox.wants(preference, kind, "email")] == ["task_arrived", "report_returned", "chased"]


def test_the_daily_digest_collects_a_days_messages_into_one_mail_after_midnight(driver, smtp_server):
    with_email(driver, "zuzhibu", "zuzhibu", "zzb@putuo.example")
    outbox.set_preference(driver.session, "zuzhibu", ["task_arrived", "chased"], daily_digest=True)
    driver.session.commit()
    for hour, words in ((1, "请报送一季度数据"), (5, "请报送二季度数据")):  # 09:00 and 13:00 in Shanghai
        notify(driver.session, "chased", words, at=datetime(2017, 6, 8, hour), unit_code="zuzhibu")
    driver.session.commit()
    settings = mail_settings(smtp_server)

    deliver(driver, settings, datetime(2017, 6, 8, 15, 59))  # 23:59 in Shanghai: the day is not over
    assert smtp_server[2].mails == []
    deliver(driver, settings, datetime(2017, 6, 8, 16, 1))  # 00:01 the next day

    [digest] = smtp_server[2].bodies()
    assert "您有 2 条新消息" in digest and "请报送一季度数据" in digest and "请报送二季度数据" in digest
    assert {row.state for row in outbox_rows(driver)} == {"sent"}


def test_an_inactive_user_or_one_without_an_address_gets_no_mail(driver):
    with_email(driver, "zuzhibu", "zuzhibu", "")
    user = with_email(driver, "zuzhibu2", "zuzhibu", "zzb2@putuo.example")
    user.active = False
    driver.session.commit()
    notify(driver.session, "chased", "请尽快报送", at=datetime(2017, 6, 8, 1), unit_code="zuzhibu")
    driver.session.commit()

    assert outbox_rows(driver) == []


def test_a_user_sets_their_address_and_choices_on_the_account_page(driver, db, login_as):
    client = login_as("zuzhibu")
    page = client.get("/account/notifications")
    assert 'id="kind-task_arrived" name="email_kinds" value="task_arrived" checked' in page.get_data(as_text=True)

    response = client.post("/account/notifications", data={
        "csrf_token": csrf_token(page), "email": "zzb@putuo.example", "email_kinds": ["chased"], "daily_digest": "1"})

    assert response.status_code == 302
    db.expire_all()
    preference = outbox.preference_of(db, "zuzhibu")
    assert preference.daily_digest and outbox.wants(preference, "chased", "email")
    assert not outbox.wants(preference, "task_arrived", "email")
    assert ensure_user(db, "zuzhibu", "zuzhibu").email == "zzb@putuo.example"


def test_a_bad_address_on_the_account_page_is_refused_in_chinese_and_changes_nothing(driver, db, login_as):
    client = login_as("zuzhibu")
    response = client.post("/account/notifications", data={
        "csrf_token": csrf_token(client.get("/account/notifications")), "email": "zzb at putuo", "email_kinds": []})

    assert response.status_code == 422 and "不是有效的电子邮箱地址" in text(response)
    db.expire_all()
    assert ensure_user(db, "zuzhibu", "zuzhibu").email is None
    assert outbox.wants(outbox.preference_of(db, "zuzhibu"), "task_arrived", "email")


def test_the_admin_sets_a_users_address_and_a_units_robot(driver, db, login_as, robot_receiver):
    user = ensure_user(db, "zuzhibu", "zuzhibu")
    client = login_as("admin", unit="tuijinban", role="admin")
    token = csrf_token(client.get("/admin/users"))

    assert client.post(f"/admin/users/{user.id}/email", data={"csrf_token": token, "email": "a@b.cn"}).status_code == 302
    assert client.post("/admin/webhooks/zuzhibu", data={"csrf_token": token, "url": robot_receiver.url}).status_code == 302
    bad = client.post("/admin/webhooks/zuzhibu", data={"csrf_token": token, "url": "ftp://robot"})
    bad_email = client.post(f"/admin/users/{user.id}/email", data={"csrf_token": token, "email": "a@b"})
    assert bad_email.status_code == 422 and "电子邮箱：“a@b”不是有效的电子邮箱地址" in text(bad_email)
    missing = client.post("/admin/webhooks/nowhere", data={"csrf_token": token, "url": robot_receiver.url})

    assert bad.status_code == 422 and "群机器人地址须以 https://" in text(bad)
    assert missing.status_code == 404 and "不存在" in text(missing)
    db.expire_all()
    assert ensure_user(db, "zuzhibu", "zuzhibu").email == "a@b.cn"
    assert f'value="{robot_receiver.url}"' in client.get("/admin/webhooks").get_data(as_text=True)


def test_a_unit_user_cannot_open_the_outbox_page(driver, login_as):
    assert login_as("zuzhibu").get("/admin/outbox").status_code == 403


def test_a_robot_that_answers_with_an_error_code_counts_as_a_failure(driver, robot_receiver):
    outbox.set_webhook(driver.session, "zuzhibu", robot_receiver.url)
    driver.session.commit()
    notify(driver.session, "chased", "请尽快报送", at=datetime(2017, 6, 8, 1), unit_code="zuzhibu")
    driver.session.commit()
    robot_receiver.status = 200
    robot_receiver.errcode = 93000  # 企业微信: invalid webhook key

    assert deliver(driver, ChannelSettings()).failed == 1
    [row] = outbox_rows(driver)
    assert row.state == "pending" and "errcode 93000" in row.last_error
