"""A long PDF laid out in parts on several cores and joined into one book.

WeasyPrint lays a document out on one core at some 40 ms a page, so a city's year-end report (about a thousand
pages) would take minutes. A book is given as parts that each begin on a new page; the parts are laid out in
worker processes, joined with pikepdf (qpdf), and the joined file gets what no part can know alone: the page
numbers of the whole and the page numbers that one part cites of another (drawn by the caller's ``decorate``,
page_stamps.py for the year's book), named destinations for links from one part to another,
and one outline built from every part's headings the way WeasyPrint builds it for one document.
"""
from __future__ import annotations

import io
import multiprocessing
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import SimpleNamespace

import pikepdf

PX_TO_PT = 0.75  # WeasyPrint's CSS pixel in PDF points


@dataclass(frozen=True)
class Anchor:
    """Where an element with an id was laid out: its page in the part and its box, in CSS px from the page's top
    left."""
    page: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class LaidPart:
    """One part after layout: its PDF, its page count, and where its anchors and headings are."""
    pdf: bytes
    pages: int
    page_heights: list[float]                          # CSS px, for turning positions into PDF points
    anchors: dict[str, Anchor]
    bookmarks: list[list[tuple]] = field(default_factory=list)  # per page: (level, label, (x, y), state)


def lay_out(html: str) -> LaidPart:
    """Lay one part out and write its PDF (runs in a worker process)."""
    # WeasyPrint is imported where it is used: loading it (Pango through cffi) takes ~0.5 s, which every process
    # importing the web app (the timer worker, each CLI command) would pay without ever laying out a page.
    from weasyprint import HTML

    document = HTML(string=html).render()  # no base URL: the documents load nothing from outside
    anchors: dict[str, Anchor] = {}
    for index, page in enumerate(document.pages):
        for name, box in page.anchors.items():
            anchors.setdefault(name, Anchor(index, *box))
    return LaidPart(pdf=document.write_pdf(), pages=len(document.pages),
                    page_heights=[page.height for page in document.pages], anchors=anchors,
                    bookmarks=[list(page.bookmarks) for page in document.pages])


def lay_out_all(htmls: Sequence[str], workers: int,
                on_done: Callable[[int, LaidPart], None] | None = None) -> list[LaidPart]:
    """Lay the parts out, in order, on up to ``workers`` processes (1: in this process). ``on_done(index, part)``
    is called in this process as each part is ready, in the order they finish."""
    done = on_done or (lambda index, part: None)
    if workers <= 1 or len(htmls) <= 1:
        laid = []
        for index, html in enumerate(htmls):
            laid.append(lay_out(html))
            done(index, laid[-1])
        return laid
    # fork: the workers need nothing but WeasyPrint, already imported here, and start in milliseconds.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(htmls)), mp_context=context) as pool:
        # Longest first, so that no worker starts a long part when the others are nearly done.
        futures = {pool.submit(lay_out, htmls[index]): index
                   for index in sorted(range(len(htmls)), key=lambda index: -len(htmls[index]))}
        laid: dict[int, LaidPart] = {}
        for future in as_completed(futures):
            laid[futures[future]] = future.result()
            done(futures[future], laid[futures[future]])
        return [laid[index] for index in range(len(htmls))]


def join(parts: Sequence[LaidPart], *, title: str, lang: str, decorate: Callable[[pikepdf.Pdf], None] | None = None,
         info: Mapping[str, str] | None = None) -> bytes:
    """One PDF of the parts in order. ``decorate(book)`` may draw on the joined pages before the file is written;
    ``info`` adds entries ("/Key": text) to its document information.

    A part may hold placeholder targets for anchors laid out in a later part (WeasyPrint drops a link it cannot
    resolve); the last part that defines a name is where its links lead."""
    book = pikepdf.new()
    with ExitStack() as opened:
        with warnings.catch_warnings():
            # pikepdf warns that extend() leaves the parts' named destinations behind: the book's are written below.
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            book.pages.extend(_opened_pages(parts, opened))
        if decorate is not None:
            decorate(book)
        _name_destinations(book, book_anchors(parts))
        _outline(book, [page for part in parts for page in _pages(part)])
        book.docinfo["/Title"] = title
        for key, value in (info or {}).items():
            book.docinfo[key] = value
        book.Root.Lang = pikepdf.String(lang)
        book.Root.PageMode = pikepdf.Name.UseOutlines
        out = io.BytesIO()
        book.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def book_anchors(parts: Sequence[LaidPart]) -> dict[str, tuple[int, Anchor, float]]:
    """Each anchor's page in the book, its box and that page's height (CSS px); the last part that defines a
    name wins."""
    anchors: dict[str, tuple[int, Anchor, float]] = {}
    first = 0
    for part in parts:
        for name, anchor in part.anchors.items():
            anchors[name] = (first + anchor.page, anchor, part.page_heights[anchor.page])
        first += part.pages
    return anchors


def _opened_pages(parts: Sequence[LaidPart], opened: ExitStack) -> list[pikepdf.Page]:
    """The pages of the parts' PDFs, in order; the files stay open until ``opened`` closes."""
    return [page for part in parts for page in opened.enter_context(pikepdf.open(io.BytesIO(part.pdf))).pages]


def _pages(part: LaidPart) -> list[SimpleNamespace]:
    """The part's pages as WeasyPrint's bookmark nesting reads them."""
    return [SimpleNamespace(height=height, bookmarks=marks) for height, marks in zip(part.page_heights, part.bookmarks)]


def _name_destinations(book: pikepdf.Pdf, anchors: dict[str, tuple[int, Anchor, float]]) -> None:
    if not anchors:
        return
    names = pikepdf.NameTree.new(book)
    for name in sorted(anchors):
        page, anchor, height = anchors[name]
        names[name] = pikepdf.Array([book.pages[page].obj, pikepdf.Name.XYZ, anchor.x1 * PX_TO_PT,
                                     (height - anchor.y1) * PX_TO_PT, 0])
    book.Root.Names = pikepdf.Dictionary(Dests=names.obj)


def _outline(book: pikepdf.Pdf, pages: list[SimpleNamespace]) -> None:
    """WeasyPrint's own nesting (bookmark levels may skip) over the whole book's pages."""
    from weasyprint.anchors import make_page_bookmark_tree  # see lay_out
    from weasyprint.matrix import Matrix

    root: list = []
    skipped_levels: list[int] = []
    last_by_depth = [root]
    previous_level = 0
    for number, page in enumerate(pages):
        matrix = Matrix(a=PX_TO_PT, d=-PX_TO_PT, f=page.height * PX_TO_PT)
        previous_level = make_page_bookmark_tree(page, skipped_levels, last_by_depth, previous_level, number, matrix)
    with book.open_outline() as outline:
        outline.root.extend(_outline_items(book, root))


def _outline_items(book: pikepdf.Pdf, subtrees: list) -> list[pikepdf.OutlineItem]:
    items = []
    for label, (page, x, y), children, state in subtrees:
        item = pikepdf.OutlineItem(label, page, pikepdf.PageLocation.XYZ, left=x, top=y)
        item.children.extend(_outline_items(book, children))
        item.is_closed = state == "closed"
        items.append(item)
    return items
