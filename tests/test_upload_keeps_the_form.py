"""Issue 16 §3: uploading a file from the form keeps what was typed (as the draft) and ticks the file in the
form's 附件 field."""
from __future__ import annotations

import io

import pytest

from tests.process_support import Driver, start_projects
from tests.web_support import csrf_token, db, login_as  # noqa: F401

COMPILE, LEAD = "汇总填报季度报告", "zuzhibu"


@pytest.fixture
def task(db):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2)
    return driver.task(name=COMPILE, business_key="2017-02")


def upload(client, task, data: dict, content: bytes | None = b"%PDF-1.4 progress table"):
    token = csrf_token(client.get(f"/tasks/{task.id}"))
    form = {**data, "csrf_token": token, "upload_for": "attachments"}
    if content is not None:
        form["file"] = (io.BytesIO(content), "二季度进展表.pdf")
    return client.post(f"/tasks/{task.id}/draft-upload", data=form, content_type="multipart/form-data")


def test_the_task_form_offers_to_upload_a_file_into_its_attachments_field(task, login_as):
    page = login_as(LEAD).get(f"/tasks/{task.id}").get_data(as_text=True)

    assert 'formaction="/tasks/%d/draft-upload" formenctype="multipart/form-data"' % task.id in page
    assert 'name="upload_for" value="attachments"' in page


def test_uploading_keeps_the_typed_text_and_ticks_the_uploaded_file(task, login_as):
    client = login_as(LEAD)

    response = upload(client, task, {"progress": "已召开联席会议两次", "percent": "40"})

    assert response.status_code == 302
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "已召开联席会议两次" in page and 'value="40"' in page
    assert "二季度进展表.pdf" in page
    attachments = page[page.index('id="field-attachments"'):]
    attachments = attachments[:attachments.index("</div>")]
    assert "checked" in attachments and "二季度进展表.pdf" in attachments


def test_an_upload_without_a_file_is_refused_and_the_typed_text_is_shown_again(task, login_as):
    response = upload(login_as(LEAD), task, {"progress": "已召开联席会议两次"}, content=None)

    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "请选择要上传的文件" in page and "已召开联席会议两次" in page
