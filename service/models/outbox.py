"""The SMS outbox, consent history, inbound replies and numbers that cannot take SMS."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.plumbing.columns import UTCDateTime
from service.plumbing.db import Base

MESSAGE_KINDS = (
    "confirmation",
    "reminder",
    "reschedule",
    "cancellation",
    "series_cancellation",
    "staff_notice",
    "enrolment",
    "waitlist_promotion",
)
MESSAGE_STATUSES = (
    "queued",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "unclear",
    "review",
    "cancelled",
    "superseded",
)
CONSENT_SOURCES = ("api", "sms_stop", "sms_start", "twilio_21610")


class OutboxMessage(Base):
    """One SMS to one recipient; `dedupe_key` is unique so it can never be queued twice."""

    __tablename__ = "sms_outbox"
    __table_args__ = (Index("ix_sms_outbox_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True
    )
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="SET NULL"), index=True
    )
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id", ondelete="SET NULL"))
    to: Mapped[str | None] = mapped_column("to_phone", String(20))
    body: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    encoding: Mapped[str] = mapped_column(String(8))
    segments: Mapped[int]
    estimated_cost: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    event_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    provider_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    error_code: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A coordinator dealt with a failed or unclear message (phoned, or it no longer matters).
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by: Mapped[str | None] = mapped_column(String(100))
    # When the last send began, and how a send of unknown outcome was reconciled.
    send_began_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reconciliation: Mapped[str | None] = mapped_column(String(16))


class ConsentEvent(Base):
    """SMS consent given or withdrawn, when, and through which channel."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    consent: Mapped[bool]
    source: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(200))  # who, for console and API changes


class SmsReply(Base):
    """An inbound SMS that was not a keyword, kept for coordinators to read."""

    __tablename__ = "sms_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="SET NULL"), index=True
    )
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True
    )
    from_phone: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(Text)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)  # no reply twice
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InboundReceipt(Base):
    """The MessageSid of every inbound SMS handled, so that a replay of it changes nothing.

    Kept without number or text (a SID alone names nobody here), and kept for good: a signed
    Twilio request carries no date, so a copy could be replayed at any time.
    """

    __tablename__ = "sms_inbound_receipts"

    message_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FlaggedNumber(Base):
    """A number the provider refused for good (invalid, landline, blocked): never sent to."""

    __tablename__ = "sms_flagged_numbers"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    error_code: Mapped[str] = mapped_column(String(32))
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime())
