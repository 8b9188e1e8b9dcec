"""Laid-out parts of a book kept on disk, keyed by their HTML: a part whose inputs did not change is not laid out
again (issue 18 §2).

A part's HTML is everything its layout depends on (the templates, the figures, the fonts named in its style), so
its SHA-256 is the part's own inputs' hash: after one project changes, only the parts whose HTML holds it get a
new key. Each entry is one file, ``<directory>/<sha256>.part`` (a pickled ``LaidPart``, written by this process
only), written to a temporary name and renamed, so a reader never sees half a part.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .pdf_book import LaidPart, lay_out_all


class PartCache:
    """Laid parts under ``directory`` (created on first write). ``laid_out`` counts the parts this cache was given
    after a layout, ``reused`` those it answered: the tests and the benchmark read both."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.laid_out = 0
        self.reused = 0

    @staticmethod
    def key(html: str) -> str:
        """The part's key: the SHA-256 (hex) of its HTML."""
        return hashlib.sha256(html.encode("utf-8")).hexdigest()

    def get(self, html: str) -> LaidPart | None:
        """The part laid out from exactly this HTML before, or None."""
        path = self.directory / f"{self.key(html)}.part"
        try:
            part = pickle.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        self.reused += 1
        return part

    def put(self, html: str, part: LaidPart) -> None:
        """Keep ``part`` as the layout of ``html``."""
        self.laid_out += 1
        write_atomically(self.directory / f"{self.key(html)}.part", pickle.dumps(part, pickle.HIGHEST_PROTOCOL))


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder, renamed over it at the end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


class Progress:
    """Parts done of parts, told to ``report(parts_done, parts)`` at each change (the job's status)."""

    def __init__(self, report: Callable[[int, int], None] | None = None):
        self.parts = 0
        self.parts_done = 0
        self._report = report or (lambda parts_done, parts: None)

    def expect(self, more_parts: int) -> None:
        """Count ``more_parts`` more parts to do (fewer when negative)."""
        self.parts += more_parts
        self._report(self.parts_done, self.parts)

    def advance(self) -> None:
        self.parts_done += 1
        self._report(self.parts_done, self.parts)


def lay_out_cached(htmls: Sequence[str], workers: int, cache: PartCache | None, progress: Progress) -> list[LaidPart]:
    """``pdf_book.lay_out_all`` for the parts ``cache`` does not hold; the others come from it. Each part, laid
    out or found, advances ``progress`` (told to expect them beforehand)."""
    laid = [cache.get(html) if cache is not None else None for html in htmls]
    missing = [index for index, part in enumerate(laid) if part is None]
    for _ in range(len(htmls) - len(missing)):
        progress.advance()

    def finished(position: int, part: LaidPart) -> None:
        laid[missing[position]] = part
        if cache is not None:
            cache.put(htmls[missing[position]], part)
        progress.advance()

    lay_out_all([htmls[index] for index in missing], workers, finished)
    return laid
