"""The plan's tables: a year's plan, its task areas, its projects and the units each project names."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base

from ..directory.models import Unit


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
