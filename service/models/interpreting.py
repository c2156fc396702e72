"""What a beneficiary needs of an interpreter (what an interpreter offers is on `Resource`).

A beneficiary's needs are protection data: coordinators of the beneficiary's offices record and
read them; they never reach feeds, SMS, statistics, staff or the logs. They live in tables of
their own so that nothing which loads a beneficiary loads them by accident.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.resource import Resource
from service.plumbing.columns import UTCDateTime
from service.plumbing.db import Base


class InterpreterNeeds(Base):
    """A beneficiary's needs of an interpreter: gender, dialect, a child-trained interpreter."""

    __tablename__ = "interpreter_needs"

    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), primary_key=True
    )
    # "female" or "male"; None: no preference.
    gender: Mapped[str | None] = mapped_column(String(8))
    # A BCP 47 tag with a region or script, such as ar-SY or ku-Latn; None: any.
    dialect: Mapped[str | None] = mapped_column(String(16))
    child_trained: Mapped[bool] = mapped_column(default=False)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AvoidedInterpreter(Base):
    """An interpreter a beneficiary must never be booked with, and why (coordinators only)."""

    __tablename__ = "avoided_interpreters"

    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    reason: Mapped[str] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    interpreter: Mapped[Resource] = relationship()
