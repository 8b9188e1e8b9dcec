"""In a real Chromium: a unit's user gives their e-mail address on 通知设置, the administrator sets the unit's group
robot on 群机器人; the office returns the unit's report; the worker then delivers the e-mail to the local SMTP
server and the robot's post to the local receiver, and 外发通知 shows nothing left to send."""
from __future__ import annotations

from tests.browser_support import sign_in
from tests.channel_support import robot_receiver, smtp_server  # noqa: F401
from tests.process_support import Driver, start_projects
from tests.test_notifications import submit_and_return
from tests.web_support import ensure_user


def test_a_returned_report_reaches_the_units_mailbox_and_group_robot(db, app, runner, live_server, browser,
                                                                     smtp_server, robot_receiver):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    ensure_user(db, "zuzhibu", "zuzhibu")
    ensure_user(db, "admin", "tuijinban", "admin")
    unit, admin = browser.new_page(), browser.new_page()

    sign_in(unit, live_server, "zuzhibu")
    unit.goto(live_server + "/account")
    unit.click("text=通知设置")
    unit.fill("#email", "zzb@putuo.example")
    unit.click("button:has-text('保存')")
    assert "通知设置已保存" in unit.inner_text("main")

    sign_in(admin, live_server, "admin")
    admin.goto(live_server + "/admin/webhooks")
    row = admin.locator("#webhook-zuzhibu")
    row.locator("input[name=url]").fill(robot_receiver.url)
    row.locator("button:has-text('保存')").click()
    admin.wait_for_selector("text=的群机器人")

    start_projects(driver, 2)
    submit_and_return(driver)
    host, port, mailbox = smtp_server
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port, MAIL_FROM="duban@putuo.example")
    with app.app_context():
        assert runner.invoke(args=["worker", "--once"]).exit_code == 0

    assert any("请补充街道落实情况" in body for body in mailbox.bodies())
    assert any("请补充街道落实情况" in post["text"]["content"] for post in robot_receiver.posts)
    admin.goto(live_server + "/admin/outbox")
    assert "没有待发送或发送失败的外发通知" in admin.inner_text("main")
