"""Drafts, attachments and comments on the task page and in the API: limits, type sniffing, downloads, who may."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from engine import HumanTask
from tests.process_support import Driver, start_projects
from tests.web_support import csrf_token, db, ensure_user, login_as, post_form, text  # noqa: F401
from workflows.accounts.tokens import issue_token
from workflows.tasks.attachments import clean_filename, content_matches
from workflows.tasks.models import Attachment, TaskComment, TaskDraft

COMPILE, REVIEW = "汇总填报季度报告", "审核季度报告"
LEAD = "zuzhibu"  # 区委组织部 leads projects 1 and 2
GOOD_REPORT = {"progress": "已召开联席会议两次", "percent": "40", "status": "on_track", "next_step": "submit"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
MB = 1024 * 1024


def office_file(part: str) -> bytes:
    """A minimal Office Open XML package (word/, xl/ or ppt/ inside a zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in (("[Content_Types].xml", "<Types/>"), (f"{part}/document.xml", "<document/>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2017, 6, 8, 9, 0, 0)), body)
    return buffer.getvalue()


@pytest.fixture
def driver(db) -> Driver:  # noqa: F811
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 1, 2)
    return driver


@pytest.fixture
def task(driver) -> HumanTask:
    return driver.task(name=COMPILE, business_key="2017-02")


def upload(client, task_id: int, name: str, content: bytes):
    token = csrf_token(client.get(f"/tasks/{task_id}"))
    return client.post(f"/tasks/{task_id}/attachments", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(content), name)})


def stored(driver) -> list[Attachment]:
    driver.session.expire_all()
    return list(driver.session.scalars(select(Attachment).order_by(Attachment.id)))


@pytest.fixture
def call(app, driver):
    """``call(username, method, path, json=None, data=None)`` with that user's API token."""
    client, issued = app.test_client(), {}

    def request(username, method, path, json=None, *, data=None, unit=None, role="unit"):
        if username not in issued:
            user = ensure_user(driver.session, username, unit or username, role)
            issued[username] = issue_token(driver.session, user, datetime.utcnow())
            driver.session.commit()
        options = {"json": json} if data is None else {"data": data, "content_type": "multipart/form-data"}
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {issued[username]}"},
                               **options)
        driver.session.expire_all()
        return response

    return request


# Drafts

def test_a_draft_keeps_unchecked_values_and_fills_the_form_again_with_its_time(driver, task, login_as):
    client = login_as(LEAD)

    response = post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}/draft",
                         {"progress": "正在起草", "percent": "四十", "status": "", "not_a_field": "x"})
    page = text(client.get(f"/tasks/{task.id}"))

    assert response.status_code == 302 and response.location == f"/tasks/{task.id}"
    assert "草稿保存于 2017年6月8日 09:00" in page
    assert ">正在起草</textarea>" in page and 'value="四十"' in page
    draft = driver.session.get(TaskDraft, task.id)
    assert draft.saved_by == LEAD and "not_a_field" not in draft.data
    assert task.state == "ready" and driver.session.get(HumanTask, task.id).state == "ready"


def test_a_draft_over_64_kb_is_refused_and_nothing_is_saved(driver, task, login_as):
    client = login_as(LEAD)

    response = post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}/draft", {"progress": "长" * 30_000})

    assert response.status_code == 422 and "草稿过大" in text(response)
    assert driver.session.get(TaskDraft, task.id) is None


def test_only_the_tasks_unit_drafts_and_not_over_a_colleagues_claim(driver, task, db, login_as):  # noqa: F811
    ensure_user(db, "zuzhibu2", LEAD)
    holder, colleague = login_as(LEAD), login_as("zuzhibu2")
    post_form(holder, "/inbox", f"/tasks/{task.id}/claim")

    assert post_form(login_as("caoyang"), "/inbox", f"/tasks/{task.id}/draft", GOOD_REPORT).status_code == 404
    auditor = login_as("auditor", unit="tuijinban", role="auditor")
    assert post_form(auditor, f"/tasks/{task.id}", f"/tasks/{task.id}/draft", GOOD_REPORT).status_code == 403
    assert post_form(colleague, f"/tasks/{task.id}", f"/tasks/{task.id}/draft", GOOD_REPORT).status_code == 409
    assert driver.session.get(TaskDraft, task.id) is None


def test_the_draft_is_removed_when_the_task_is_completed(driver, task, login_as):
    client = login_as(LEAD)
    post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}/draft", {"progress": "草稿"})
    assert driver.session.get(TaskDraft, task.id) is not None

    assert post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}", GOOD_REPORT).status_code == 302

    driver.session.expire_all()
    assert driver.session.get(TaskDraft, task.id) is None


def test_the_api_saves_a_draft_dropping_unknown_fields_and_refuses_a_non_object(driver, task, call):
    response = call(LEAD, "PUT", f"/api/tasks/{task.id}/draft", {"percent": 40, "invented": 1})

    assert response.status_code == 200 and response.json["data"] == {"percent": 40}
    assert call(LEAD, "PUT", f"/api/tasks/{task.id}/draft", ["percent"]).status_code == 422
    assert call("caoyang", "PUT", f"/api/tasks/{task.id}/draft", {"percent": 1}).status_code == 404
    big = call(LEAD, "PUT", f"/api/tasks/{task.id}/draft", {"progress": "长" * 30_000})
    assert big.status_code == 422 and "草稿过大" in json.dumps(big.json, ensure_ascii=False)


# Attachments

def test_a_pdf_with_a_chinese_name_is_uploaded_listed_and_downloaded_as_an_attachment(driver, task, login_as):
    client = login_as(LEAD)

    response = upload(client, task.id, "第二季度进展材料.pdf", PDF)
    page = text(client.get(f"/tasks/{task.id}"))
    [attachment] = stored(driver)
    download = client.get(f"/attachments/{attachment.id}")

    assert response.status_code == 302 and "第二季度进展材料.pdf" in page
    assert attachment.size == len(PDF) and len(attachment.sha256) == 64 and attachment.uploaded_by == LEAD
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote('第二季度进展材料.pdf')}" in disposition


@pytest.mark.parametrize("name, content, message", [
    ("报告.pdf", EXE, "内容与扩展名 .pdf 不符"),
    ("工具.exe", EXE, "不支持 .exe 文件"),
    ("空白.docx", b"", "是空文件"),
    ("表格改名.docx", office_file("xl"), "内容与扩展名 .docx 不符"),
    ("无扩展名", PDF, "文件名无效"),
])
def test_a_file_whose_type_or_content_is_wrong_is_refused_and_nothing_is_stored(driver, task, login_as,
                                                                                name, content, message):
    response = upload(login_as(LEAD), task.id, name, content)

    assert response.status_code == 422 and message in text(response)
    assert stored(driver) == []


def test_office_files_images_and_text_are_recognised_by_their_content():
    assert content_matches("docx", office_file("word")) and content_matches("xlsx", office_file("xl"))
    assert not content_matches("pptx", office_file("word"))
    assert content_matches("doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert content_matches("png", b"\x89PNG\r\n\x1a\n....") and content_matches("jpg", b"\xff\xd8\xff\xe0..")
    assert content_matches("txt", "普陀区进展情况".encode("gb18030")) and not content_matches("txt", EXE)
    assert not content_matches("zip", EXE) and content_matches("zip", office_file("word"))


def test_a_file_name_keeps_its_chinese_and_loses_folders_and_control_characters():
    assert clean_filename("../../etc/进展\x00报告.PDF") == "进展报告.pdf"
    assert clean_filename("C:\\Users\\张三\\桌面\\会议 纪要.docx") == "会议 纪要.docx"


def test_a_file_over_10_mb_is_refused_with_its_size_in_the_message(driver, task, login_as):
    response = upload(login_as(LEAD), task.id, "大文件.pdf", b"%PDF-" + b"0" * (10 * MB - 4))

    assert response.status_code == 422 and "超过了 10 MB 的上限" in text(response)
    assert stored(driver) == []


def test_a_body_far_over_the_limit_gets_413_in_chinese_and_nothing_is_written(driver, task, login_as, call):
    page = upload(login_as(LEAD), task.id, "巨大.pdf", b"%PDF-" + b"0" * (12 * MB))
    api = call(LEAD, "POST", f"/api/tasks/{task.id}/attachments",
               data={"file": (io.BytesIO(b"%PDF-" + b"0" * (12 * MB)), "巨大.pdf")})

    assert page.status_code == 413 and "单个附件不能超过 10 MB" in text(page)
    assert api.status_code == 413 and "单个附件不能超过 10 MB" in api.json["error"]
    assert stored(driver) == []


def test_another_unit_gets_404_for_the_file_while_overseers_download_it(driver, task, login_as):
    upload(login_as(LEAD), task.id, "材料.pdf", PDF)
    [attachment] = stored(driver)

    assert login_as("caoyang").get(f"/attachments/{attachment.id}").status_code == 404
    assert login_as("caoyang").get("/attachments/999999").status_code == 404
    supervisor = login_as("supervisor", unit="duchake", role="supervisor")
    auditor = login_as("auditor", unit="tuijinban", role="auditor")
    assert supervisor.get(f"/attachments/{attachment.id}").data == PDF
    assert auditor.get(f"/attachments/{attachment.id}").status_code == 200


def test_only_the_uploader_deletes_a_file_and_only_while_the_task_is_open(driver, task, db, login_as):  # noqa: F811
    ensure_user(db, "zuzhibu2", LEAD)
    uploader, colleague = login_as(LEAD), login_as("zuzhibu2")
    upload(uploader, task.id, "一.pdf", PDF)
    upload(uploader, task.id, "二.pdf", PDF)
    first, second = stored(driver)

    assert post_form(colleague, f"/tasks/{task.id}", f"/attachments/{first.id}/delete").status_code == 403
    assert post_form(uploader, f"/tasks/{task.id}", f"/attachments/{first.id}/delete").status_code == 302
    assert [a.filename for a in stored(driver)] == ["二.pdf"]

    post_form(uploader, f"/tasks/{task.id}", f"/tasks/{task.id}", GOOD_REPORT)
    assert post_form(uploader, f"/tasks/{task.id}", f"/attachments/{second.id}/delete").status_code == 403
    assert [a.filename for a in stored(driver)] == ["二.pdf"]


def test_the_forms_attachment_field_offers_the_instances_files_and_keeps_the_chosen_ids(driver, task, login_as):
    client = login_as(LEAD)
    upload(client, task.id, "材料.pdf", PDF)
    [attachment] = stored(driver)

    page = text(client.get(f"/tasks/{task.id}"))
    wrong = post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}", {**GOOD_REPORT, "attachments": "999"})
    right = post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}",
                      {**GOOD_REPORT, "attachments": str(attachment.id)})

    assert f'type="checkbox" name="attachments" value="{attachment.id}"' in page
    assert wrong.status_code == 422 and "附件 999 不存在或不属于本流程" in text(wrong)
    assert right.status_code == 302
    [completed] = [e for e in driver.engine.history(task.instance_id) if e.kind == "task_completed"]
    assert completed.data["data"]["attachments"] == [attachment.id]


def test_the_api_uploads_lists_and_downloads_files_with_the_same_rules(driver, task, call):
    created = call(LEAD, "POST", f"/api/tasks/{task.id}/attachments",
                   data={"file": (io.BytesIO(office_file("word")), "工作方案.docx")})
    refused = call(LEAD, "POST", f"/api/tasks/{task.id}/attachments", data={"file": (io.BytesIO(EXE), "方案.docx")})
    listed = call(LEAD, "GET", f"/api/tasks/{task.id}/attachments")
    download = call(LEAD, "GET", f"/api/attachments/{created.json['id']}")

    assert created.status_code == 201 and created.json["filename"] == "工作方案.docx"
    assert refused.status_code == 422 and "内容与扩展名 .docx 不符" in refused.json["errors"]["file"]
    assert [a["filename"] for a in listed.json] == ["工作方案.docx"]
    assert download.data == office_file("word") and "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert call("caoyang", "GET", f"/api/attachments/{created.json['id']}").status_code == 404
    assert call("caoyang", "GET", f"/api/tasks/{task.id}/attachments").status_code == 404
    auditor_upload = call("auditor", "POST", f"/api/tasks/{task.id}/attachments", unit="tuijinban", role="auditor",
                          data={"file": (io.BytesIO(PDF), "审计.pdf")})
    assert auditor_upload.status_code == 403


# Comments

def test_comments_are_listed_newest_last_with_author_unit_and_chinese_time(driver, task, login_as):
    lead, office = login_as(LEAD), login_as("office", unit="tuijinban", role="office")

    assert post_form(lead, f"/tasks/{task.id}", f"/tasks/{task.id}/comments", {"body": "材料周五前补齐"}).status_code == 302
    driver.engine.clock.set(datetime(2017, 6, 9, 14, 30))
    driver.session.commit()
    post_form(office, f"/tasks/{task.id}", f"/tasks/{task.id}/comments", {"body": "请补充联席会议纪要"})
    page = text(lead.get(f"/tasks/{task.id}"))

    assert page.index("材料周五前补齐") < page.index("请补充联席会议纪要")
    assert "区委组织部 · 2017年6月8日 09:00" in page
    assert "区推进办 · 2017年6月9日 14:30" in page


@pytest.mark.parametrize("body, message", [("   ", "请填写意见内容"), ("意" * 2001, "不能超过 2000 个字")])
def test_an_empty_or_too_long_comment_is_refused_and_nothing_is_saved(driver, task, login_as, body, message):
    response = post_form(login_as(LEAD), f"/tasks/{task.id}", f"/tasks/{task.id}/comments", {"body": body})

    assert response.status_code == 422 and message in text(response)
    assert driver.session.scalar(select(func.count()).select_from(TaskComment)) == 0


def test_auditors_cannot_comment_and_other_units_cannot_see_the_task(driver, task, login_as, call):
    auditor = login_as("auditor", unit="tuijinban", role="auditor")

    assert post_form(auditor, f"/tasks/{task.id}", f"/tasks/{task.id}/comments", {"body": "看过"}).status_code == 403
    assert call("auditor", "POST", f"/api/tasks/{task.id}/comments", {"body": "看过"},
                unit="tuijinban", role="auditor").status_code == 403
    assert post_form(login_as("caoyang"), "/inbox", f"/tasks/{task.id}/comments", {"body": "?"}).status_code == 404
    assert call("caoyang", "GET", f"/api/tasks/{task.id}/comments").status_code == 404
    assert driver.session.scalar(select(func.count()).select_from(TaskComment)) == 0


def test_the_api_posts_and_lists_comments(driver, task, call):
    created = call(LEAD, "POST", f"/api/tasks/{task.id}/comments", {"body": "已上传方案"})
    empty = call(LEAD, "POST", f"/api/tasks/{task.id}/comments", {"body": ""})
    listed = call("office", "GET", f"/api/tasks/{task.id}/comments", unit="tuijinban", role="office")

    assert created.status_code == 201 and created.json["unit_name"] == "区委组织部"
    assert empty.status_code == 422 and "请填写意见内容" in empty.json["errors"]["body"]
    assert [(c["author"], c["body"]) for c in listed.json] == [(LEAD, "已上传方案")]


# The project's earlier reports

def test_the_review_page_shows_the_projects_earlier_reports_and_their_status(driver, task, login_as):
    post_form(login_as(LEAD), f"/tasks/{task.id}", f"/tasks/{task.id}", GOOD_REPORT)
    review = driver.task(name=REVIEW, business_key="2017-02")

    page = text(login_as("office", unit="tuijinban", role="office").get(f"/tasks/{review.id}"))

    assert "往期报告" in page and "2017年第2季度" in page and "已提交，待审核" in page


def test_the_openapi_document_lists_the_task_note_endpoints(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert {"/api/tasks/{task_id}/comments", "/api/tasks/{task_id}/attachments", "/api/attachments/{attachment_id}",
            "/api/tasks/{task_id}/draft"} <= set(paths)
    assert {"get", "post"} <= set(paths["/api/tasks/{task_id}/comments"])
