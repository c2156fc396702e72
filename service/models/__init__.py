"""The persistent model: typed SQLAlchemy classes, no queries, no commits.

May import only `service.models` and `service.plumbing`.
"""

from service.models.access import ApiToken, AuditEntry, IdempotencyKey
from service.models.beneficiary import Beneficiary, BeneficiaryLanguage, beneficiary_offices
from service.models.booking import Booking, BookingBeneficiary, Hold
from service.models.dispatcher import DispatcherHeartbeat
from service.models.feed import (
    Feed,
    FeedChange,
    FeedChangeLog,
    FeedItem,
    FeedMembership,
    FeedPiece,
    FeedSeriesItem,
    FeedSeriesPiece,
    FeedSeriesResourcePiece,
)
from service.models.interpreting import AvoidedInterpreter, InterpreterNeeds
from service.models.office import Closure, Office, OpeningHours
from service.models.outbox import (
    ConsentEvent,
    FlaggedNumber,
    InboundReceipt,
    OutboxMessage,
    SmsReply,
)
from service.models.reference import ReferenceGeneration
from service.models.resource import (
    Resource,
    ResourceDialect,
    ResourceLanguage,
    ResourceModality,
    ResourceSpeciality,
    ResourceTraining,
    TimeOff,
    WorkingHours,
    resource_offices,
)
from service.models.series import Attendance, Enrolment, Series, SeriesException
from service.models.user import User
from service.plumbing.db import Base

__all__ = [
    "ApiToken",
    "Attendance",
    "AuditEntry",
    "AvoidedInterpreter",
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
    "FeedChangeLog",
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
    "InterpreterNeeds",
    "Office",
    "OpeningHours",
    "OutboxMessage",
    "ReferenceGeneration",
    "Resource",
    "ResourceDialect",
    "ResourceLanguage",
    "ResourceModality",
    "ResourceSpeciality",
    "ResourceTraining",
    "Series",
    "SeriesException",
    "SmsReply",
    "TimeOff",
    "User",
    "WorkingHours",
    "beneficiary_offices",
    "resource_offices",
]
