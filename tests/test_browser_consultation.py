"""In a real Chromium: a street raises a 条块约请, the office dispatches it, the invited department signs and
replies, and the street rates the reply 满意, which closes the consultation."""
from __future__ import annotations

from sqlalchemy import select

from engine import ProcessInstance
from tests.browser_support import INBOX, open_task, sign_in, submit_task
from tests.process_support import Driver
from tests.web_support import ensure_user
from workflows.records.models import Consultation, ConsultationInvitation

PROBLEM = "长寿路沿线老旧小区养老服务点选址需区民政局协调"
REPLY = "已将选址纳入区养老服务设施规划，7月底前答复具体方案"


def raise_consultation(page, live_server: str) -> None:
    page.click("nav >> text=发起")
    page.click("text=发起条块约请")
    page.fill("#field-description", PROBLEM)
    page.fill("#field-place", "长寿路武宁路口")
    page.check("input[name=invited_departments][value=minzhengju]")
    page.click("button:has-text('发起约请')")
    page.wait_for_url(INBOX, wait_until="domcontentloaded")


def test_a_street_raises_a_consultation_the_department_signs_and_replies_and_the_street_rates_it(
        db, live_server, browser):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    ensure_user(db, "changshou", "changshou")
    ensure_user(db, "minzhengju", "minzhengju")
    ensure_user(db, "office", "tuijinban", "office")
    street, office, department = browser.new_page(), browser.new_page(), browser.new_page()

    sign_in(street, live_server, "changshou")
    raise_consultation(street, live_server)
    assert "已发起条块约请" in street.inner_text("body")

    sign_in(office, live_server, "office")
    open_task(office, "分派约请部门")
    assert PROBLEM in office.inner_text("section.case")  # the office reads what the street asked
    office.fill("#field-dispatch_note", "按街道所选部门约请")
    submit_task(office)

    sign_in(department, live_server, "minzhengju")
    open_task(department, "签收约请")
    assert PROBLEM in department.inner_text("section.case") and "长寿路街道" in department.inner_text("section.case")
    department.fill("#field-signer", "王科长")
    submit_task(department)
    open_task(department, "答复约请")
    department.select_option("#field-reply_kind", "plan")
    department.fill("#field-reply_text", REPLY)
    submit_task(department)
    assert department.locator("main a", has_text="答复约请").count() == 0

    street.goto(live_server + "/inbox")
    open_task(street, "评价答复")
    street.select_option("#field-rating", "satisfied")
    submit_task(street)

    db.expire_all()
    consultation = db.scalar(select(Consultation).where(Consultation.street_code == "changshou"))
    invitation = db.scalar(select(ConsultationInvitation).where(
        ConsultationInvitation.consultation_id == consultation.id))
    assert (consultation.status, consultation.description) == ("closed", PROBLEM)
    assert (invitation.department_code, invitation.reply, invitation.rating) == ("minzhengju", REPLY, "satisfied")
    assert db.get(ProcessInstance, consultation.instance_id).status == "completed"
    assert driver.tasks(instance_id=consultation.instance_id) == []
