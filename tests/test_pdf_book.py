"""A book laid out in parts on several processes and joined (web/pdf_book), on small HTML documents."""
from __future__ import annotations

import io
import subprocess

import pikepdf
import pytest

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


def test_stamps_are_laid_over_the_pages_in_order(tmp_path):
    stamps = lay_out(document("".join(f"<h1>印{number}</h1>" for number in (1, 2, 3))))
    book = join(lay_out_all([FIRST, SECOND], 1), title="书", lang="zh-CN", stamps=[stamps])
    texts = page_texts(book, tmp_path)
    assert ["印1" in texts[0], "印2" in texts[1], "印3" in texts[2]] == [True, True, True]
    assert "第二部分" in texts[1]


def test_stamps_for_a_different_number_of_pages_are_refused():
    stamps = lay_out(document("<h1>印</h1>"))
    with pytest.raises(ValueError, match="1 stamps for a book of 3 pages"):
        join(lay_out_all([FIRST, SECOND], 1), title="书", lang="zh-CN", stamps=[stamps])
