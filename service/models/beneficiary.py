"""Beneficiaries: only the data a booking and a reminder need."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.office import Office
from service.plumbing.columns import UTCDateTime
from service.plumbing.db import Base

if TYPE_CHECKING:
    from service.models.interpreting import AvoidedInterpreter, InterpreterNeeds

# The offices a beneficiary belongs to: the registering office, and those it was shared with.
# Who may see the beneficiary follows from these rows alone (service/access/access_policy.py).
beneficiary_offices = Table(
    "beneficiary_offices",
    Base.metadata,
    Column("beneficiary_id", ForeignKey("beneficiaries.id", ondelete="CASCADE"), primary_key=True),
    Column("office_id", ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True),
)


class Beneficiary(Base):
    """A person served, known by case reference; no name, no nationality, no address.

    An erased beneficiary stays as a tombstone (`erased_at` set, a generated reference, no
    numbers) so that their bookings and attendance still count in the statistics.
    """

    __tablename__ = "beneficiaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_reference: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    sms_consent: Mapped[bool] = mapped_column(default=False)
    sms_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discreet: Mapped[bool] = mapped_column(default=False)
    is_minor: Mapped[bool] = mapped_column(default=False)
    guardian_phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    offices: Mapped[list[Office]] = relationship(
        secondary=beneficiary_offices, order_by=Office.code
    )
    language_rows: Mapped[list[BeneficiaryLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="BeneficiaryLanguage.language"
    )
    # Protection data (service/models/interpreting.py): read only when a query asks for them
    # (a booking's checks, `service.interpreters.interpreter_needs.load_needs`); never loaded on access.
    needs_row: Mapped[InterpreterNeeds | None] = relationship(viewonly=True, lazy="raise")
    avoided_rows: Mapped[list[AvoidedInterpreter]] = relationship(viewonly=True, lazy="raise")

    @property
    def other_languages(self) -> list[str]:
        return [row.language for row in self.language_rows]

    @property
    def spoken_languages(self) -> set[str]:
        """The preferred language and every other language the beneficiary speaks."""
        return {self.language, *self.other_languages}

    @property
    def office_codes(self) -> list[str]:
        return [office.code for office in self.offices]


class BeneficiaryLanguage(Base):
    """A language the beneficiary speaks besides their preferred one."""

    __tablename__ = "beneficiary_languages"

    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
