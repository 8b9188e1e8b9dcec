"""The page numbers of a joined book, set from type laid out once (issue 18 §2).

Each page of the book shows 第 N 页 / 共 M 页 (not the cover) and the front matter's cells show the pages they cite;
no part can know these until every part is laid out. Laying out a stamp page per book page with WeasyPrint took
8 s for the city's 1,500 pages, and had to be done again whenever one page moved (every number after it, and the
total on every page, changes). Instead the pieces the numbers are made of (the ten digits in two styles and the
words around the page number) are laid out once, each alone on a page of a small document (book_type.html), and
every book page gets a few lines of PDF that draw those pieces side by side, each moved by its advance: the same
glyphs, fonts and positions WeasyPrint gives the whole line, for some milliseconds for the whole book.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import pikepdf
from flask import render_template

from .pdf_book import PX_TO_PT, LaidPart

MM = 96 / 25.4                          # CSS px per millimetre
NUMBER_RAISE = 8.5 * MM                 # the page number line's bottom edge above the page's bottom edge
REF_PADDING_TOP, REF_PADDING_RIGHT = 1 * MM, 1.5 * MM  # a cited page's cell padding (_style.html's td)
NUMBER_WORDS = ("第 ", " 页 / 共 ", " 页")
DIGITS = "0123456789"


@dataclass(frozen=True)
class Piece:
    """Text set in one style (``number``: the page number line; ``ref``: a cited page in a cell)."""
    style: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.style}-{PIECES.index(self)}"


PIECES = [Piece("number", text) for text in (*NUMBER_WORDS, *DIGITS)] + [Piece("ref", digit) for digit in DIGITS]


@dataclass(frozen=True)
class Ref:
    """A page number to stamp: its text and its cell's box (CSS px from the page's top left)."""
    text: str
    x: float
    y: float
    width: float
    height: float


@dataclass
class Sheet:
    """What is stamped on one page of the book."""
    number: int
    refs: list[Ref] = field(default_factory=list)


def type_html() -> str:
    """The document of the pieces, a piece a page (lay it out with pdf_book.lay_out; the part cache keeps it)."""
    return render_template("reports/book_type.html", pieces=PIECES)


def stamp(book: pikepdf.Pdf, sheets: Sequence[Sheet], type_part: LaidPart) -> None:
    """Draw each sheet's page number and cited pages on the book's page of the same place, from ``type_part``
    (type_html laid out). Raises ValueError when the sheets are not as many as the pages."""
    if len(sheets) != len(book.pages):
        raise ValueError(f"{len(sheets)} stamps for a book of {len(book.pages)} pages")
    with pikepdf.open(io.BytesIO(type_part.pdf)) as type_pdf:
        forms = [book.copy_foreign(page.as_form_xobject()) for page in type_pdf.pages]
        type_height = float(type_pdf.pages[0].mediabox[3])
    boxes = [type_part.anchors[piece.id] for piece in PIECES]
    for page, sheet in zip(book.pages, sheets):
        width, height = (float(value) for value in page.mediabox[2:4])
        placed = _placements(sheet, len(sheets), (width / PX_TO_PT, height / PX_TO_PT), boxes)
        if placed:
            _draw(book, page, [(forms[index], x, y) for index, x, y in placed], height - type_height)


def _placements(sheet: Sheet, total: int, page: tuple[float, float], boxes: list) -> list[tuple[int, float, float]]:
    """(piece's index, x, y of its top left in CSS px) for each piece the sheet draws on a page of that width and
    height (CSS px)."""
    placed = []
    if sheet.number > 1:  # the cover has no number
        pieces = _indexes("number", [NUMBER_WORDS[0], *str(sheet.number), NUMBER_WORDS[1], *str(total), NUMBER_WORDS[2]])
        line_width = sum(_width(boxes[index]) for index in pieces)
        line_height = boxes[pieces[0]].y2 - boxes[pieces[0]].y1
        placed += _side_by_side(pieces, boxes, (page[0] - line_width) / 2, page[1] - NUMBER_RAISE - line_height)
    for ref in sheet.refs:  # right-aligned in the cell kept for it
        pieces = _indexes("ref", list(ref.text))
        right = ref.x + ref.width - REF_PADDING_RIGHT
        placed += _side_by_side(pieces, boxes, right - sum(_width(boxes[index]) for index in pieces),
                                ref.y + REF_PADDING_TOP)
    return placed


def _indexes(style: str, texts: list[str]) -> list[int]:
    return [PIECES.index(Piece(style, text)) for text in texts]


def _width(box) -> float:
    return box.x2 - box.x1


def _side_by_side(pieces: list[int], boxes: list, x: float, y: float) -> list[tuple[int, float, float]]:
    placed = []
    for index in pieces:
        placed.append((index, x, y))
        x += _width(boxes[index])
    return placed


def _draw(book: pikepdf.Pdf, page: pikepdf.Page, placed: list[tuple[pikepdf.Object, float, float]],
          lift: float) -> None:
    """Draw the forms (pages of the type, each piece at its page's top left) with their top left at (x, y) CSS
    px; ``lift`` (PDF points) is how much taller the book's page is than the type's."""
    names: dict[tuple[int, int], pikepdf.Name] = {}
    operations = []
    for form, x, y in placed:
        name = names.get(form.objgen)
        if name is None:
            name = names[form.objgen] = page.add_resource(form, pikepdf.Name.XObject, prefix="Type")
        operations.append(f"q 1 0 0 1 {x * PX_TO_PT:.3f} {lift - y * PX_TO_PT:.3f} cm {name} Do Q")
    page.contents_add(pikepdf.Stream(book, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(book, ("\nQ\n" + "\n".join(operations) + "\n").encode()))
