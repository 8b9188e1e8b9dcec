"""The project pages: the plan's projects with their lights, a project's timeline and diagram, the office's edits."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.process_support import Driver, start_projects
from tests.web_support import db, ensure_user, login_as, post_form  # noqa: F401
from workflows.plan.models import Plan, Project
from workflows.projects.activation import lifecycle_instance

LEAD = "zuzhibu"  # 区委组织部 leads projects 1 and 2


@pytest.fixture
def driver(db) -> Driver:
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 1, 2, 5)
    return driver


def page_text(response) -> str:
    return response.get_data(as_text=True)


def project(driver: Driver, number: int) -> Project:
    driver.session.expire_all()
    return driver.session.scalar(select(Project).join(Plan).where(Plan.year == 2017, Project.number == number))


def row_of(page: str, number: int) -> str:
    start = page.index(f'id="project-{number}"')
    return page[start:page.index("</tr>", start)]


def office(login_as):
    return login_as("office", unit="tuijinban", role="office")


def test_the_list_shows_every_project_of_the_plan_even_those_not_started(driver, login_as):
    page = page_text(login_as(LEAD).get("/projects"))

    assert page.count('class="project-row"') == 55
    assert "2017年重点项目" in page and "2017-55" in page


def test_the_list_shows_all_55_projects_after_activation_with_their_current_steps(db, login_as):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    driver.activate()

    page = page_text(login_as(LEAD).get("/projects?year=2017"))

    assert page.count('class="project-row"') == 55
    assert "汇总填报季度报告" in row_of(page, 2)


def test_a_project_whose_completion_is_overdue_shows_red_and_one_not_yet_due_green(driver, login_as):
    page = page_text(login_as(LEAD).get("/projects"))

    assert "light-red" in row_of(page, 5) and "提交办结报告" in row_of(page, 5)
    assert "light-green" in row_of(page, 3) and "—" in row_of(page, 3)
    assert "2017年5月31日" in row_of(page, 5)


def test_the_light_turns_yellow_three_working_days_before_a_task_is_due(driver, login_as):
    driver.engine.clock.set(datetime(2017, 6, 15, 9, 0))  # Thursday; the Q2 report is due Monday 19 June
    driver.session.commit()

    assert "light-yellow" in row_of(page_text(login_as(LEAD).get("/projects")), 2)


def test_the_project_page_shows_the_timeline_and_the_diagram_viewer(driver, login_as):
    page = page_text(login_as(LEAD).get("/projects/5"))

    assert "提交办结报告" in page and "流程启动" in page
    assert "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in page
    assert "/projects/5/diagram.xml" in page
    assert "/static/project_diagram.js" in page and "2017年第2季度" in page  # the quarter under way, not yet due
    markers = json.loads(page.split('id="diagram-markers" type="application/json">')[1].split("</script>")[0])
    assert "completion" in markers["active"] and "completion" not in markers["done"]


def test_the_viewer_script_is_served_from_node_modules(driver, login_as):
    response = login_as(LEAD).get("/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")

    assert response.status_code == 200 and len(response.get_data()) > 10000
    response.close()


def test_the_diagram_xml_is_the_definition_of_the_projects_lifecycle(driver, login_as):
    response = login_as(LEAD).get("/projects/5/diagram.xml")

    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert 'id="project_lifecycle"' in page_text(response)
    assert login_as(LEAD).get("/projects/3/diagram.xml").status_code == 404


def test_the_office_edits_units_and_due_date_and_the_history_records_it(driver, login_as):
    client = office(login_as)

    response = post_form(client, "/projects/5", "/projects/5/edit",
                         {"lead_units": "zuzhibu", "responsible_units": "caoyang", "due_on": "2017-09-30"})

    assert response.status_code == 302 and response.location == "/projects/5"
    edited = project(driver, 5)
    assert [u.code for u in edited.lead_units] == ["zuzhibu"]
    assert [u.code for u in edited.responsible_units] == ["caoyang"]
    assert edited.due_on == date(2017, 9, 30)
    event = driver.engine.history(lifecycle_instance(driver.session, "2017-05").id)[-1]
    assert (event.kind, event.actor) == ("project_edited", "office")
    assert event.data["after"]["due_on"] == "2017-09-30" and event.data["before"]["due_on"] == "2017-05-31"
    page = page_text(client.get("/projects/5"))
    assert "修改项目信息" in page and "2017年9月30日" in page


def test_the_office_may_clear_the_due_date(driver, login_as):
    post_form(office(login_as), "/projects/5", "/projects/5/edit", {"lead_units": "zuzhibu", "due_on": ""})

    assert project(driver, 5).due_on is None and project(driver, 5).responsible_units == []


def test_a_unit_may_not_edit_a_project(driver, login_as):
    client = login_as(LEAD)
    before = [u.code for u in project(driver, 1).lead_units]

    response = post_form(client, "/projects/1", "/projects/1/edit", {"lead_units": "caoyang", "due_on": ""})

    assert response.status_code == 403
    assert [u.code for u in project(driver, 1).lead_units] == before
    assert "保存修改" not in page_text(client.get("/projects/1"))


def test_bad_input_is_shown_with_a_message_per_field_and_changes_nothing(driver, login_as):
    history_before = driver.history_kinds(lifecycle_instance(driver.session, "2017-05").id)
    before = project(driver, 5)
    units_before, due_before = [(u.role, u.unit_code) for u in before.units], before.due_on

    response = post_form(office(login_as), "/projects/5", "/projects/5/edit",
                         {"lead_units": "nosuchunit", "responsible_units": "caoyang", "due_on": "明年"})

    page = page_text(response)
    assert response.status_code == 422
    assert "没有这些单位代码：nosuchunit" in page and "“完成日期”应为日期" in page
    assert 'value="明年"' in page
    after = project(driver, 5)
    assert [(u.role, u.unit_code) for u in after.units] == units_before and after.due_on == due_before
    assert driver.history_kinds(lifecycle_instance(driver.session, "2017-05").id) == history_before


def test_an_empty_lead_is_refused(driver, login_as):
    response = post_form(office(login_as), "/projects/5", "/projects/5/edit", {"lead_units": " ", "due_on": ""})

    assert response.status_code == 422 and "请填写“牵头单位”" in page_text(response)


def test_an_unknown_project_is_not_found(driver, login_as):
    assert login_as(LEAD).get("/projects/99").status_code == 404


def test_the_diagram_renders_in_a_real_browser_with_done_and_open_steps_marked(db, live_server, browser):
    from tests.test_browser_smoke import sign_in

    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 5)
    ensure_user(db, "zuzhibu", "zuzhibu")
    page = browser.new_page()
    sign_in(page, live_server, "zuzhibu")

    page.goto(live_server + "/projects/5")
    page.wait_for_selector("#diagram .djs-element.active", timeout=15_000)

    assert page.locator("#diagram .djs-element.active").count() >= 1  # the completion call activity
    assert page.locator("#diagram .djs-element.done").count() >= 1  # the start event
    page.close()


def test_the_office_picks_a_projects_units_from_the_list_instead_of_typing_codes(driver, login_as):
    client = office(login_as)
    page = page_text(client.get("/projects/5"))
    assert 'id="field-responsible_units" data-unit-picker' in page
    assert 'name="lead_units" value="zuzhibu"' in page and "单位代码，逗号分隔" not in page

    response = post_form(client, "/projects/5", "/projects/5/edit",
                         {"lead_units": ["zuzhibu"], "responsible_units": ["caoyang", "gejiedao"], "due_on": ""})

    assert response.status_code == 302
    assert [u.code for u in project(driver, 5).responsible_units] == ["caoyang", "gejiedao"]
