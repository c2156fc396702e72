"""Series of classes, sessions and events; their skipped dates, enrolments and attendance.

Each occurrence of a series is a `Booking` row (with `series_id` and `recurrence_start`), so it
holds its resources exactly as a single booking does.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.beneficiary import Beneficiary
from service.models.office import Office
from service.plumbing.columns import UTCDateTime
from service.plumbing.db import Base

SERIES_TYPES = ("language_class", "info_session", "training", "community_event")
SERIES_STATUSES = ("active", "ended", "cancelled", "split")
OPEN_STATUSES = ("active", "ended")  # still meeting: "ended" only ends earlier than planned
ENROLMENT_STATUSES = ("enrolled", "waitlisted", "cancelled")
ATTENDANCE_MARKS = ("present", "absent", "excused")
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


class Series(Base):
    """A recurring class, session or event, planned from an RFC 5545 rule in Sofia wall time."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    rrule: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    local_start: Mapped[time]
    duration_minutes: Mapped[int]
    capacity: Mapped[int | None]
    resource_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    public: Mapped[bool] = mapped_column(default=False)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    # Hours before each class that enrolled beneficiaries are reminded; None: the default.
    reminder_offsets: Mapped[list[float] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    office: Mapped[Office] = relationship()
    exceptions: Mapped[list[SeriesException]] = relationship(
        back_populates="series", cascade="all, delete-orphan", order_by="SeriesException.day"
    )

    @property
    def office_code(self) -> str:
        return self.office.code

    def image(self) -> dict[str, Any]:
        """Return the audited fields as JSON-ready values."""
        return {
            "type": self.type,
            "office": self.office_code,
            "title": self.title,
            "rrule": self.rrule,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "capacity": self.capacity,
            "resource_ids": list(self.resource_ids),
            "public": self.public,
            "languages": list(self.languages),
            "reminder_offsets": self.reminder_offsets,
            "status": self.status,
            "parent_id": self.parent_id,
        }


class SeriesException(Base):
    """A date the rule yields but the series does not meet (holiday, closure or clash)."""

    __tablename__ = "series_exceptions"
    __table_args__ = (UniqueConstraint("series_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    day: Mapped[date]
    recurrence_start: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(300))

    series: Mapped[Series] = relationship(back_populates="exceptions")


class Enrolment(Base):
    """A beneficiary's seat in a series, or their place on its waitlist (oldest request first)."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("series_id", "beneficiary_id"),
        Index("ix_enrolments_queue", "series_id", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    # Enrolled although the series' interpreter shares no language with them: why.
    language_override_reason: Mapped[str | None] = mapped_column(String(500))
    # Enrolled although the series' interpreter breaks their gender preference or a required
    # training: the rules broken (comma-separated codes) and why.
    interpreter_override_rules: Mapped[str | None] = mapped_column(String(100))
    interpreter_override_reason: Mapped[str | None] = mapped_column(String(500))

    beneficiary: Mapped[Beneficiary] = relationship()


class Attendance(Base):
    """Whether an enrolled beneficiary came to one occurrence (a booking of the series)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("booking_id", "beneficiary_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    mark: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
