"""The demonstration data set: the 2017 plan, a user per unit, the role users, the clock at the plan's issue date."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import BpmnEngine

from .accounts.models import User
from .accounts.users import create_user, find_user
from .directory.models import Unit
from .directory.units import load_directory
from .plan.loading import DEFAULT_PLAN_FILE, load_plan
from .projects.activation import activate_plan

DEMO_PASSWORD = "demo"
ROLE_USERS = (
    ("office", "tuijinban", "office", "陈静"),
    ("supervisor", "duchake", "supervisor", "周建华"),
    ("auditor", "tuijinban", "auditor", "吴敏"),
    ("admin", "tuijinban", "admin", "郑伟"),
)
# The demo's people: the n-th unit's clerk is SURNAMES[n % 20] + GIVEN_NAMES[n % 23] (王立群, 李红梅 …), so the
# pages name a person, as they will in use, and no two neighbours in the directory share a name.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = ("立群", "红梅", "建国", "晓东", "丽华", "志强", "海燕", "文杰", "秀英", "国庆", "雪芳", "明辉", "玉兰",
               "振华", "静怡", "伟民", "春燕", "德胜", "慧敏", "永刚", "佳琪", "卫东", "淑珍")

UNIT_KIND_ROLES = {"office": "office", "supervision": "supervisor"}


def database_is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count(User.id))) and not session.scalar(select(func.count(Unit.code)))


def demo_name(position: int) -> str:
    """A real-looking Chinese name for the demo's ``position``-th unit user (0-based)."""
    return SURNAMES[position % len(SURNAMES)] + GIVEN_NAMES[position % len(GIVEN_NAMES)]


def _ensure_user(session: Session, username: str, unit_code: str, role: str, display_name: str,
                 password_hash: str) -> None:
    if find_user(session, username) is None:
        create_user(session, username=username, unit_code=unit_code, role=role, password=DEMO_PASSWORD,
                    display_name=display_name, password_hash=password_hash)


def deploy_diagrams(engine: BpmnEngine, bpmn_dir: str) -> list[str]:
    """Every diagram of the folder in one deployment, so call activities find the processes they call, and every
    decision table (``*.dmn``: the scoring rules) as a version of each of its decisions."""
    decisions = [d for path in sorted(Path(bpmn_dir).glob("*.dmn"))
                 for d in engine.deploy_decisions(path.read_bytes(), deployed_by="demo", source=path.name)]
    documents = [(path.name, path.read_bytes()) for path in sorted(Path(bpmn_dir).glob("*.bpmn"))]
    return [f"{d.key} v{d.version}" for d in [*decisions, *engine.deploy_many(documents, deployed_by="demo")]]


def load(session: Session, engine: BpmnEngine, bpmn_dir: str) -> str:
    """Idempotent: running it again adds nothing that is already there."""
    load_directory(session)
    loaded = load_plan(session, DEFAULT_PLAN_FILE)
    units = session.scalars(select(Unit).where(Unit.kind != "group").order_by(Unit.code)).all()
    password_hash = generate_password_hash(DEMO_PASSWORD)
    for position, unit in enumerate(units):
        _ensure_user(session, unit.code, unit.code, UNIT_KIND_ROLES.get(unit.kind, "unit"), demo_name(position),
                     password_hash)
    for username, unit_code, role, display_name in ROLE_USERS:
        _ensure_user(session, username, unit_code, role, display_name, password_hash)
    deployed = deploy_diagrams(engine, bpmn_dir)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    activated = activate_plan(session, engine, 2017, actor="demo")
    session.flush()
    return (f"演示数据已载入：计划项目新增 {loaded.created} 项；{len(units)} 个单位用户及 office、supervisor、auditor、admin"
            f"（密码均为 {DEMO_PASSWORD}）；已部署流程 {', '.join(deployed) or '无'}；时钟设为 2017-06-08 09:00；"
            f"已启动 {len(activated.started)} 个项目流程")
