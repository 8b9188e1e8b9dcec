"""Values the office can change, kept in the `setting` table with defaults in code."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import Setting

DEFAULTS: dict[str, dict[str, Any]] = {
    # 年底评分规则: the points of each part and how much a late or missing item keeps.
    "year_end_scoring": {
        "quarterly_reports": 30,        # 季度报送：各应报季度平分
        "late_report_share": 0.5,       # 逾期报送得该季度分值的比例
        "completion": 40,               # 按期办结
        "late_completion_share": 0.5,   # 逾期办结得分比例
        "unfinished_share": 0.0,        # 年底未办结得分比例
        "rectification": 20,            # 整改：无未完成整改得满分
        "per_open_rectification": 10,   # 每项未完成整改扣分
        "consultation": 10,             # 约请响应：按时签收、按时答复、满意各占三分之一
    },
    # 条块约请默认期限（工作日）
    "consultation_deadlines": {"sign_workdays": 2, "reply_workdays": 10},
    # 退回的季度报告重新报送期限、推进办催办任务期限（工作日）
    "task_deadlines": {"returned_report_workdays": 3, "urge_workdays": 1},
}


def get_setting(session: Session, key: str) -> dict[str, Any]:
    row = session.get(Setting, key)
    return DEFAULTS[key] | (row.value if row is not None else {})


class SettingError(Exception):
    """A value the setting does not take."""


def set_setting(session: Session, key: str, changes: dict[str, Any]) -> dict[str, Any]:
    if key not in DEFAULTS:
        raise SettingError(f"没有这个设置：{key}")
    for name, value in changes.items():
        if name not in DEFAULTS[key]:
            raise SettingError(f"设置 {key} 没有“{name}”这一项")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise SettingError(f"“{name}”应为不小于 0 的数")
    merged = get_setting(session, key) | changes
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=merged))
    else:
        row.value = merged
    session.flush()
    return merged
