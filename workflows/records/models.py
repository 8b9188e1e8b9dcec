"""What the processes leave behind for dashboards, scores and reports, one table per kind of fact.

Rows are written when a user task tagged with a ``record`` property is completed (see recorders.py)
or when a process is started from a start page; the diagrams stay the source of what happens next.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base

from ..plan.models import Project


class Setting(Base):
    """Values the office can change (scoring rules, consultation deadlines), as JSON by key."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)


class SettingChange(Base):
    """One value changed on the settings page or from the command line: old and new value, who (a login, or
    命令行), when (UTC wall clock, not the simulated clock)."""

    __tablename__ = "setting_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    item: Mapped[str] = mapped_column(String(100))
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class QuarterlyReport(Base):
    __tablename__ = "quarterly_report"
    __table_args__ = (UniqueConstraint("project_id", "year", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)  # the last day to submit
    status: Mapped[str] = mapped_column(String(20), default="submitted")  # submitted | returned | accepted
    submitted_on: Mapped[date | None] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    returned_count: Mapped[int] = mapped_column(Integer, default=0)
    chased: Mapped[bool] = mapped_column(Boolean, default=False)
    percent: Mapped[int | None] = mapped_column(Integer)
    progress_status: Mapped[str | None] = mapped_column(String(20))  # on_track | at_risk | delayed
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    office_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_on: Mapped[date | None] = mapped_column(Date)

    project: Mapped[Project] = relationship()


class ProjectCompletion(Base):
    """The project's 办结报告 and the office's confirmation."""

    __tablename__ = "project_completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="submitted")  # submitted | returned | confirmed
    submitted_on: Mapped[date | None] = mapped_column(Date)
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    returned_count: Mapped[int] = mapped_column(Integer, default=0)
    chased: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    office_comment: Mapped[str | None] = mapped_column(Text)


class SupervisionCheck(Base):
    __tablename__ = "supervision_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    requirements: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[date] = mapped_column(Date)
    answer_due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | answered | rectifying | closed
    answered_on: Mapped[date | None] = mapped_column(Date)
    finding: Mapped[str | None] = mapped_column(String(20))  # satisfactory | rectify
    finding_note: Mapped[str | None] = mapped_column(Text)
    rectify_due: Mapped[date | None] = mapped_column(Date)
    rectified_on: Mapped[date | None] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)

    project: Mapped[Project] = relationship()


class Evaluation(Base):
    """Year-end evaluation of one project: self-evaluation, computed score, supervisor's and final score."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("project_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    self_summary: Mapped[str] = mapped_column(Text, default="")
    self_score: Mapped[int | None] = mapped_column(Integer)
    computed_score: Mapped[int | None] = mapped_column(Integer)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    supervisor_score: Mapped[int | None] = mapped_column(Integer)
    supervisor_comment: Mapped[str | None] = mapped_column(Text)
    final_score: Mapped[int | None] = mapped_column(Integer)
    confirmed_on: Mapped[date | None] = mapped_column(Date)

    project: Mapped[Project] = relationship()


class Consultation(Base):
    """A 条块约请 raised by a street or town."""

    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(300), default="")
    wished_reply_on: Mapped[date | None] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    closed_on: Mapped[date | None] = mapped_column(Date)

    invitations: Mapped[list[ConsultationInvitation]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="ConsultationInvitation.id")


class ConsultationInvitation(Base):
    """One invited department's part in a consultation: signing, replying and the street's rating."""

    __tablename__ = "consultation_invitation"
    __table_args__ = (UniqueConstraint("consultation_id", "department_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)
    invited_on: Mapped[date] = mapped_column(Date)
    sign_due: Mapped[date | None] = mapped_column(Date)
    signed_on: Mapped[date | None] = mapped_column(Date)
    reply_due: Mapped[date | None] = mapped_column(Date)
    replied_on: Mapped[date | None] = mapped_column(Date)
    reply: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(20))  # satisfied | unsatisfied
    unsatisfied_count: Mapped[int] = mapped_column(Integer, default=0)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_by_office: Mapped[bool] = mapped_column(Boolean, default=False)

    consultation: Mapped[Consultation] = relationship(back_populates="invitations")


class AccessApplication(Base):
    """A department's application to push an affair down to the streets (社区事务准入)."""

    __tablename__ = "access_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    applicant_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)
    affair: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    on_responsibility_list: Mapped[bool] = mapped_column(Boolean, default=False)
    funding: Mapped[str] = mapped_column(String(500), default="")
    staffing: Mapped[str] = mapped_column(String(500), default="")
    filed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="reviewing")  # reviewing | returned | approved | rejected
    lawful: Mapped[str | None] = mapped_column(String(20))
    legal_note: Mapped[str | None] = mapped_column(Text)
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None] = mapped_column(Date)

    feedback: Mapped[list[AccessFeedback]] = relationship(cascade="all, delete-orphan", order_by="AccessFeedback.id")


class AccessFeedback(Base):
    __tablename__ = "access_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("access_application.id", ondelete="CASCADE"), index=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    burden: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[date] = mapped_column(Date)


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    meeting_date: Mapped[date] = mapped_column(Date)
    topics: Mapped[str] = mapped_column(Text)
    invited: Mapped[list[Any]] = mapped_column(JSON, default=list)
    minutes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="called")  # called | held | closed

    action_items: Mapped[list[ActionItem]] = relationship(cascade="all, delete-orphan", order_by="ActionItem.id")


class ActionItem(Base):
    """A meeting decision handed to a unit with a deadline."""

    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    task: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    reported_on: Mapped[date | None] = mapped_column(Date)
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | reported | done
