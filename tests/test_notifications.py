"""The 消息 centre: a unit is told when a task arrives, its report is returned or chased, someone comments on its
task, its extension is decided, its consultation is replied to or rated; a user when an instance they started
fails. The bell counts the unread on every page; messages are read one by one or all at once, on the pages and in
the API, and nobody reads another unit's."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.process_support import OFFICE, REPORT, Driver, start_projects, unit_actor
from tests.test_consultation_process import REPLIED, SIGNED, raise_and_dispatch, rating_task_for
from tests.test_extension_process import REVIEW_EXTENSION, ask
from tests.web_support import csrf_token, db, ensure_user, login_as, text  # noqa: F401
from workflows.accounts.actor import Actor
from workflows.accounts.tokens import issue_token
from workflows.notifications import messages
from workflows.tasks import notes

COMPILE, REVIEW, REVISE, CHASE = "汇总填报季度报告", "审核季度报告", "按意见修改季度报告", "催办季度报告"


def inbox_of(driver: Driver, unit: str, kind: str | None = None):
    rows = messages.for_reader(driver.session, unit_actor(unit))
    return [row for row in rows if kind is None or row.kind == kind]


def submit_and_return(driver: Driver) -> None:
    driver.complete(driver.task(name=COMPILE, business_key="2017-02"), REPORT)
    driver.complete(driver.task(name=REVIEW, business_key="2017-02"),
                    {"verdict": "return", "office_comment": "请补充街道落实情况"})


def test_a_new_task_tells_its_unit_and_links_to_the_task(driver):
    start_projects(driver, 2)

    arrived = {row.human_task_id: row for row in inbox_of(driver, "zuzhibu", "task_arrived")}
    task = driver.task(name=COMPILE, business_key="2017-02")
    assert set(arrived) == {t.id for t in driver.tasks(unit="zuzhibu")}  # the report and the 办结报告
    assert arrived[task.id].read_at is None and arrived[task.id].text == f"新待办：{COMPILE}（2017-02）"
    assert inbox_of(driver, "minzhengju") == []


def test_a_returned_report_tells_the_unit_with_the_offices_comment_on_the_revision_task(driver):
    start_projects(driver, 2)
    submit_and_return(driver)

    [returned] = inbox_of(driver, "zuzhibu", "report_returned")
    assert "退回" in returned.text and "请补充街道落实情况" in returned.text
    assert returned.human_task_id == driver.task(name=REVISE, business_key="2017-02").id
    assert inbox_of(driver, "tuijinban", "report_returned") == []


def test_the_offices_chase_tells_the_unit_whose_report_is_late(driver):
    start_projects(driver, 2)
    driver.advance(days=12)
    driver.complete(driver.task(business_key="2017-02", name=CHASE), {"chase_note": "已电话催报"})

    [chased] = inbox_of(driver, "zuzhibu", "chased")
    assert "催办" in chased.text and chased.human_task_id == driver.task(name=COMPILE, business_key="2017-02").id


def test_a_comment_on_a_units_task_tells_that_unit_but_not_the_commenter(driver):
    start_projects(driver, 2)
    task = driver.task(name=COMPILE, business_key="2017-02")
    notes.add_comment(driver.session, task, OFFICE, "请注意附上照片", now=datetime(2017, 6, 8, 10))
    notes.add_comment(driver.session, task, unit_actor("zuzhibu"), "收到", now=datetime(2017, 6, 8, 11))
    driver.session.commit()

    [comment] = inbox_of(driver, "zuzhibu", "comment")
    assert "请注意附上照片" in comment.text and comment.human_task_id == task.id
    assert inbox_of(driver, "tuijinban", "comment") == []


@pytest.mark.parametrize("decision, fields, words", [
    ("approve", {}, "已获批准，新的办理期限为 2017年06月30日"),
    ("refuse", {"decision_comment": "数据可按时取得"}, "未获批准：数据可按时取得"),
])
def test_the_extension_decision_tells_the_requesting_unit(driver, decision, fields, words):
    start_projects(driver, 2)
    task = driver.task(name=COMPILE, business_key="2017-02")
    ask(driver, task)
    driver.complete(driver.task(name=REVIEW_EXTENSION), {"extension_decision": decision, **fields},
                    as_unit="tuijinban")

    [decided] = inbox_of(driver, "zuzhibu", "extension_decided")
    assert words in decided.text and decided.human_task_id == task.id


def test_a_reply_tells_the_street_and_its_rating_tells_the_department(driver):
    raise_and_dispatch(driver, ("minzhengju",))
    driver.complete(driver.task(name="签收约请", unit="minzhengju"), SIGNED)
    driver.complete(driver.task(name="答复约请", unit="minzhengju"), REPLIED)

    [replied] = inbox_of(driver, "caoyang", "consultation_replied")
    assert "答复" in replied.text
    driver.complete(rating_task_for(driver, "minzhengju"), {"rating": "satisfied"})
    [rated] = inbox_of(driver, "minzhengju", "consultation_rated")
    assert "满意" in rated.text


def test_an_incident_tells_the_user_who_started_the_instance(driver):
    start_projects(driver, 2)
    instance = driver.instance("2017-02")
    messages.incident_on_instance(driver.session, instance, "脚本出错", at=datetime(2017, 6, 8, 12))
    driver.session.commit()

    [incident] = messages.for_reader(driver.session, Actor("test", "nobody", "unit"))
    assert (incident.kind, incident.username, incident.instance_id) == ("incident", "test", instance.id)
    assert inbox_of(driver, "zuzhibu", "incident") == []


# The pages and the API

def unread_badge(page) -> str:
    body = text(page)
    start = body.index('id="notification-bell"')
    return body[start:body.index("</a>", start)]


def test_the_bell_counts_the_unread_on_every_page_and_reading_one_lowers_it(driver, app, login_as):
    start_projects(driver, 2)
    submit_and_return(driver)
    client = login_as("zuzhibu")
    count = messages.unread_count(driver.session, unit_actor("zuzhibu"))
    assert count == 4  # the report and the 办结报告 arrived, the report was returned, its revision arrived

    for path in ("/inbox", "/overview", "/notifications", "/no-such-page"):
        assert "4 条未读" in unread_badge(client.get(path)), path

    page = client.get("/notifications")
    returned = inbox_of(driver, "zuzhibu", "report_returned")[0]
    opened = client.post(f"/notifications/{returned.id}/read", data={"csrf_token": csrf_token(page), "open": "1"})
    assert opened.status_code == 302 and opened.location == f"/tasks/{returned.human_task_id}"
    assert "3 条未读" in unread_badge(client.get("/inbox"))

    page = client.get("/notifications")
    client.post("/notifications/read-all", data={"csrf_token": csrf_token(page)})
    assert "没有未读" in unread_badge(client.get("/inbox"))
    assert "请补充街道落实情况" in text(client.get("/notifications"))


def test_another_units_message_cannot_be_read_or_marked(driver, login_as):
    start_projects(driver, 2)
    arrived = inbox_of(driver, "zuzhibu")[0]
    client = login_as("minzhengju")
    response = client.post(f"/notifications/{arrived.id}/read", data={"csrf_token": csrf_token(client.get("/inbox"))})
    assert response.status_code == 404 and "不存在" in text(response)
    driver.session.expire_all()
    assert all(row.read_at is None for row in inbox_of(driver, "zuzhibu"))


@pytest.fixture
def api(app, driver):
    client, issued = app.test_client(), {}

    def call(unit, method, path):
        if unit not in issued:
            user = ensure_user(driver.session, unit, unit)
            issued[unit] = issue_token(driver.session, user, datetime.utcnow())
            driver.session.commit()
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {issued[unit]}"})
        driver.session.expire_all()
        return response

    return call


def test_the_api_lists_the_messages_with_links_and_marks_one_read(driver, api):
    start_projects(driver, 2)
    submit_and_return(driver)

    listed = api("zuzhibu", "GET", "/api/notifications").json
    assert listed["unread"] == 4 and [item["kind"] for item in listed["items"]].count("task_arrived") == 3
    first = listed["items"][0]
    assert first["link"] == f"/tasks/{first['task_id']}" and first["read_at"] is None

    marked = api("zuzhibu", "POST", f"/api/notifications/{first['id']}/read")
    assert marked.status_code == 200 and marked.json["read_at"]
    assert api("zuzhibu", "GET", "/api/notifications?unread=1").json["unread"] == 3
    assert len(api("zuzhibu", "GET", "/api/notifications?unread=1").json["items"]) == 3


def test_the_api_refuses_another_units_message_and_bad_arguments_in_chinese(driver, api):
    start_projects(driver, 2)
    arrived = inbox_of(driver, "zuzhibu")[0]
    refused = api("minzhengju", "POST", f"/api/notifications/{arrived.id}/read")
    assert refused.status_code == 404 and "不存在" in refused.json["error"]
    bad = api("zuzhibu", "GET", "/api/notifications?unread=maybe")
    assert bad.status_code == 400 and "unread" in bad.json["error"]
    assert api("zuzhibu", "GET", "/api/notifications?per_page=1000").status_code == 400
