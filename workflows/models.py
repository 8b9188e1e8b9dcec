"""The domain's tables: units and their groups, users, annual plans with their areas and projects."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from engine.models import Base

UNIT_KINDS = {
    "department": "区级部门",
    "street": "街道",
    "town": "镇",
    "mass_organisation": "群团组织",
    "other": "其他单位",
    "office": "区推进办",
    "supervision": "督查科",
    "group": "单位组",
}

ROLES = {
    "unit": "单位经办人",
    "office": "区推进办",
    "supervisor": "督查科",
    "auditor": "审计（只读）",
    "admin": "系统管理员",
}


class UnitMembership(Base):
    __tablename__ = "unit_membership"

    group_code: Mapped[str] = mapped_column(ForeignKey("unit.code", ondelete="CASCADE"), primary_key=True)
    member_code: Mapped[str] = mapped_column(ForeignKey("unit.code", ondelete="CASCADE"), primary_key=True)


class Unit(Base):
    """A unit of the district, or a group of units (kind ``group``) such as 各街道、镇."""

    __tablename__ = "unit"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    # Names under which the plan text may mention this unit (one per line), e.g. 各党工委、党委.
    aliases: Mapped[str] = mapped_column(Text, default="")
    # A vague group whose members the office sets by hand (区相关委办局 …); fixed groups come from data.
    members_set_by_office: Mapped[bool] = mapped_column(Boolean, default=False)

    members: Mapped[list[Unit]] = relationship(
        secondary="unit_membership",
        primaryjoin="Unit.code == UnitMembership.group_code",
        secondaryjoin="Unit.code == UnitMembership.member_code",
        order_by="Unit.code",
        back_populates="groups",
    )
    groups: Mapped[list[Unit]] = relationship(
        secondary="unit_membership",
        primaryjoin="Unit.code == UnitMembership.member_code",
        secondaryjoin="Unit.code == UnitMembership.group_code",
        order_by="Unit.code",
        back_populates="members",
    )

    @property
    def is_group(self) -> bool:
        return self.kind == "group"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="unit")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Plan(Base):
    """One year's plan of key projects, as issued."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(300))
    issued_on: Mapped[date] = mapped_column(Date)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime)

    areas: Mapped[list[TaskArea]] = relationship(back_populates="plan", order_by="TaskArea.number",
                                                 cascade="all, delete-orphan")
    projects: Mapped[list[Project]] = relationship(back_populates="plan", order_by="Project.number",
                                                   cascade="all, delete-orphan")


class TaskArea(Base):
    """One of the plan's task areas (the five 持续用力 sections of 2017)."""

    __tablename__ = "task_area"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(300))
    goal: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[Plan] = relationship(back_populates="areas")


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("task_area.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    party_work: Mapped[str] = mapped_column(Text, default="")  # 区委“1+6”工作, where the table has it
    text: Mapped[str] = mapped_column(Text)
    deadline_text: Mapped[str] = mapped_column(String(100))  # 完成时间 as written
    due_on: Mapped[date | None] = mapped_column(Date)
    no_fixed_date: Mapped[bool] = mapped_column(Boolean, default=False)
    # The columns were read by the fallback rule (first unit lead, the rest responsible): the office checks these.
    read_by_fallback: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[Plan] = relationship(back_populates="projects")
    area: Mapped[TaskArea] = relationship(lazy="joined")
    units: Mapped[list[ProjectUnit]] = relationship(order_by="(ProjectUnit.role, ProjectUnit.position)",
                                                    cascade="all, delete-orphan", lazy="selectin")

    @property
    def business_key(self) -> str:
        return f"{self.plan.year}-{self.number:02d}"

    def units_in(self, role: str) -> list[Unit]:
        return [link.unit for link in sorted(self.units, key=lambda u: u.position) if link.role == role]

    @property
    def lead_units(self) -> list[Unit]:
        return self.units_in("lead")

    @property
    def responsible_units(self) -> list[Unit]:
        return self.units_in("responsible")


class ProjectUnit(Base):
    """A unit (or group) named in a project's 牵头单位 (lead) or 责任单位 (responsible) column, in listed order."""

    __tablename__ = "project_unit"
    __table_args__ = (UniqueConstraint("project_id", "role", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # lead | responsible
    position: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)

    unit: Mapped[Unit] = relationship(lazy="joined")


class LoginAttempt(Base):
    """A failed sign-in, kept in the database so every web worker sees the same count."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # naive UTC


class ProcessDraft(Base):
    """A diagram the office is still editing, one per process key; deploying it makes a version."""

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(100))
    saved_at: Mapped[datetime] = mapped_column(DateTime)
