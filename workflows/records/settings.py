"""Values the office can change, kept in the `setting` table with defaults in code, and who changed them when.

Every value is an :class:`Item` of the registry :data:`SECTIONS`: its Chinese label, its unit, its allowed range.
The settings page (web/settings_page.py) and the command line (web/cli/settings.py) both change values through
:func:`change_settings`, which checks every field first and changes nothing when one is refused, then writes one
``setting_change`` row per value changed.
"""
from __future__ import annotations

import time
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .models import Setting, SettingChange

CLI_ACTOR = "命令行"  # who changed a value from `flask --app web settings set`
# The office's engine limits as this process last read them, per database engine: (time.monotonic(), values).
_engine_limits: WeakKeyDictionary = WeakKeyDictionary()
LIMITS_MAX_AGE = 1.0  # seconds: a change made in another process is seen within this
_CHANGED = "office_settings_changed"  # session.info: the session's transaction changed settings, not yet committed


@dataclass(frozen=True)
class Item:
    """One value: ``key``/``name`` address it (``year_end_scoring``/``completion``); ``minimum``..``maximum`` in
    ``unit`` bound it; ``whole`` asks for an integer. ``config`` names the app configuration value used when the
    office has not set it (the engine's limits), else ``default`` holds."""

    key: str
    name: str
    label: str
    unit: str
    default: float
    minimum: float
    maximum: float
    whole: bool = True
    config: str | None = None

    @property
    def field(self) -> str:
        """The form field's name: ``key.name``."""
        return f"{self.key}.{self.name}"

    def check(self, value: Any) -> float:
        """``value`` as a number within the range; raises SettingError naming the item."""
        number = _number(value, self)
        if self.whole and number != int(number):
            raise SettingError(f"“{self.label}”应为整数", field=self.field)
        if not self.minimum <= number <= self.maximum:
            unit = "" if self.unit == "比例" else f" {self.unit}"
            raise SettingError(f"“{self.label}”应在 {self.minimum:g}–{self.maximum:g}{unit}之间，实际为 {number:g}",
                               field=self.field)
        return int(number) if self.whole else number


@dataclass(frozen=True)
class Fixed:
    """A value shown on the page but changed elsewhere, with the reason and where."""

    label: str
    value: str
    reason: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    note: str
    items: tuple[Item, ...]
    fixed: tuple[Fixed, ...] = ()


class SettingError(Exception):
    """A value the setting does not take; ``field`` names it (``key.name``) when known."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _number(value: Any, item: Item) -> float:
    if isinstance(value, bool):
        raise SettingError(f"“{item.label}”应为数字", field=item.field)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise SettingError(f"“{item.label}”应为数字，实际为“{value[:20]}”", field=item.field) from None
    if not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        raise SettingError(f"“{item.label}”应为数字", field=item.field)
    return float(value)


def _scoring(name: str, label: str, default: float, maximum: float = 100, unit: str = "分") -> Item:
    whole = unit == "分"
    return Item("year_end_scoring", name, label, unit, default, 0, 1 if unit == "比例" else maximum, whole=whole)


SECTIONS: tuple[Section, ...] = (
    Section("year_end_scoring", "年底评分规则", "各部分分值及逾期、未办结时保留的比例（0–1）。", (
        _scoring("quarterly_reports", "季度报送分值（各应报季度平分）", 30),
        _scoring("late_report_share", "逾期报送得分比例", 0.5, unit="比例"),
        _scoring("completion", "按期办结分值", 40),
        _scoring("late_completion_share", "逾期办结得分比例", 0.5, unit="比例"),
        _scoring("unfinished_share", "年底未办结得分比例", 0.0, unit="比例"),
        _scoring("rectification", "整改分值（无未完成整改得满分）", 20),
        _scoring("per_open_rectification", "每项未完成整改扣分", 10),
        _scoring("consultation", "约请响应分值（按时签收、按时答复、满意各占三分之一）", 10),
    )),
    Section("consultation_deadlines", "条块约请期限", "新发起的约请按此计算期限，已发起的不变。", (
        Item("consultation_deadlines", "sign_workdays", "签收期限", "个工作日", 2, 1, 30),
        Item("consultation_deadlines", "reply_workdays", "答复期限", "个工作日", 10, 1, 90),
    )),
    Section("task_deadlines", "退回与催办期限", "新产生的任务按此计算办理期限。", (
        Item("task_deadlines", "returned_report_workdays", "退回的季度报告重新报送期限", "个工作日", 3, 1, 30),
        Item("task_deadlines", "urge_workdays", "推进办催办任务期限", "个工作日", 1, 1, 10),
    ), fixed=(
        Fixed("逾期催办", "报送期限、完成时间届满次日生成推进办催办任务",
              "写在流程图“季度信息报送”“办结报告与确认”的逾期定时器中；在流程编辑器中修改并发布新版本。"),
    )),
    Section("reminders", "提醒", "下一季度起按此提醒；已设定的提醒不变。", (
        Item("reminders", "report_reminder_workdays", "季度报告到期前提醒", "个工作日", 3, 1, 10),
    )),
    Section("engine_limits", "流程代码与定时器的限制", "保护服务器：流程图中的代码、定时器和多实例不得超过这些限制。"
            "未在此设置的项取服务器配置文件中的值。", (
        Item("engine_limits", "script_seconds", "每次代码求值的时间上限", "秒", 2.0, 0.5, 10, whole=False,
             config="SCRIPT_SECONDS"),
        Item("engine_limits", "script_megabytes", "每次代码求值的内存上限", "MB", 256, 64, 1024, config="SCRIPT_MEGABYTES"),
        Item("engine_limits", "max_timer_years", "定时器最长时长", "年", 10, 1, 100, config="MAX_TIMER_YEARS"),
        Item("engine_limits", "min_cycle_minutes", "循环定时器最短间隔", "分", 1, 1, 1440, whole=False,
             config="MIN_CYCLE_MINUTES"),
        Item("engine_limits", "max_instances_per_activity", "多实例环节最多实例数", "个", 1000, 1, 10000,
             config="MAX_INSTANCES_PER_ACTIVITY"),
        Item("engine_limits", "step_seconds", "一个实例单步运行的时间上限", "秒", 30, 5, 600, whole=False,
             config="STEP_SECONDS"),
    ), fixed=(
        Fixed("未被捕获的 BPMN 错误", "按服务器配置（默认：结束该路径）",
              "改变已部署流程的运行语义（结束路径或记为故障），须随部署一并决定，由运维在服务器配置中设置。"),
    )),
)

ITEMS: dict[str, Item] = {item.field: item for section in SECTIONS for item in section.items}
DEFAULTS: dict[str, dict[str, Any]] = {
    section.key: {item.name: item.default for item in section.items} for section in SECTIONS}


def get_setting(session: Session, key: str) -> dict[str, Any]:
    """Every item of ``key`` → its value: the office's, else the default in code."""
    row = session.get(Setting, key)
    return DEFAULTS[key] | (row.value if row is not None else {})


def item_of(key: str, name: str) -> Item:
    """The item ``key``/``name``; raises SettingError when there is none."""
    if key not in DEFAULTS:
        raise SettingError(f"没有这个设置：{key}")
    if f"{key}.{name}" not in ITEMS:
        raise SettingError(f"设置 {key} 没有“{name}”这一项")
    return ITEMS[f"{key}.{name}"]


def set_setting(session: Session, key: str, changes: dict[str, Any], *, actor: str = CLI_ACTOR,
                at: datetime | None = None) -> dict[str, Any]:
    """Change items of one setting (checked, recorded; see :func:`change_settings`); returns all its values."""
    change_settings(session, {f"{key}.{name}": value for name, value in changes.items()}, actor=actor, at=at,
                    known=_known_key(key))
    return get_setting(session, key)


def _known_key(key: str) -> str:
    if key not in DEFAULTS:
        raise SettingError(f"没有这个设置：{key}")
    return key


def refusals(values: Mapping[str, Any]) -> dict[str, str]:
    """Field → why its value is refused, for every refused field of ``values`` (empty when all pass)."""
    refused = {}
    for field, value in values.items():
        key, _, name = field.partition(".")
        try:
            item_of(key, name).check(value)
        except SettingError as error:
            refused[field] = str(error)
    return refused


def change_settings(session: Session, values: Mapping[str, Any], *, actor: str, at: datetime | None = None,
                    known: str | None = None) -> list[SettingChange]:
    """Set items by field name (``key.name`` → value). Every value is checked first: the first refused raises
    SettingError naming its field and nothing changes. Values equal to the current one are skipped; each other
    one writes a ``setting_change`` row (who, when: ``at``, UTC wall clock, default now). Flushes; the caller
    commits."""
    checked = {}
    for field, value in values.items():
        key, _, name = field.partition(".")
        checked[item_of(key, name)] = item_of(key, name).check(value)
    at = at or datetime.utcnow()
    changes = [_apply(session, item, value, actor, at) for item, value in checked.items()]
    _changing(session)
    session.flush()
    return [change for change in changes if change is not None]


def _apply(session: Session, item: Item, value: float, actor: str, at: datetime) -> SettingChange | None:
    row = session.get(Setting, item.key)
    stored = dict(row.value) if row is not None else {}
    old = stored.get(item.name)
    if old == value:
        return None
    if row is None:
        row = Setting(key=item.key, value={})
        session.add(row)
    row.value = stored | {item.name: value}
    change = SettingChange(key=item.key, item=item.name, old=old, new=value, changed_by=actor, changed_at=at)
    session.add(change)
    return change


def changes(session: Session, limit: int = 200) -> list[SettingChange]:
    """The newest changes first."""
    return list(session.scalars(select(SettingChange).order_by(SettingChange.changed_at.desc(),
                                                                SettingChange.id.desc()).limit(limit)))


def stored_values(session: Session, key: str) -> dict[str, Any]:
    """Only the items of ``key`` the office has set (no defaults)."""
    row = session.get(Setting, key)
    return dict(row.value) if row is not None else {}


def current_values(session: Session, config: Mapping[str, Any]) -> dict[str, float]:
    """Field (``key.name``) → the value in force: the office's, else the configuration's (``Item.config``),
    else the default."""
    values = {}
    for section in SECTIONS:
        stored = stored_values(session, section.key)
        for item in section.items:
            fallback = config.get(item.config) if item.config else None
            values[item.field] = stored.get(item.name, item.default if fallback is None else float(fallback))
    return values


def engine_limit_settings(session: Session, config: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration with the office's engine limits over it, as workflows.runtime.engine_bounds reads it
    (``MAX_TIMER_YEARS`` …)."""
    stored = _office_engine_limits(session)
    section = next(section for section in SECTIONS if section.key == "engine_limits")
    return ChainMap({item.config: stored[item.name] for item in section.items if item.name in stored}, config)


def _office_engine_limits(session: Session) -> dict[str, Any]:
    """The office's engine limits, read from the database at most once every LIMITS_MAX_AGE seconds per database
    engine of this process: every request builds an engine, and the office changes a limit a few times a year.
    A session whose transaction changed settings reads its own, uncommitted values and shares them with nobody;
    once it commits, this process reads them afresh (another process within LIMITS_MAX_AGE)."""
    if session.info.get(_CHANGED):
        return stored_values(session, "engine_limits")
    bind = session.get_bind()
    read = _engine_limits.get(bind)
    if read is None or time.monotonic() - read[0] >= LIMITS_MAX_AGE:
        read = _engine_limits[bind] = (time.monotonic(), stored_values(session, "engine_limits"))
    return read[1]


def _changing(session: Session) -> None:
    """Mark the session's transaction as one that changed settings, until it commits or rolls back; then the
    process's engine limits are read afresh."""
    session.info[_CHANGED] = True
    _engine_limits.clear()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _changes_ended(session: Session) -> None:
    if session.info.pop(_CHANGED, None):
        _engine_limits.clear()
