"""The persistent model: typed SQLAlchemy classes, no queries, no commits."""

from service.db import Base
from service.models.access import ApiToken, AuditEntry, IdempotencyKey
from service.models.beneficiary import Beneficiary, BeneficiaryLanguage, beneficiary_offices
from service.models.booking import Booking, BookingBeneficiary, Hold
from service.models.dispatcher import DispatcherHeartbeat
from service.models.feed import (
    Feed,
    FeedChange,
    FeedItem,
    FeedMembership,
    FeedPiece,
    FeedSeriesItem,
    FeedSeriesPiece,
    FeedSeriesResourcePiece,
)
from service.models.office import Closure, Office, OpeningHours
from service.models.outbox import (
    ConsentEvent,
    FlaggedNumber,
    InboundReceipt,
    OutboxMessage,
    SmsReply,
)
from service.models.resource import (
    Resource,
    ResourceLanguage,
    ResourceModality,
    ResourceSpeciality,
    TimeOff,
    WorkingHours,
    resource_offices,
)
from service.models.series import Attendance, Enrolment, Series, SeriesException
from service.models.user import User

__all__ = [
    "ApiToken",
    "Attendance",
    "AuditEntry",
    "Base",
    "Beneficiary",
    "BeneficiaryLanguage",
    "Booking",
    "BookingBeneficiary",
    "Closure",
    "ConsentEvent",
    "DispatcherHeartbeat",
    "Enrolment",
    "Feed",
    "FeedChange",
    "FeedItem",
    "FeedMembership",
    "FeedPiece",
    "FeedSeriesItem",
    "FeedSeriesPiece",
    "FeedSeriesResourcePiece",
    "FlaggedNumber",
    "Hold",
    "IdempotencyKey",
    "InboundReceipt",
    "Office",
    "OpeningHours",
    "OutboxMessage",
    "Resource",
    "ResourceLanguage",
    "ResourceModality",
    "ResourceSpeciality",
    "Series",
    "SeriesException",
    "SmsReply",
    "TimeOff",
    "User",
    "WorkingHours",
    "beneficiary_offices",
    "resource_offices",
]
