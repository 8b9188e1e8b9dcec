"""The year-end evaluation report as a book (pdf_book.py): the front matter (cover, contents, summary, project
list) and the body (a section per project, the consultations, the overdue appendix), laid out in parallel.

The front matter cites pages of the body (its contents and the project list's 页码 column); it is laid out with
those cells empty, and once every part is laid out the numbers are drawn into the cells' boxes, together with
the page number of each page (page_stamps.py). So every part is laid out once, and all of them at the same time.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from workflows.reports.overdue_items import OverdueItem
from workflows.reports.provenance import Stamp, stamp_info
from workflows.reports.year_report import YearSummary

from . import page_stamps
from .page_stamps import Ref, Sheet
from .part_cache import PartCache, Progress, lay_out_cached
from .pdf_book import LaidPart, book_anchors, join

OVERDUE_PER_PIECE = 300       # appendix items per piece: a piece is the smallest unit a part can hold
PROJECTS_PER_PART = 50        # fewer: less laid out again after one change; more: fewer font subsets (300 KB each)
OVERDUE_PIECES_PER_PART = 4   # the appendix's pieces (of OVERDUE_PER_PIECE items, some 12 pages) in a part
REF = "ref-"                  # the id of a cell for a page number: REF + the id of the element whose page it shows
LANG = "zh-CN"


@dataclass(frozen=True)
class Piece:
    """Body HTML that may begin a part: ``section`` is the running head it continues (None: it sets its own)."""
    html: str
    section: str | None = None
    kind: str | None = None  # pieces of one kind share parts ("project", "overdue"); None: a part of its own


def year_pdf(summary: YearSummary, overdue: list[OverdueItem], *, workers: int,
             stamp: Stamp | None = None, cache: PartCache | None = None, progress: Progress | None = None) -> bytes:
    """The year's book; with a ``stamp`` its last page and its document information give the data version, the
    chain head and the figures' digest (workflows/reports/provenance.py). Parts ``cache`` holds are not laid out
    again; ``progress`` counts the parts (the front matter, the body's parts, the page numbers' type)."""
    progress = progress or Progress()
    title = f"{summary.plan.year}年度重点工作评估报告"
    pieces = _body(summary, overdue) if summary.has_data else []
    if stamp is not None:
        pieces.append(Piece(render_template("reports/_provenance.html", stamp=stamp)))
    parts = [_document(title, "\n".join(piece.html for piece in group), group[0].section) for group in _parts(pieces)]
    front = _front(title, summary)
    progress.expect(len(front) + len(parts) + 1)  # the front matter, the body, the type of the page numbers
    *laid, type_part = lay_out_cached([*front, *parts, page_stamps.type_html()], workers, cache, progress)
    sheets = _sheets(laid)
    return join(laid, title=title, lang=LANG, decorate=lambda book: page_stamps.stamp(book, sheets, type_part),
                info=stamp_info(stamp) if stamp is not None else None)


def _parts(pieces: list[Piece]) -> list[list[Piece]]:
    """The pieces in parts that stay the same when one project changes: the projects' sections in runs of
    PROJECTS_PER_PART and the appendix's pieces in runs of OVERDUE_PIECES_PER_PART (by their place, not their
    length, so that a longer section moves no boundary), every other piece a part of its own."""
    parts: list[list[Piece]] = []
    for piece in pieces:
        if piece.kind is None or not parts or parts[-1][0].kind != piece.kind or len(parts[-1]) >= _run(piece):
            parts.append([])
        parts[-1].append(piece)
    return parts


def _run(piece: Piece) -> int:
    return PROJECTS_PER_PART if piece.kind == "project" else OVERDUE_PIECES_PER_PART


def _body(summary: YearSummary, overdue: list[OverdueItem]) -> list[Piece]:
    by_project: dict[str, list[OverdueItem]] = {}
    for item in overdue:  # each project's section lists its own items of the appendix
        if item.business_key is not None:
            by_project.setdefault(item.business_key, []).append(item)
    pieces = [Piece(render_template("reports/_project.html", facts=facts,
                                    overdue=by_project.get(facts.project.business_key, [])), kind="project")
              for facts in summary.projects]
    pieces.append(Piece(render_template("reports/_year_consultations.html", summary=summary)))
    appendix = "附录 逾期事项"
    for first in range(0, max(1, len(overdue)), OVERDUE_PER_PIECE):
        html = render_template("reports/_year_overdue.html", overdue=overdue[first:first + OVERDUE_PER_PIECE],
                               first=first + 1, total=len(overdue))
        pieces.append(Piece(html, section=appendix if first else None, kind="overdue"))
    return pieces


def _document(title: str, body: str, section: str | None = None) -> str:
    """One part of the book as a whole HTML document, its page numbers left to the stamps."""
    return render_template("reports/book.html", title=title, section=section, body=body, numbers_stamped=True)


def _front(title: str, summary: YearSummary) -> list[str]:
    """The front matter's parts: the opening (cover and contents), the summary and the project list (only the
    opening before the plan has data)."""
    def page_ref(anchor: str) -> Markup:
        return Markup(' id="{}"').format(REF + anchor)

    # WeasyPrint keeps a link only if its target is in the same document: these stand in for the other parts'.
    targets = {"opening": ["summary", "projects", "consultations", "overdue"],
               "projects": [f"project-{facts.project.number}" for facts in summary.projects]}
    return [_document(title, render_template("reports/_year_front.html", part=part, summary=summary,
                                             page_ref=page_ref, link_targets=targets.get(part, [])))
            for part in (("opening", "summary", "projects") if summary.has_data else ("opening",))]


def _sheets(parts: Sequence[LaidPart]) -> list[Sheet]:
    """A sheet per page of the book, with the page numbers its cells are kept for."""
    anchors = book_anchors(parts)  # the body's ids win over the front's stand-ins
    sheets = [Sheet(number) for number in range(1, sum(part.pages for part in parts) + 1)]
    for name, (page, anchor, _) in anchors.items():
        if name.startswith(REF):
            cited = anchors[name.removeprefix(REF)][0] + 1
            box = (anchor.x1, anchor.y1, anchor.x2 - anchor.x1, anchor.y2 - anchor.y1)
            sheets[page].refs.append(Ref(str(cited), *box))
    return sheets
