"""In a real Chromium: a lead unit uploads a file on its report, saves a draft, reloads and finds both."""
from __future__ import annotations

from tests.browser_support import open_task, sign_in
from tests.process_support import Driver, start_projects
from tests.web_support import ensure_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_unit_uploads_a_file_saves_a_draft_and_finds_both_after_reloading(db, live_server, page):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2)
    ensure_user(db, "zuzhibu", "zuzhibu")

    sign_in(page, live_server, "zuzhibu")
    open_task(page, "汇总填报季度报告")
    page.set_input_files("#upload-file", files=[{"name": "联席会议纪要.pdf", "mimeType": "application/pdf",
                                                  "buffer": PDF}])
    page.click("section.attachments button:has-text('上传')")
    page.wait_for_selector("text=已上传附件“联席会议纪要.pdf”")
    page.fill("#field-progress", "已召开联席会议两次，纪要见附件")
    page.check("input[name=attachments]")
    page.click("button:has-text('保存草稿')")
    page.wait_for_selector("text=草稿已保存")

    page.reload()

    assert "草稿保存于 2017年6月8日 09:00" in page.inner_text("section.form")
    assert page.input_value("#field-progress") == "已召开联席会议两次，纪要见附件"
    assert page.is_checked("input[name=attachments]")
    assert page.locator("section.attachments a", has_text="联席会议纪要.pdf").count() == 1
