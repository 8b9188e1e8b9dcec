"""A book laid out in parts on several processes and joined (web/pdf_book), on small HTML documents."""
from __future__ import annotations

import io
import subprocess

import pikepdf
import pytest

from web.reports import page_stamps
from web.reports.pdf_book import join, lay_out, lay_out_all

STYLE = "<style>@page { size: A5; margin: 15mm } h1 { break-before: page } body { font-family: 'Noto Sans CJK SC' }</style>"


def document(body: str) -> str:
    return f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>{STYLE}</head><body>{body}</body></html>"


FIRST = document("<h1 id='intro'>引言</h1><p><a href='#later'>见后文</a></p><span id='later'></span>")
SECOND = document("<h1 id='later'>后文</h1><p>第二部分</p><h2>小节</h2><h1>再后</h1>")


def page_texts(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "book.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True)
    return ["".join(page.split()) for page in text.stdout.split("\f")[:-1]]


def test_parts_laid_out_on_two_processes_match_those_laid_out_in_this_one():
    parallel, serial = lay_out_all([FIRST, SECOND], 2), lay_out_all([FIRST, SECOND], 1)
    assert [part.pages for part in parallel] == [part.pages for part in serial] == [1, 2]
    assert parallel[1].anchors == serial[1].anchors


def test_a_link_to_an_anchor_of_a_later_part_leads_to_that_parts_page():
    book = join(lay_out_all([FIRST, SECOND], 2), title="书", lang="zh-CN")
    with pikepdf.open(io.BytesIO(book)) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        targets = {name: pages[target[0].objgen] for name, target in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
        [link] = pdf.pages[0].Annots
        assert str(link.Dest) == "later" and targets == {"intro": 0, "later": 1}
        assert str(pdf.docinfo.Title) == "书" and str(pdf.Root.Lang) == "zh-CN"


def test_the_outline_nests_every_parts_headings_as_one_document_would():
    book = join(lay_out_all([FIRST, SECOND], 2), title="书", lang="zh-CN")
    with pikepdf.open(io.BytesIO(book)) as pdf, pdf.open_outline() as outline:
        assert [item.title for item in outline.root] == ["引言", "后文", "再后"]
        assert [item.title for item in outline.root[1].children] == ["小节"]


def test_what_decorate_draws_is_on_the_joined_pages_and_info_in_the_document_information(tmp_path):
    stamps = lay_out(document("".join(f"<h1>印{number}</h1>" for number in (1, 2, 3))))

    def number_pages(book: pikepdf.Pdf) -> None:
        with pikepdf.open(io.BytesIO(stamps.pdf)) as marks:
            for page, mark in zip(book.pages, marks.pages):
                page.add_overlay(book.copy_foreign(mark.as_form_xobject()))

    book = join(lay_out_all([FIRST, SECOND], 1), title="书", lang="zh-CN", decorate=number_pages,
                info={"/DataVersion": "7"})
    texts = page_texts(book, tmp_path)
    assert ["印1" in texts[0], "印2" in texts[1], "印3" in texts[2]] == [True, True, True]
    assert "第二部分" in texts[1]
    with pikepdf.open(io.BytesIO(book)) as pdf:
        assert str(pdf.docinfo.DataVersion) == "7" and str(pdf.docinfo.Title) == "书"


def test_page_numbers_are_drawn_from_the_type_on_every_page_but_the_first(app, tmp_path):
    with app.test_request_context():
        type_part = lay_out(page_stamps.type_html())
    sheets = [page_stamps.Sheet(1), page_stamps.Sheet(2, [page_stamps.Ref("307", 100, 200, 60, 20)]), page_stamps.Sheet(3)]
    book = join(lay_out_all([FIRST, SECOND], 1), title="书", lang="zh-CN",
                decorate=lambda pdf: page_stamps.stamp(pdf, sheets, type_part))
    texts = page_texts(book, tmp_path)
    assert "页" not in texts[0] and texts[1].endswith("第2页/共3页") and texts[2].endswith("第3页/共3页")
    assert "307" in texts[1]


def test_sheets_for_a_different_number_of_pages_are_refused(app):
    with app.test_request_context():
        type_part = lay_out(page_stamps.type_html())
    with pytest.raises(ValueError, match="1 stamps for a book of 3 pages"):
        join(lay_out_all([FIRST, SECOND], 1), title="书", lang="zh-CN",
             decorate=lambda pdf: page_stamps.stamp(pdf, [page_stamps.Sheet(1)], type_part))
