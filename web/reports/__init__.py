"""The reports blueprint: the year-end evaluation report for auditors and overseers, as a PDF book (laid out in
parts on several processes and joined: year_book.py, pdf_book.py), one project's PDF, and the summary tables as
CSV and XLSX. Templates in templates/reports/; the figures are workflows/reports/."""
from __future__ import annotations

from .views import bp

__all__ = ["bp"]
