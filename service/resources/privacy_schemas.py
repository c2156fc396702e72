"""Response schemas of a beneficiary's erasure and of their data export."""

from __future__ import annotations

from marshmallow import Schema, fields

from service.resources.fields import Instant, Text
from service.resources.schemas import BeneficiarySchema


class ErasureSchema(Schema):
    beneficiary_id = fields.Integer()
    erased_at = Instant()
    messages_cancelled = fields.Integer(metadata={"description": "Queued SMS cancelled."})
    messages_blanked = fields.Integer(metadata={"description": "SMS whose text and number went."})
    replies_deleted = fields.Integer()
    consent_events_deleted = fields.Integer()
    enrolments_withdrawn = fields.Integer()
    bookings_rerendered = fields.Integer(metadata={"description": "Bookings the feeds re-show."})
    audit_entries_scrubbed = fields.Integer()
    texts_redacted = fields.Integer(
        metadata={"description": "Free texts (notes, reasons, SMS) where the data was replaced."}
    )
    interpreter_needs_deleted = fields.Integer(
        metadata={"description": "Interpreter needs deleted (0 or 1)."}
    )
    avoided_interpreters_deleted = fields.Integer(
        metadata={"description": "Avoided interpreters deleted, with their reasons."}
    )


class ProfileSchema(BeneficiarySchema):
    created_at = Instant()


class ExportConsentSchema(Schema):
    at = Instant()
    consent = fields.Boolean()
    source = Text()


class ExportBookingSchema(Schema):
    id = fields.Integer()
    type = Text()
    status = Text()
    office = Text(attribute="office_code", allow_none=True)
    location = Text(allow_none=True)
    modality = Text()
    starts_at = Instant()
    ends_at = Instant()
    notes = Text(allow_none=True)
    notes_withheld = fields.Boolean(
        metadata={
            "description": "The booking has notes, withheld because it has other participants."
        }
    )
    cancel_reason = Text(allow_none=True)
    series_id = fields.Integer(allow_none=True)
    other_participants = fields.Integer(
        metadata={
            "description": "How many other beneficiaries share the booking; never who they are."
        }
    )


class ExportEnrolmentSchema(Schema):
    id = fields.Integer()
    series_id = fields.Integer()
    series_title = Text()
    series_type = Text()
    office = Text()
    status = Text()
    requested_at = Instant()
    enrolled_at = Instant(allow_none=True)
    cancelled_at = Instant(allow_none=True)


class ExportAttendanceSchema(Schema):
    booking_id = fields.Integer()
    series_id = fields.Integer(allow_none=True)
    starts_at = Instant()
    mark = Text()
    recorded_at = Instant()


class ExportNotificationSchema(Schema):
    id = fields.Integer()
    kind = Text()
    status = Text()
    booking_id = fields.Integer(allow_none=True)
    to = Text(allow_none=True)
    body = Text(allow_none=True)
    language = Text()
    due_at = Instant()
    sent_at = Instant(allow_none=True)
    purged_at = Instant(allow_none=True)


class ExportReplySchema(Schema):
    id = fields.Integer()
    received_at = Instant()
    from_phone = Text(allow_none=True)
    body = Text(allow_none=True)
    booking_id = fields.Integer(allow_none=True)


class ExportNeedsSchema(Schema):
    gender = Text(allow_none=True)
    dialect = Text(allow_none=True)
    child_trained = fields.Boolean()
    updated_at = Instant()


class ExportAvoidedSchema(Schema):
    interpreter_id = fields.Integer()
    interpreter_name = Text()
    reason = Text()
    recorded_at = Instant()


class BeneficiaryExportSchema(Schema):
    exported_at = Instant()
    profile = fields.Nested(ProfileSchema)
    consent_history = fields.List(fields.Nested(ExportConsentSchema))
    bookings = fields.List(fields.Nested(ExportBookingSchema))
    enrolments = fields.List(fields.Nested(ExportEnrolmentSchema))
    attendance = fields.List(fields.Nested(ExportAttendanceSchema))
    notifications = fields.List(fields.Nested(ExportNotificationSchema))
    replies = fields.List(fields.Nested(ExportReplySchema))
    interpreter_needs = fields.Nested(
        ExportNeedsSchema,
        allow_none=True,
        metadata={"description": "What they need of an interpreter; null: nothing recorded."},
    )
    avoided_interpreters = fields.List(
        fields.Nested(ExportAvoidedSchema),
        metadata={"description": "The interpreters they avoid, named, with the reasons."},
    )
