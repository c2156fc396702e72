"""The audit log: every change to a booking, with who, when, before and after."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from service.models import AuditEntry, Booking
from service.plumbing.clock import utcnow


def booking_image(booking: Booking) -> dict[str, Any]:
    """Return the audited fields of a booking as JSON-ready values."""
    return {
        "type": booking.type,
        "status": booking.status,
        "office": booking.office_code,
        "location": booking.location,
        "modality": booking.modality,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
        "resource_ids": booking.resource_ids,
        "beneficiary_ids": booking.beneficiary_ids,
        "cancel_reason": booking.cancel_reason,
        "override": booking.override,
        "language_override": booking.language_override,
        "language_override_reason": booking.language_override_reason,
        "interpreter_override_rules": booking.interpreter_override_rules,
        "interpreter_override_reason": booking.interpreter_override_reason,
        "version": booking.version,
    }


def record_changes(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    changes: Sequence[tuple[int, dict[str, Any] | None, dict[str, Any] | None]],
) -> None:
    """Write one audit row per (entity id, before, after), all in one INSERT."""
    at = utcnow()
    if changes:
        session.execute(
            insert(AuditEntry),
            [
                {
                    "at": at,
                    "actor": actor,
                    "action": action,
                    "entity": entity,
                    "entity_id": entity_id,
                    "before": before,
                    "after": after,
                }
                for entity_id, before, after in changes
            ],
        )


def record_change(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Write one audit row now, in the session's transaction (an INSERT, no ORM object)."""
    record_changes(
        session,
        actor=actor,
        action=action,
        entity=entity,
        changes=[(entity_id, before, after)],
    )
