"""Request and response schemas of series, occurrences, enrolments and attendance."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from service.models.booking import STATUSES
from service.models.series import (
    ATTENDANCE_MARKS,
    ENROLMENT_STATUSES,
    SERIES_STATUSES,
    SERIES_TYPES,
)
from service.resources.fields import Day, Instant, RowId, Text, Version
from service.resources.interpreter_fields import (
    interpreter_override,
    interpreter_override_reason,
)

_code = Text(validate=validate.Length(min=1, max=32))
_ids = fields.List(RowId(strict=True), validate=validate.Length(min=1, max=10))
_rrule = Text(
    validate=validate.Length(min=1, max=500),
    metadata={
        "description": "RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=24; COUNT or "
        "UNTIL (not both), at most one year, expanded in Europe/Sofia wall time."
    },
)
_languages = fields.List(
    Text(validate=validate.Length(min=2, max=3)),
    validate=validate.Length(max=20),
    metadata={"description": "ISO 639 codes of the languages offered or interpreted."},
)

_REMINDERS_HELP = (
    "Hours before each class that enrolled beneficiaries are reminded, e.g. [48, 2]; at most "
    "5, each up to 336 (two weeks). [] sends no reminders; null (the default) uses the "
    "configured offsets."
)


def _reminder_offsets(**extra: Any) -> fields.List[Any]:
    return fields.List(
        fields.Float(validate=validate.Range(min=0, max=336, min_inclusive=False)),
        allow_none=True,
        validate=validate.Length(max=5),
        metadata={"description": _REMINDERS_HELP},
        **extra,
    )


class SeriesCreateSchema(Schema):
    type = Text(required=True, validate=validate.OneOf(SERIES_TYPES))
    office = Text(required=True, validate=validate.Length(min=1, max=32))
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    rrule = Text(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata=_rrule.metadata,
    )
    starts_at = Instant(required=True, metadata={"description": "Start of the first occurrence."})
    ends_at = Instant(required=True, metadata={"description": "End of the first occurrence."})
    resource_ids = fields.List(
        RowId(strict=True),
        required=True,
        validate=validate.Length(min=1, max=10),
    )
    capacity = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=validate.Range(1, 2000),
        metadata={"description": "Course capacity; seats are the smaller of it and the room's."},
    )
    public = fields.Boolean(
        load_default=False, metadata={"description": "Listed in the public calendar feed."}
    )
    languages = fields.List(
        Text(validate=validate.Length(min=2, max=3)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata=_languages.metadata,
    )
    description = Text(allow_none=True, validate=validate.Length(max=2000))
    reminder_offsets = _reminder_offsets(load_default=None)
    interpreter_override = interpreter_override(
        "Book occurrences on which an interpreter passes an hour limit (audited, stored on "
        "those occurrences); needs interpreter_override_reason.",
        load_default=False,
    )
    interpreter_override_reason = interpreter_override_reason(load_default=None)


class SeriesCreateQuerySchema(Schema):
    dry_run = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Answer 200 with every occurrence and its clashes; write nothing."
        },
    )
    skip_clashes = fields.Boolean(
        load_default=False,
        metadata={"description": "Book the occurrences that are free; skip (and list) the rest."},
    )


class SkipClashesQuerySchema(Schema):
    skip_clashes = fields.Boolean(
        load_default=False,
        metadata={"description": "Book the occurrences that are free; skip (and list) the rest."},
    )


class SeriesQuerySchema(Schema):
    office = _code
    type = Text(validate=validate.OneOf(SERIES_TYPES))
    status = Text(validate=validate.OneOf(SERIES_STATUSES))
    public = fields.Boolean()


class SkippedSchema(Schema):
    date = Day()
    starts_at = Instant()
    reason = Text()


class HourLimitSchema(Schema):
    rule = Text(metadata={"description": "hours_day or hours_week"})
    interpreter_id = fields.Integer()
    interpreter = Text(attribute="interpreter_name")
    hours = fields.Float(attribute="params.hours", metadata={"description": "With this class."})
    limit = fields.Integer(attribute="params.limit")


class PlannedOccurrenceSchema(Schema):
    starts_at = Instant()
    ends_at = Instant()
    clashes = fields.List(
        fields.Dict(),
        metadata={"description": "{resource_id, booking_id, starts_at, ends_at, reason, …}"},
    )
    interpreter_limits = fields.List(
        fields.Nested(HourLimitSchema),
        attribute="limits",
        metadata={
            "description": "The interpreters' hour limits this class would pass (earlier "
            "classes of the series counted): booking refuses them unless interpreter_override."
        },
    )


class DryRunSchema(Schema):
    occurrences = fields.List(fields.Nested(PlannedOccurrenceSchema))
    skipped = fields.List(fields.Nested(SkippedSchema))


class SeriesSchema(Schema):
    id = fields.Integer()
    type = Text()
    office = Text()
    title = Text()
    description = Text(allow_none=True)
    rrule = Text()
    starts_at = Instant()
    ends_at = Instant()
    local_start = Text(metadata={"description": "Wall-clock start in Europe/Sofia."})
    duration_minutes = fields.Integer()
    capacity = fields.Integer(allow_none=True)
    seats = fields.Integer(
        allow_none=True, metadata={"description": "Smaller of course and room capacity."}
    )
    enrolled = fields.Integer()
    waitlisted = fields.Integer()
    resource_ids = fields.List(fields.Integer())
    public = fields.Boolean()
    languages = fields.List(Text())
    reminder_offsets = fields.List(
        fields.Float(), allow_none=True, metadata={"description": _REMINDERS_HELP}
    )
    status = Text()
    parent_id = fields.Integer(allow_none=True)
    occurrence_count = fields.Integer()
    skipped = fields.List(fields.Nested(SkippedSchema))
    created_by = Text()
    created_at = Instant()


class OccurrenceQuerySchema(Schema):
    start = Instant()
    end = Instant()


class OccurrenceSchema(Schema):
    id = fields.Integer(metadata={"description": "The occurrence's booking id."})
    starts_at = Instant()
    ends_at = Instant()
    status = Text(validate=validate.OneOf(STATUSES))
    recurrence_start = Instant(metadata={"description": "Where the rule put it."})
    moved = fields.Boolean()
    resource_ids = fields.List(fields.Integer())
    version = fields.Integer()
    cancel_reason = Text(allow_none=True)
    walk_ins = fields.Integer(allow_none=True)


class MoveOccurrenceSchema(Schema):
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    resource_ids = _ids
    version = Version(metadata={"description": "Refused if stale."})
    interpreter_override = interpreter_override(
        "Book despite an enrolled beneficiary's gender preference or required training, or "
        "an hour limit at the new time (audited); left out, the occurrence keeps its override."
    )
    interpreter_override_reason = interpreter_override_reason()


class EndSeriesSchema(Schema):
    last_day = Day(required=True, metadata={"description": "Last day the series meets."})


class SplitSeriesSchema(Schema):
    occurrence_id = RowId(
        strict=True,
        required=True,
        metadata={"description": "First occurrence to change."},
    )
    starts_at = Instant()
    ends_at = Instant()
    rrule = Text(validate=validate.Length(min=1, max=500), metadata=_rrule.metadata)
    resource_ids = _ids
    title = Text(validate=validate.Length(min=1, max=200))
    capacity = fields.Integer(strict=True, validate=validate.Range(1, 2000))
    public = fields.Boolean()
    languages = fields.List(
        Text(validate=validate.Length(min=2, max=3)),
        validate=validate.Length(max=20),
        metadata=_languages.metadata,
    )
    interpreter_override = interpreter_override(
        "Continue despite an enrolled beneficiary's gender preference or required training, "
        "or an hour limit on an occurrence (audited, stored on the occurrences that needed "
        "it); needs interpreter_override_reason."
    )
    interpreter_override_reason = interpreter_override_reason()


class SeriesUpdateSchema(Schema):
    title = Text(validate=validate.Length(min=1, max=200))
    description = Text(allow_none=True, validate=validate.Length(max=2000))
    capacity = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1, 2000))
    public = fields.Boolean()
    languages = fields.List(
        Text(validate=validate.Length(min=2, max=3)),
        validate=validate.Length(max=20),
        metadata=_languages.metadata,
    )
    reminder_offsets = _reminder_offsets()


class SeriesExceptionSchema(Schema):
    date = Day()
    recurrence_start = Instant()
    kind = Text(validate=validate.OneOf(["skipped", "cancelled", "moved"]))
    reason = Text()
    occurrence_id = fields.Integer(allow_none=True)


class EnrolmentCreateSchema(Schema):
    beneficiary_id = RowId(strict=True, required=True)
    language_override = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Enrol although the series' interpreter shares no language with "
            "the beneficiary (audited); needs language_override_reason."
        },
    )
    language_override_reason = Text(
        validate=validate.Length(min=1, max=500), allow_none=True, load_default=None
    )
    interpreter_override = interpreter_override(
        "Enrol although the series' interpreter breaks the beneficiary's gender preference "
        "or a training they need (audited); needs interpreter_override_reason. An avoided "
        "interpreter is refused all the same.",
        load_default=False,
    )
    interpreter_override_reason = interpreter_override_reason(load_default=None)


class EnrolmentSchema(Schema):
    id = fields.Integer()
    series_id = fields.Integer()
    beneficiary_id = fields.Integer()
    status = Text(validate=validate.OneOf(ENROLMENT_STATUSES))
    waitlist_position = fields.Integer(allow_none=True)
    requested_at = Instant()
    enrolled_at = Instant(allow_none=True)
    language_override_reason = Text(allow_none=True)
    interpreter_override_rules = fields.List(
        Text(),
        metadata={
            "description": "The interpreter rules overridden: gender, training (coordinators "
            "of the office and admins only)."
        },
    )
    interpreter_override_reason = Text(allow_none=True)


class AttendanceMarkSchema(Schema):
    mark = Text(required=True, validate=validate.OneOf(ATTENDANCE_MARKS))


class AttendanceSchema(Schema):
    occurrence_id = fields.Integer(attribute="booking_id")
    beneficiary_id = fields.Integer()
    mark = Text()
    recorded_by = Text()
    recorded_at = Instant()


class WalkInsSchema(Schema):
    walk_ins = fields.Integer(strict=True, required=True, validate=validate.Range(0, 10000))


class OccurrenceFiguresSchema(Schema):
    occurrence_id = fields.Integer()
    starts_at = Instant()
    present = fields.Integer()
    absent = fields.Integer()
    excused = fields.Integer()
    walk_ins = fields.Integer(allow_none=True)


class AttendanceEntrySchema(Schema):
    beneficiary_id = RowId(strict=True, required=True)
    mark = Text(required=True, validate=validate.OneOf(ATTENDANCE_MARKS))


class AttendanceRegisterSchema(Schema):
    marks = fields.List(
        fields.Nested(AttendanceEntrySchema),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


class FiguresSchema(Schema):
    seats = fields.Integer(allow_none=True)
    enrolled = fields.Integer()
    waitlisted = fields.Integer()
    occurrences = fields.Integer(metadata={"description": "Occurrences not cancelled."})
    held = fields.Integer(metadata={"description": "Of those, the ones already started."})
    present = fields.Integer()
    absent = fields.Integer()
    excused = fields.Integer()
    attendance_rate = fields.Float(
        allow_none=True, metadata={"description": "present / (present + absent)."}
    )
    completed = fields.Integer(
        metadata={"description": "Enrolled with ≥ 80 % presence at the non-excused held ones."}
    )
    completion_rate = fields.Float(allow_none=True)
    walk_ins = fields.Integer()
    per_occurrence = fields.List(fields.Nested(OccurrenceFiguresSchema))
