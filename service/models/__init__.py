"""The persistent model: typed SQLAlchemy classes, no queries, no commits."""

from service.db import Base
from service.models.access import ApiToken, AuditEntry
from service.models.beneficiary import Beneficiary
from service.models.booking import Booking, BookingBeneficiary, Hold
from service.models.office import Closure, Office, OpeningHours
from service.models.outbox import ConsentEvent, FlaggedNumber, OutboxMessage, SmsReply
from service.models.resource import (
    Resource,
    ResourceLanguage,
    ResourceModality,
    ResourceSpeciality,
    TimeOff,
    WorkingHours,
    resource_offices,
)

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "Beneficiary",
    "Booking",
    "BookingBeneficiary",
    "Closure",
    "ConsentEvent",
    "FlaggedNumber",
    "Hold",
    "Office",
    "OpeningHours",
    "OutboxMessage",
    "Resource",
    "ResourceLanguage",
    "ResourceModality",
    "ResourceSpeciality",
    "SmsReply",
    "TimeOff",
    "WorkingHours",
    "resource_offices",
]
