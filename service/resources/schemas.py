"""Request and response schemas of the API, one per shape."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.models.access import ROLES
from service.models.booking import BOOKING_TYPES, STATUSES
from service.models.feed import FEED_KINDS, FEED_LOCALES, PRIVACY_LEVELS
from service.models.resource import GENDERS, MODALITIES, RESOURCE_KINDS, SPECIALITIES, TRAININGS
from service.resources.fields import Day, Instant, RowId, SlotList, Text, Version
from service.resources.interpreter_fields import (
    OverriddenRules,
    interpreter_override,
    interpreter_override_reason,
)

_code = Text(validate=validate.Length(min=1, max=32))
_language = Text(validate=validate.Length(min=2, max=3))
_override_reason = Text(
    validate=validate.Length(min=1, max=500),
    allow_none=True,
    metadata={"description": "Why the interpreter is booked despite the language rule."},
)
_other_languages = fields.List(
    _language,
    validate=validate.Length(max=10),
    metadata={"description": "Other languages the beneficiary speaks (ISO 639 codes)."},
)


class OfficeSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = Text()
    name_bg = Text()
    name_en = Text()
    address = Text()
    opening_hours = fields.Method("_opening_hours")
    closures = fields.Method("_closures")

    def _opening_hours(self, office: object) -> list[dict[str, object]]:
        return [
            {
                "weekday": h.weekday,
                "opens": h.opens.isoformat("minutes"),
                "closes": h.closes.isoformat("minutes"),
            }
            for h in office.opening_hours  # type: ignore[attr-defined]
        ]

    def _closures(self, office: object) -> list[dict[str, str]]:
        return [{"day": c.day.isoformat(), "reason": c.reason} for c in office.closures]  # type: ignore[attr-defined]


class ClosureQuerySchema(Schema):
    start = Day(required=True)
    end = Day(required=True)


class ClosureCreateSchema(Schema):
    day = Day(required=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=200))


class ClosedDaySchema(Schema):
    day = Day()
    reason = Text()


class WorkingHoursSchema(Schema):
    office = Text(required=True)
    weekday = fields.Integer(required=True, validate=validate.Range(0, 6))
    starts = fields.Time(required=True)
    ends = fields.Time(required=True)


class ResourceQuerySchema(Schema):
    kind = Text(validate=validate.OneOf(RESOURCE_KINDS))
    language = Text(validate=validate.Length(min=2, max=3))
    office = _code
    modality = Text(validate=validate.OneOf(MODALITIES))
    speciality = Text(validate=validate.OneOf(SPECIALITIES))


class InterpreterOfferSchema(Schema):
    """What an interpreter offers; on a room, counsellor or teacher none of it is accepted."""

    gender = Text(allow_none=True, validate=validate.OneOf(GENDERS))
    dialects = fields.List(
        Text(validate=validate.Length(min=2, max=32)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "BCP 47 tags of languages listed, with a region or script."},
    )
    trainings = fields.List(
        Text(validate=validate.OneOf(TRAININGS)), load_default=list, validate=validate.Length(max=3)
    )
    max_hours_day = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 24),
        metadata={"description": "Hours of limited types a day, 1 to 24; null: the default."},
    )
    max_hours_week = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 168),
        metadata={"description": "Hours of limited types a week, 1 to 168; null: the default."},
    )
    limited_types = fields.List(
        Text(validate=validate.OneOf(BOOKING_TYPES)),
        allow_none=True,
        load_default=None,
        metadata={"description": "Booking types the limits count; null: the default."},
    )


class ResourceCreateSchema(InterpreterOfferSchema):
    kind = Text(required=True, validate=validate.OneOf(RESOURCE_KINDS))
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    office = _code
    capacity = fields.Integer(validate=validate.Range(1, 2000))
    offices = fields.List(_code, load_default=list)
    languages = fields.List(Text(validate=validate.Length(min=2, max=3)), load_default=list)
    modalities = fields.List(
        Text(validate=validate.OneOf(MODALITIES)), load_default=lambda: ["in_person"]
    )
    specialities = fields.List(Text(validate=validate.OneOf(SPECIALITIES)), load_default=list)
    working_hours = fields.List(fields.Nested(WorkingHoursSchema), load_default=list)
    locale = Text(validate=validate.OneOf(["bg", "en"]))
    phone = Text(validate=validate.Length(max=32))


class ResourceSchema(Schema):
    id = fields.Integer()
    kind = Text()
    name = Text()
    offices = fields.List(Text(), attribute="office_codes")
    languages = fields.List(Text())
    modalities = fields.List(Text())
    specialities = fields.List(Text())
    capacity = fields.Integer(allow_none=True)
    working_hours = fields.Method("_hours")
    gender = Text(allow_none=True)
    dialects = fields.List(Text())
    trainings = fields.List(Text())
    max_hours_day = fields.Integer(allow_none=True)
    max_hours_week = fields.Integer(allow_none=True)
    limited_types = fields.List(Text(), attribute="limited_type_list", allow_none=True)

    def _hours(self, resource: object) -> list[dict[str, object]]:
        return [
            {
                "office": h.office.code,
                "weekday": h.weekday,
                "starts": h.starts.isoformat("minutes"),
                "ends": h.ends.isoformat("minutes"),
            }
            for h in resource.working_hours  # type: ignore[attr-defined]
        ]


class TimeOffCreateSchema(Schema):
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    reason = Text(validate=validate.Length(max=200), allow_none=True)


class TimeOffSchema(Schema):
    id = fields.Integer()
    resource_id = fields.Integer()
    starts_at = Instant()
    ends_at = Instant()
    reason = Text(allow_none=True)
    created_by = Text()


class BeneficiaryCreateSchema(Schema):
    case_reference = Text(required=True, validate=validate.Length(min=1, max=64))
    language = Text(required=True, validate=validate.Length(min=2, max=3))
    phone = Text(allow_none=True, validate=validate.Length(max=32))
    sms_consent = fields.Boolean(load_default=False)
    discreet = fields.Boolean(load_default=False)
    is_minor = fields.Boolean(load_default=False)
    guardian_phone = Text(allow_none=True, validate=validate.Length(max=32))
    other_languages = _other_languages
    offices = fields.List(
        _code,
        validate=validate.Length(min=1, max=10),
        metadata={
            "description": "The offices the beneficiary belongs to; a coordinator of one "
            "office may leave it out."
        },
    )


class BeneficiaryUpdateSchema(Schema):
    language = Text(validate=validate.Length(min=2, max=3))
    other_languages = _other_languages
    phone = Text(validate=validate.Length(max=32), metadata={"description": '"" clears'})
    guardian_phone = Text(validate=validate.Length(max=32))
    is_minor = fields.Boolean()
    sms_consent = fields.Boolean()
    discreet = fields.Boolean()
    offices = fields.List(
        _code,
        validate=validate.Length(min=1, max=10),
        metadata={"description": "Share with an office, or stop sharing (audited)."},
    )


class BeneficiarySchema(Schema):
    id = fields.Integer()
    case_reference = Text()
    language = Text()
    other_languages = fields.List(Text())
    phone = Text(allow_none=True)
    sms_consent = fields.Boolean()
    sms_consent_at = Instant(allow_none=True)
    discreet = fields.Boolean()
    is_minor = fields.Boolean()
    guardian_phone = Text(allow_none=True)
    offices = fields.List(Text(), attribute="office_codes")
    erased_at = Instant(
        allow_none=True, metadata={"description": "Set once the personal data was erased."}
    )


class BookingCreateSchema(Schema):
    type = Text(required=True, validate=validate.OneOf(BOOKING_TYPES))
    office = _code
    location = Text(validate=validate.Length(min=1, max=300), allow_none=True)
    modality = Text(load_default="in_person", validate=validate.OneOf(MODALITIES))
    remote_link = Text(
        validate=validate.Length(min=1, max=500),
        allow_none=True,
        metadata={
            "description": "The dial-in or video link: https:, tel: or sip: only "
            "(https://meet.example.org/room, tel:+359888123456, sip:room@sip.example.org)."
        },
    )
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    resource_ids = fields.List(
        RowId(strict=True), required=True, validate=validate.Length(min=1, max=10)
    )
    beneficiary_ids = fields.List(
        RowId(strict=True), load_default=list, validate=validate.Length(max=200)
    )
    notes = Text(validate=validate.Length(max=2000), allow_none=True)
    status = Text(load_default="confirmed", validate=validate.OneOf(["tentative", "confirmed"]))
    override = fields.Boolean(load_default=False)
    public = fields.Boolean(
        load_default=False,
        metadata={"description": "A community event shown in the public feed."},
    )
    record_past = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Admins only: record a booking that has already started (otherwise "
            "a start before now is refused). It needs `record_past_reason`, is audited and "
            "queues no SMS."
        },
    )
    record_past_reason = Text(validate=validate.Length(max=500), allow_none=True)
    language_override = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Book an interpreter who shares no language with a beneficiary "
            "(audited); needs language_override_reason."
        },
    )
    language_override_reason = _override_reason
    interpreter_override = interpreter_override(load_default=False)
    interpreter_override_reason = interpreter_override_reason()


class BookingQuerySchema(Schema):
    office = _code
    resource_id = RowId()
    beneficiary_id = RowId()
    type = Text(validate=validate.OneOf(BOOKING_TYPES))
    status = Text(validate=validate.OneOf(STATUSES))
    start = Instant()
    end = Instant()


class CancelSchema(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class RescheduleSchema(Schema):
    version = Version(required=True)
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    resource_ids = fields.List(RowId(strict=True), validate=validate.Length(min=1, max=10))
    override = fields.Boolean(load_default=False)
    language_override = fields.Boolean(
        metadata={
            "description": "With new resource_ids: book an interpreter who shares no language "
            "with a beneficiary; left out, the booking keeps its override on the same resources."
        },
    )
    language_override_reason = _override_reason
    interpreter_override = interpreter_override(
        "With new resources or times: book despite a gender preference, a required training "
        "or an hour limit (audited), with interpreter_override_reason. Left out, the booking "
        "keeps its override for the rules it named."
    )
    interpreter_override_reason = interpreter_override_reason()


class BookingSchema(Schema):
    id = fields.Integer()
    type = Text()
    status = Text()
    version = fields.Integer()
    office = Text(attribute="office_code", allow_none=True)
    location = Text(allow_none=True)
    modality = Text()
    remote_link = Text(allow_none=True)
    starts_at = Instant()
    ends_at = Instant()
    resource_ids = fields.List(fields.Integer())
    beneficiary_ids = fields.List(fields.Integer())
    notes = Text(allow_none=True)
    cancel_reason = Text(allow_none=True)
    override = fields.Boolean()
    language_override = fields.Boolean()
    language_override_reason = Text(allow_none=True)
    interpreter_override_rules = OverriddenRules()
    interpreter_override_reason = Text(allow_none=True)
    public = fields.Boolean()
    record_past = fields.Boolean(
        metadata={"description": "Recorded after the fact by an admin; never announced by SMS."}
    )
    record_past_reason = Text(allow_none=True)
    series_id = fields.Integer(allow_none=True)
    recurrence_start = Instant(allow_none=True)
    created_by = Text()
    created_at = Instant()
    updated_at = Instant()


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = Instant()
    actor = Text()
    action = Text()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AvailabilityQuerySchema(Schema):
    kind = Text(validate=validate.OneOf(RESOURCE_KINDS))
    language = Text(validate=validate.Length(min=2, max=3))
    office = _code
    modality = Text(validate=validate.OneOf(MODALITIES))
    speciality = Text(
        validate=validate.OneOf(SPECIALITIES),
        metadata={
            "description": "Counsellors of this speciality; with kind=interpreter and "
            "type=counselling, interpreters trained for sessions of it."
        },
    )
    resource_ids = fields.List(
        RowId(),
        metadata={"description": "Suggest mode: slots where all of these are free together."},
    )
    beneficiary_ids = fields.List(
        RowId(),
        validate=validate.Length(max=200),
        metadata={
            "description": "Offer only interpreters who share a language with each of them and "
            "pass their matching rules (avoided interpreters, gender, trainings), ranked for them."
        },
    )
    type = Text(
        load_default="interpretation",
        validate=validate.OneOf(BOOKING_TYPES),
        metadata={
            "description": "The booking type: the trainings it needs (with `speciality` or the "
            "counsellors of `resource_ids`) and the hour limits it counts towards."
        },
    )
    start = Instant(required=True)
    end = Instant(required=True)
    duration = fields.Integer(
        required=True, validate=validate.Range(15, 12 * 60), metadata={"description": "Minutes."}
    )
    limit = fields.Integer(
        load_default=10,
        validate=validate.Range(1, 100),
        metadata={"description": "Suggest mode: how many slots."},
    )


class SlotSchema(Schema):
    starts_at = Instant()
    ends_at = Instant()


class AvailabilitySchema(Schema):
    resource_id = fields.Integer()
    slots = SlotList(SlotSchema)
    rank = fields.Integer(
        allow_none=True,
        metadata={"description": "An interpreter's place, from 1 (best); none for others."},
    )
    reasons = fields.List(
        fields.Dict(),
        metadata={
            "description": "Why an interpreter has their place, best criterion first: "
            '{"code": "dialect_match", "dialect": "ar-SY"}, '
            '{"code": "other_dialect", "dialect": "ar-IQ", "wanted": "ar-SY"}, '
            '{"code": "served_before", "last": "<start of the latest booking together>"}, '
            '{"code": "month_hours", "hours": 12.5}, {"code": "same_office", "office": "sofia"}, '
            '{"code": "must_travel", "office": "burgas"}.'
        },
    )


class SuggestionSchema(Schema):
    resource_ids = fields.List(fields.Integer())
    starts_at = Instant()
    ends_at = Instant()


class TokenCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    role = Text(required=True, validate=validate.OneOf(ROLES))
    offices = fields.List(_code, load_default=list)
    resource_id = RowId(allow_none=True)
    expires_at = Instant(allow_none=True)


class TokenSchema(Schema):
    id = fields.Integer()
    name = Text()
    role = Text()
    offices = fields.List(Text())
    resource_id = fields.Integer(allow_none=True)
    created_at = Instant()
    expires_at = Instant(allow_none=True)
    revoked_at = Instant(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = Text(metadata={"description": "Shown once; only its hash is stored."})


class FeedCreateSchema(Schema):
    scope = Text(required=True, validate=validate.OneOf(FEED_KINDS))
    privacy = Text(required=True, validate=validate.OneOf(PRIVACY_LEVELS))
    office = _code
    resource_id = RowId(strict=True)
    locale = Text(
        validate=validate.OneOf(FEED_LOCALES),
        metadata={"description": "Language of the texts; default the person's locale, else bg."},
    )


class FeedSchema(Schema):
    id = fields.Integer()
    scope = Text(attribute="kind")
    office = Text(attribute="office_code", allow_none=True)
    resource_id = fields.Integer(allow_none=True)
    privacy = Text()
    locale = Text()
    title = Text()
    created_at = Instant()
    rotated_at = Instant(allow_none=True)


class FeedUrlSchema(FeedSchema):
    url = Text(metadata={"description": "Shown once; only its hash is stored."})
    webcal_url = Text()


class BookingIcsQuerySchema(Schema):
    locale = Text(validate=validate.OneOf(FEED_LOCALES))


class FreeBusyQuerySchema(Schema):
    start = Instant(required=True)
    end = Instant(required=True)
