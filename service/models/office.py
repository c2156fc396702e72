"""Offices, their weekly opening hours and their closure days."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.plumbing.db import Base


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_bg: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    place_code: Mapped[str] = mapped_column(String(8))

    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="office", cascade="all, delete-orphan", order_by="OpeningHours.weekday"
    )
    closures: Mapped[list[Closure]] = relationship(
        back_populates="office", cascade="all, delete-orphan", order_by="Closure.day"
    )


class OpeningHours(Base):
    """One opening interval of an office on a weekday (0 = Monday), in Europe/Sofia wall time."""

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens: Mapped[time]
    closes: Mapped[time]

    office: Mapped[Office] = relationship(back_populates="opening_hours")


class Closure(Base):
    """A day an office is closed besides the Bulgarian public holidays."""

    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("office_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200))

    office: Mapped[Office] = relationship(back_populates="closures")
