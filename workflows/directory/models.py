"""The directory's tables: units and the groups they form."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class RoleMapping(Base):
    """The office's answer to a name a process routes by (a lane or candidate group such as 经办人 or Clerk) that
    the directory does not know: the unit or group that plays it, for every version of the process."""

    __tablename__ = "role_mapping"

    process_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code", ondelete="CASCADE"))
