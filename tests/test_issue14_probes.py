"""Probes of issue 14's fixes, tried as an attacker and a careless clerk would: each test is one fault found and
the class of fault closed (see the breaker's report for the probes that held)."""
from __future__ import annotations

import json as jsonlib

from datetime import datetime

import pytest
from sqlalchemy import select

from engine import Bounds, DataNotStorable, ProcessInstance, ScriptError
from engine.data import storable
from engine.sandbox import SandboxEnvironment
from tests.process_support import Driver, start_projects
from tests.web_support import db, ensure_user, login_as  # noqa: F401
from workflows.accounts.tokens import issue_token

BOUNDS = Bounds(seconds=0.5, megabytes=256)


@pytest.mark.parametrize("value", ["\ud800", "a\x00b", ["ok", {"k": "\udfff"}], {"\ud800": 1}, {"a\x00": 1}],
                         ids=["a lone surrogate", "a NUL", "a lone surrogate nested in a list",
                              "a lone surrogate as a key", "a NUL in a key"])
def test_text_no_page_can_show_is_refused_by_the_data_rule_naming_the_variable(value):
    with pytest.raises(DataNotStorable) as refused:
        storable({"note": value})
    assert refused.value.variable == "note"


@pytest.mark.parametrize("script", ['s = "\\ud800"', 's = "\\ud800"\nfor i in []:\n    pass',
                                    'raise ValueError("\\ud800")'],
                         ids=["in the host", "in a child", "in an exception's message"])
def test_a_script_making_a_lone_surrogate_is_refused_and_its_child_survives(script):
    data = {"kept": 1}
    with pytest.raises(Exception) as refused:
        SandboxEnvironment({}, BOUNDS).execute(script, data)
    assert "子进程" not in str(refused.value)  # the child answered; it was not killed by its own answer
    assert data == {"kept": 1}


@pytest.fixture
def call(app, db):  # noqa: F811
    """``call(username, method, path, json)``: a request with that user's API token."""
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 1)
    client, issued = app.test_client(), {}

    def request(username, method, path, json=None):
        if username not in issued:
            user = ensure_user(db, username, username, "unit")
            issued[username] = issue_token(db, user, datetime.utcnow())
            db.commit()
        body = jsonlib.dumps(json)  # ASCII escapes: "\\ud800" reaches the server as a client could send it
        return client.open(path, method=method, data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {issued[username]}"})

    return request


@pytest.mark.parametrize("text", ["兰溪路\ud800积水", "兰溪路\x00积水"], ids=["a lone surrogate", "a NUL"])
def test_an_api_start_with_text_no_page_can_show_is_refused_in_json_naming_the_field_and_nothing_starts(call, db,  # noqa: F811
                                                                                                      text):
    before = len(db.scalars(select(ProcessInstance)).all())
    answer = call("caoyang", "POST", "/api/process-instances", {
        "process_key": "unit_consultation", "data": {"description": text, "invited_departments": ["fangguanju"]}})
    assert answer.status_code == 400 and answer.is_json
    assert "data.description" in answer.json["error"]
    db.expire_all()
    assert len(db.scalars(select(ProcessInstance)).all()) == before


def test_an_api_request_too_large_is_answered_in_json(app, call):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    answer = call("caoyang", "POST", "/api/process-instances", {"process_key": "x" * 2000})
    assert answer.status_code == 413 and answer.is_json


@pytest.mark.parametrize("code", ["r = x" + " + x" * 20000, "r = " + "not " * 5000 + "x", "r = " + "-" * 20000 + "x",
                                  "r = " + "[" * 5000 + "]" * 5000, "r = x" + " + x" * 500],
                         ids=["a sum twenty thousand long", "five thousand nots", "twenty thousand minus signs",
                              "five thousand nested lists", "a sum five hundred long"])
def test_a_diagram_with_code_nested_too_deep_is_refused_at_deploy_naming_the_element(api, code):
    from tests.deployment_support import chain, script
    answer = api("POST", "/api/process-definitions", data=chain("deep_code", script("calc", code)),
                 headers={"Content-Type": "application/xml"})
    assert answer.status_code == 422 and answer.is_json
    assert "calc" in answer.get_data(as_text=True)


@pytest.fixture
def api(app, db):  # noqa: F811
    """``api(method, path, **options)`` as the office, with its Bearer token."""
    from workflows.directory import units as directory
    directory.load_directory(db)
    token = issue_token(db, ensure_user(db, "office", "tuijinban", "office"), datetime.utcnow())
    db.commit()
    client = app.test_client()
    return lambda method, path, headers=None, **options: client.open(
        path, method=method, headers={"Authorization": f"Bearer {token}", **(headers or {})}, **options)


@pytest.mark.parametrize("code, is_script", [
    ("len(" + " + ".join(["note"] * 600) + ") > 0", False),
    ("today(" + " + ".join(["note"] * 600) + ")", False),
    ("\n".join(f"v{i} = note + note" for i in range(300)), True),
    ("r = len(" + " + ".join(["note"] * 6000) + ")", True),
], ids=["a long sum inside len()", "a long sum as an offered function's argument", "three hundred doublings kept",
        "a sum too deep to weigh"])
def test_code_whose_cost_hides_from_the_weight_rule_runs_in_a_child_not_in_the_host(code, is_script):
    from engine.cheap import is_cheap
    assert is_cheap(code, frozenset({"today"}), is_script=is_script) is False


def test_three_hundred_doublings_of_a_megabyte_are_refused_without_growing_the_host():
    import resource
    data, before = {"note": "x" * 1_000_000}, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises((DataNotStorable, ScriptError)):  # the data rule or the child's memory bound
        SandboxEnvironment({}, BOUNDS).execute("\n".join(f"v{i} = note + note" for i in range(300)), data)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB: it grew 600 MB before


@pytest.fixture
def clerk(db):  # noqa: F811
    from workflows.directory import units as directory
    directory.load_directory(db)
    db.commit()
    return ensure_user(db, "zuzhibu", "zuzhibu")


def test_wrong_passwords_under_other_spellings_of_the_name_lock_the_name_all_the_same(client, clerk):
    from tests.web_support import PASSWORD, sign_in
    for name in ("ZUZHIBU", " zuzhibu", "zuzhibu ", "ZuZhiBu", "zuzhibu"):
        assert sign_in(client, name, "wrong").status_code == 401
    assert sign_in(client, "zuzhibu", PASSWORD).status_code == 429


def test_a_forged_forwarded_for_header_does_not_get_a_guesser_new_tries_when_no_proxy_is_trusted(client, clerk):
    from tests.web_support import PASSWORD, csrf_token
    for number in range(5):
        form = {"username": "zuzhibu", "password": "wrong", "csrf_token": csrf_token(client.get("/login"))}
        headers = {"X-Forwarded-For": f"10.0.0.{number}", "X-Real-IP": f"10.0.1.{number}"}
        assert client.post("/login", data=form, headers=headers).status_code == 401
    form = {"username": "zuzhibu", "password": PASSWORD, "csrf_token": csrf_token(client.get("/login"))}
    assert client.post("/login", data=form, headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 429


@pytest.mark.parametrize("name", ["office\n", "Office", " office", "办公室"])
def test_a_user_name_that_could_never_sign_in_is_refused_when_the_account_is_made(clerk, db, name):  # noqa: F811
    from workflows.accounts.models import User
    from workflows.accounts.users import AccountError, create_user
    with pytest.raises(AccountError, match="用户名"):
        create_user(db, username=name, unit_code="zuzhibu", role="unit", password="a-long-password-1")
    assert db.scalar(select(User).where(User.username == name)) is None


@pytest.fixture
def calendar_office(db, login_as):  # noqa: F811
    from workflows.directory.units import load_directory
    from workflows.holidays import book
    load_directory(db)
    db.commit()
    book.forget()
    yield login_as("office", unit="tuijinban", role="office")
    book.forget()


def _import(client, body: bytes, filename: str = "2027.csv"):
    import io

    from tests.web_support import post_form
    return post_form(client, "/admin/calendar", "/admin/calendar/import", {"file": (io.BytesIO(body), filename)})


def _days_stored(db) -> int:  # noqa: F811
    from sqlalchemy import func

    from workflows.holidays.models import CalendarDay
    db.expire_all()
    return db.scalar(select(func.count()).select_from(CalendarDay))


@pytest.mark.parametrize("body", ["2027-01-01,休,元\x00旦\n", "2027-01-01,休,元旦\x07\n", "2027-01-01,休,\u202e旦元\n"],
                         ids=["a NUL in a name", "a control character in a name", "a bidi override in a name"])
def test_a_notice_file_with_characters_no_page_should_hold_is_refused_naming_the_line(calendar_office, db, body):  # noqa: F811
    from tests.web_support import text
    answer = _import(calendar_office, body.encode("utf-8"))
    assert answer.status_code == 422 and "第 1 行" in text(answer)
    assert _days_stored(db) == 0


def test_a_notice_file_of_a_hundred_thousand_bad_lines_is_answered_with_a_short_list(calendar_office, db):  # noqa: F811
    from tests.web_support import text
    answer = _import(calendar_office, b"2027-01-01\n" * 100_000)
    assert answer.status_code == 422 and "第 1 行" in text(answer)
    assert len(answer.get_data()) < 200_000 and "100,000" in text(answer)
    assert _days_stored(db) == 0


def test_a_notice_file_with_a_byte_order_mark_is_read(calendar_office, db):  # noqa: F811
    answer = _import(calendar_office, "\ufeff2027-01-01,休,元旦\r\n".encode("utf-8"))
    assert answer.status_code == 302 and _days_stored(db) == 1


def test_a_binary_file_given_as_the_notice_is_refused_without_storing_anything(calendar_office, db):  # noqa: F811
    import os
    answer = _import(calendar_office, os.urandom(300_000), filename="photo.jpg")
    assert answer.status_code == 422 and len(answer.get_data()) < 200_000
    assert _days_stored(db) == 0


@pytest.mark.parametrize("filename", ["通知" * 200 + ".csv", "a\x00b.csv", "<img src=x onerror=alert(1)>.csv"],
                         ids=["a file name of four hundred characters", "a NUL in the file name", "markup in the name"])
def test_a_notice_file_with_an_odd_file_name_is_imported_and_the_name_shown_as_text(calendar_office, db,  # noqa: F811
                                                                                    filename):
    from workflows.holidays.models import CalendarYear
    answer = _import(calendar_office, "2027-01-01,休,元旦\n".encode("utf-8"), filename=filename)
    assert answer.status_code == 302 and _days_stored(db) == 1
    source = db.get(CalendarYear, 2027).source
    assert "\x00" not in source and len(source) <= 200
    assert "<img" not in calendar_office.get("/admin/calendar").get_data(as_text=True)


@pytest.mark.parametrize("filename", ["a\x00b.bpmn", "流程" * 300 + ".bpmn"], ids=["a NUL", "six hundred characters"])
def test_a_diagram_uploaded_under_an_odd_file_name_is_deployed_or_refused_but_never_a_500(api, filename):
    import io

    from tests.deployment_support import review
    answer = api("POST", "/api/process-definitions", data={"file": (io.BytesIO(review()), filename)},
                 content_type="multipart/form-data")
    assert answer.status_code in (201, 400, 422) and answer.is_json


@pytest.mark.parametrize("filename", ["a\x00b.pdf", "附件" * 300 + ".pdf"], ids=["a NUL", "six hundred characters"])
def test_an_attachment_uploaded_under_an_odd_file_name_is_kept_or_refused_but_never_a_500(app, call, db, filename):  # noqa: F811
    import io

    from engine import HumanTask
    task = db.scalars(select(HumanTask).where(HumanTask.state == "ready")).first()
    user = ensure_user(db, "probe_" + (task.assigned_unit or "x")[:20], task.assigned_unit or "zuzhibu", "unit")
    token = issue_token(db, user, datetime.utcnow())
    db.commit()
    answer = app.test_client().post(f"/api/tasks/{task.id}/attachments",
                                            data={"file": (io.BytesIO(b"%PDF-1.4 x"), filename)},
                                            content_type="multipart/form-data",
                                            headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code < 500, answer.get_data(as_text=True)[:300]


@pytest.mark.parametrize("code", ["x = 1\n" * 700_000, "r = [" + "1," * 2_000_000 + "]"],
                         ids=["seven hundred thousand lines", "a list literal of two million items"])
def test_a_diagram_with_megabytes_of_code_is_refused_at_deploy_before_it_is_compiled(api, code):
    import resource

    from tests.deployment_support import chain, script
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    answer = api("POST", "/api/process-definitions", data=chain("long_code", script("calc", code)),
                 headers={"Content-Type": "application/xml"})
    assert answer.status_code == 422 and "calc" in answer.get_data(as_text=True)
    assert "代码过长" in answer.get_data(as_text=True)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 300 * 1024  # KiB; compiling it took 1.7 GB


def test_a_chain_of_fifteen_hundred_steps_is_refused_at_deploy_in_chinese_not_with_a_raw_recursion_error(api):
    from tests.deployment_support import chain, script
    xml = chain("long_chain", *(script(f"s{i}", "x = 1") for i in range(1500)))
    answer = api("POST", "/api/process-definitions", data=xml, headers={"Content-Type": "application/xml"})
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert "RecursionError" not in answer.get_data(as_text=True) and "步骤过多" in answer.json["error"]
