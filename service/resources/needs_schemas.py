"""Schemas of a beneficiary's interpreter needs and of the interpreters they avoid."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.interpreters.interpreter_rules import REASON_LENGTH
from service.models.resource import GENDERS
from service.resources.fields import Instant, Text

_gender = Text(
    allow_none=True,
    validate=validate.OneOf(GENDERS),
    metadata={"description": "The interpreter's gender asked for; null: no preference."},
)
_dialect = Text(
    allow_none=True,
    validate=validate.Length(max=32),
    metadata={
        "description": "A BCP 47 tag with a region or script (ar-SY, ar-IQ, ku-Latn); null: any."
    },
)


class NeedsUpdateSchema(Schema):
    gender = _gender
    dialect = _dialect
    child_trained = fields.Boolean(
        load_default=False, metadata={"description": "Needs an interpreter trained for children."}
    )


class NeedsSchema(Schema):
    beneficiary_id = fields.Integer()
    gender = Text(allow_none=True)
    dialect = Text(allow_none=True)
    child_trained = fields.Boolean()
    language = Text(metadata={"description": "The preferred language (read-only here)."})
    other_languages = fields.List(
        Text(), metadata={"description": "Other languages spoken (changed on the beneficiary)."}
    )
    updated_by = Text(allow_none=True)
    updated_at = Instant(allow_none=True)


class AvoidSchema(Schema):
    reason = Text(
        required=True,
        validate=validate.Length(max=REASON_LENGTH),
        metadata={"description": "Why (coordinators of the beneficiary's offices only see it)."},
    )


class AvoidedSchema(Schema):
    interpreter_id = fields.Integer(attribute="resource_id")
    interpreter_name = Text(attribute="interpreter.name")
    reason = Text()
    recorded_by = Text()
    recorded_at = Instant()


class PairedBookingSchema(Schema):
    booking_id = fields.Integer()
    type = Text()
    office = Text(allow_none=True)
    starts_at = Instant()
    ends_at = Instant()


class PairedEnrolmentSchema(Schema):
    enrolment_id = fields.Integer()
    series_id = fields.Integer()
    series_title = Text()
    office = Text()
    status = Text()
    next_starts_at = Instant()


class AvoidRecordedSchema(Schema):
    avoided = fields.Nested(AvoidedSchema)
    to_reassign_bookings = fields.List(
        fields.Nested(PairedBookingSchema),
        metadata={
            "description": "Upcoming bookings of the beneficiary that hold this interpreter: "
            "reassign them (nothing was cancelled)."
        },
    )
    to_reassign_enrolments = fields.List(
        fields.Nested(PairedEnrolmentSchema),
        metadata={"description": "Current enrolments in series whose classes hold them."},
    )
