"""Bookings, the beneficiaries attending them and the holds they place on resources."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.beneficiary import Beneficiary
from service.models.office import Office
from service.models.resource import Resource
from service.plumbing.columns import UTCDateTime
from service.plumbing.db import Base

BOOKING_TYPES = (
    "interpretation",
    "counselling",
    "language_class",
    "info_session",
    "training",
    "community_event",
)
STATUSES = ("tentative", "confirmed", "completed", "no_show", "cancelled")
HOLDING_STATUSES = ("tentative", "confirmed", "completed", "no_show")


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (Index("ix_bookings_starts_at", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    location: Mapped[str | None] = mapped_column(String(300))
    modality: Mapped[str] = mapped_column(String(16), default="in_person")
    remote_link: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="confirmed", index=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    override: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), index=True
    )
    recurrence_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    walk_ins: Mapped[int | None]
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set when an admin recorded the booking after the fact: why (it was never announced).
    record_past_reason: Mapped[str | None] = mapped_column(String(500))
    # Booked although an interpreter shares no language with a beneficiary, and why.
    language_override: Mapped[bool] = mapped_column(default=False, server_default=false())
    language_override_reason: Mapped[str | None] = mapped_column(String(500))
    # Booked although an interpreter breaks a beneficiary's gender preference, a required
    # training or an hour limit: the rules broken (comma-separated codes) and why.
    interpreter_override_rules: Mapped[str | None] = mapped_column(String(100))
    interpreter_override_reason: Mapped[str | None] = mapped_column(String(500))

    __mapper_args__ = {"version_id_col": version}

    office: Mapped[Office | None] = relationship()
    holds: Mapped[list[Hold]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="Hold.resource_id"
    )
    attendee_rows: Mapped[list[BookingBeneficiary]] = relationship(
        cascade="all, delete-orphan", order_by="BookingBeneficiary.beneficiary_id"
    )

    @property
    def resource_ids(self) -> list[int]:
        return [hold.resource_id for hold in self.holds]

    @property
    def beneficiary_ids(self) -> list[int]:
        return [row.beneficiary_id for row in self.attendee_rows]

    @property
    def record_past(self) -> bool:
        """True when the booking was recorded after the fact, not booked ahead."""
        return self.record_past_reason is not None

    @property
    def office_code(self) -> str | None:
        return self.office.code if self.office is not None else None


class BookingBeneficiary(Base):
    __tablename__ = "booking_beneficiaries"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    beneficiary: Mapped[Beneficiary] = relationship()


class Hold(Base):
    """A resource held by a booking from `starts_at` until `blocked_until` (end plus buffer).

    On PostgreSQL an exclusion constraint forbids two active holds of one resource overlapping.
    """

    __tablename__ = "holds"
    __table_args__ = (Index("ix_holds_resource_time", "resource_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)

    booking: Mapped[Booking] = relationship(back_populates="holds")
    resource: Mapped[Resource] = relationship()
