"""The words for a saved draft of a diagram or a decision table, the same in the process and the decision editor."""
from __future__ import annotations

from datetime import datetime

from workflows.records.history import person, person_names

from ..core.db import get_session
from ..core.filters import cn_datetime


def draft_label(saved_by: str, saved_at: datetime) -> str:
    """“草稿（区推进办 王立群 保存于 2017年6月8日 09:30）”: the person by name, the time local (saved_at is naive UTC)."""
    return f"草稿（{person(person_names(get_session()), saved_by)} 保存于 {cn_datetime(saved_at)}）"


def saved_message(saved_at: datetime) -> str:
    """The answer to a draft's save: “草稿已保存（2017年6月8日 09:30）”."""
    return f"草稿已保存（{cn_datetime(saved_at)}）"
