"""What makes a year-end PDF verifiable: the data version it was made from (the newest history event's id), the
history chain's head then (engine/chain.py), and a SHA-256 over its figures (the CSV tables of the same figures).

The three go on the PDF's last page and into its document information (``/DataVersion``, ``/ChainHead``,
``/FiguresDigest``, ``/Year``, ``/AsOf``), and ``check`` tells an auditor whether a downloaded PDF still matches
the data as of its version.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

import pikepdf
from sqlalchemy.orm import Session

from engine.chain import Version, history_head, verify

from .overdue_items import overdue_items
from .tables import summary_tables, tables_csv
from .year_report import YearSummary, find_plan, year_summary


@dataclass(frozen=True)
class Stamp:
    """The provenance of one year-end PDF."""
    year: int
    as_of: date
    data_version: int
    chain_head: str
    figures_digest: str


def figures_digest(summary: YearSummary, overdue) -> str:
    """SHA-256 (hex) of the year's tables as the CSV download holds them: every figure the PDF prints."""
    return hashlib.sha256(tables_csv(summary_tables(summary, overdue))).hexdigest()


def stamp_for(session: Session, summary: YearSummary, overdue, version: Version) -> Stamp:
    """The stamp of figures computed after ``version`` was read (read the version first: a later event makes
    the check say the data moved on, never that it matches when it does not)."""
    return Stamp(summary.plan.year, summary.as_of, version.event_id, version.head, figures_digest(summary, overdue))


def stamp_info(stamp: Stamp) -> dict[str, str]:
    """The stamp as entries of the PDF's document information (read back by read_stamp)."""
    return {"/Year": str(stamp.year), "/AsOf": stamp.as_of.isoformat(), "/DataVersion": str(stamp.data_version),
            "/ChainHead": stamp.chain_head, "/FiguresDigest": stamp.figures_digest}


class NotAStampedReport(Exception):
    """The file is not a PDF, or not a year-end report this system made (no stamp in it)."""


def read_stamp(pdf: bytes) -> Stamp:
    """The stamp of a downloaded PDF; NotAStampedReport when there is none."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            info = {key: str(value) for key, value in document.docinfo.items()}
        return Stamp(int(info["/Year"]), date.fromisoformat(info["/AsOf"]), int(info["/DataVersion"]),
                     info["/ChainHead"], info["/FiguresDigest"])
    except (pikepdf.PdfError, KeyError, ValueError) as error:
        raise NotAStampedReport("该文件不是本系统生成的年度评估报告 PDF（没有数据版本信息）") from error


@dataclass
class Verdict:
    """The check's answer: ``matches`` is True only when the history is intact up to the PDF's version and its
    figures are those the data gives; ``findings`` say why, in Chinese, one sentence each."""
    stamp: Stamp
    matches: bool
    current_version: int
    findings: list[str] = field(default_factory=list)


def check(session: Session, pdf: bytes) -> Verdict:
    """Compare a downloaded year-end PDF with the data: the chain head as of its version, the chain itself, and,
    while no event has been added since, its figures recomputed as of its day. Raises NotAStampedReport."""
    stamp = read_stamp(pdf)
    current = history_head(session)
    verdict = Verdict(stamp, False, current.event_id)
    broken = verify(session, up_to=stamp.data_version)
    if broken is not None:
        verdict.findings.append(f"流程历史第 {broken.event_id} 号事件与哈希链不符（{broken.reason}），数据在该报告生成后被改动过。")
        return verdict
    if stamp.data_version > current.event_id or history_head(session, stamp.data_version).head != stamp.chain_head:
        verdict.findings.append("报告所载链头与数据库中该版本的流程历史不一致：历史记录被删改过，或报告不是本系统生成的。")
        return verdict
    verdict.findings.append(f"截至数据版本 {stamp.data_version} 的流程历史完整，链头一致。")
    if current.event_id != stamp.data_version:
        verdict.findings.append(f"此后数据已更新至版本 {current.event_id}：报告中的数字反映的是版本 {stamp.data_version}"
                                "时的情况，如需最新数字请重新下载。")
        verdict.matches = True
        return verdict
    plan = find_plan(session, stamp.year)
    if plan is None:
        verdict.findings.append(f"数据库中没有 {stamp.year} 年的计划。")
        return verdict
    summary = year_summary(session, plan, stamp.as_of)
    digest = figures_digest(summary, overdue_items(session, plan, summary.projects, summary.as_of))
    if digest != stamp.figures_digest:
        verdict.findings.append("按报告的数据版本和截至日期重新计算，数字与报告不一致：报告内容或数据被改动过。")
        return verdict
    verdict.findings.append(f"按数据版本 {stamp.data_version}、截至 {stamp.as_of:%Y年%m月%d日} 重新计算，报告中的数字与数据一致。")
    verdict.matches = True
    return verdict
