"""SMS rows as the console shows them: who they went to (by role), numbers masked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.directory.phones import mask_phone
from service.models import Beneficiary, OutboxMessage, SmsReply
from service.notify.notifications import NEEDS_ATTENTION, RESENDABLE


@dataclass(frozen=True)
class Notice:
    message: OutboxMessage
    recipient: str  # beneficiary, guardian or staff
    number: str | None  # masked
    case_reference: str | None

    @property
    def resendable(self) -> bool:
        return self.message.status in RESENDABLE and self.message.body is not None

    @property
    def open(self) -> bool:
        """Needs attention and nobody marked it handled."""
        return self.message.status in NEEDS_ATTENTION and self.message.handled_at is None


@dataclass(frozen=True)
class Reply:
    reply: SmsReply
    case_reference: str | None


def _beneficiaries(session: Session, ids: Iterable[int | None]) -> dict[int, Beneficiary]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {b.id: b for b in session.scalars(select(Beneficiary).where(Beneficiary.id.in_(wanted)))}


def _recipient(message: OutboxMessage, beneficiary: Beneficiary | None) -> str:
    if message.beneficiary_id is None:
        return "staff" if message.resource_id is not None else "unknown"
    return "guardian" if beneficiary is not None and beneficiary.is_minor else "beneficiary"


def notices(session: Session, messages: list[OutboxMessage]) -> list[Notice]:
    """Describe each message, in one query for its beneficiaries."""
    people = _beneficiaries(session, (m.beneficiary_id for m in messages))
    rows = []
    for message in messages:
        beneficiary = people.get(message.beneficiary_id or -1)
        rows.append(
            Notice(
                message=message,
                recipient=_recipient(message, beneficiary),
                number=mask_phone(message.to),
                case_reference=beneficiary.case_reference if beneficiary else None,
            )
        )
    return rows


def replies(session: Session, found: list[SmsReply]) -> list[Reply]:
    people = _beneficiaries(session, (r.beneficiary_id for r in found))
    return [
        Reply(r, people[r.beneficiary_id].case_reference if r.beneficiary_id in people else None)
        for r in found
    ]
