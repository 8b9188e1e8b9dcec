"""Values the office sets on /admin/settings reach the diagrams that read them when their code runs."""
from __future__ import annotations

from tests.process_support import start_projects
from workflows.records.settings import set_setting

REMINDER = ("timer_fired", "到期前提醒")


def test_the_office_moves_the_quarterly_reminder_to_five_working_days_before_the_20th(driver):
    set_setting(driver.session, "reminders", {"report_reminder_workdays": 5}, actor="office")
    driver.session.commit()
    start_projects(driver, 2)
    instance_id = driver.instance("2017-02").id

    driver.advance(days=4)  # Monday 06-12 09:00: six working days are left
    assert REMINDER not in driver.history_kinds(instance_id)

    driver.advance(days=1, hours=1)  # Tuesday 06-13 10:00: 13, 14, 15, 16 and 19 June are left
    assert REMINDER in driver.history_kinds(instance_id)
