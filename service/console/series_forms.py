"""The series planner's forms, and the `SeriesRequest` (with its weekly RRULE) a plan form asks for."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from service.booking.time_rules import check_year_range
from service.console.forms import InYears, Time24Field, refuse_past
from service.console.i18n import LABELS
from service.models.series import SERIES_TYPES
from service.plumbing.clock import sofia_instant
from service.series.recurrence import join_rule
from service.series.series import SeriesRequest

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
NONE = 0  # the "no second person" and "no room" choice
LABELS.update(  # the words for the series' own codes, shown through the `label` filter
    {
        "active": lazy_pgettext("series status", "active"),
        "ended": _l("ended early"),
        "split": _l("changed from a date on"),
        "skipped": _l("skipped"),
        "moved": _l("moved"),
        "present": _l("present"),
        "absent": _l("absent"),
        "excused": _l("excused"),
    }
)


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NeededFor:
    """Require the field when `end_by` names it; otherwise it is optional and not checked."""

    def __init__(self, choice: str, message: str) -> None:
        self.choice, self.message = choice, message

    def __call__(self, form: Any, field: Any) -> None:
        needed = form.end_by.data == self.choice
        if needed and field.raw_data and str(field.raw_data[0]).strip():
            return  # given and needed: the field's other checks follow
        field.errors[:] = []  # a field not chosen is neither needed nor checked
        raise StopValidation(str(self.message) if needed else "")


class PlanForm(FlaskForm):
    """What a series is, who and where, when, and how it ends: one weekly rule."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(t, LABELS[t]) for t in SERIES_TYPES])
    office = SelectField(_l("Office"))
    lead = SelectField(_l("Teacher or lead"), coerce=int)
    second = SelectField(_l("Second person (optional)"), coerce=int, default=NONE)
    room = SelectField(_l("Room"), coerce=int, default=NONE)
    first_day = DateField(_l("First date"), validators=[DataRequired(), InYears()])
    starts = Time24Field(_l("Starts (Sofia time)"), validators=[DataRequired()])
    ends = Time24Field(_l("Ends (Sofia time)"), validators=[DataRequired()])
    weekdays = CheckboxesField(
        _l("Weekdays"),
        choices=[SelectChoice(c, n) for c, n in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)],
    )
    end_by = RadioField(
        _l("The series ends after"),
        choices=[
            SelectChoice("weeks", _l("a number of weeks")),
            SelectChoice("count", _l("a number of dates")),
            SelectChoice("until", _l("a last date")),
        ],
        default="weeks",
    )
    weeks = IntegerField(
        _l("Number of weeks"),
        validators=[NeededFor("weeks", _l("Give the number of weeks.")), NumberRange(1, 60)],
    )
    count = IntegerField(
        _l("Number of dates"),
        validators=[NeededFor("count", _l("Give the number of dates.")), NumberRange(1, 500)],
    )
    until = DateField(
        _l("Last date"), validators=[NeededFor("until", _l("Give the last date.")), InYears()]
    )
    capacity = IntegerField(
        _l("Capacity (places; empty for no limit but the room's)"),
        validators=[Optional(), NumberRange(1, 2000)],
    )
    reminders = StringField(
        _l("Reminders: hours before each class, e.g. 48, 2 (empty: the usual ones)"),
        validators=[Length(max=100)],
    )
    public = BooleanField(_l("Public: listed in the public calendar (community events)"))
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=2000)])
    skip_clashes = BooleanField(_l("Skip the clashing dates and book the others"))
    interpreter_override = BooleanField(
        _l("Book despite the interpreter rules (gender, training, hours)")
    )
    interpreter_override_reason = StringField(
        _l("Why the interpreter rules are set aside"), validators=[Optional(), Length(max=500)]
    )

    def validate_first_day(self, field: DateField) -> None:
        refuse_past(field.data, self.starts.data)

    def validate_reminders(self, field: StringField) -> None:
        try:
            reminder_offsets(field.data)
        except ValueError:
            raise ValidationError(_l("Give hours as numbers separated by commas.")) from None

    def validate_weekdays(self, field: CheckboxesField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one weekday."))

    @property
    def end_field(self) -> str:
        """The field that says when the series ends, where rule errors are shown."""
        return self.end_by.data if self.end_by.data in ("weeks", "count", "until") else "weeks"


# Where a domain error about a request field is shown on the plan form.
FIELD_OF = {
    "title": "title",
    "type": "kind",
    "office": "office",
    "starts_at": "first_day",
    "ends_at": "ends",
    "capacity": "capacity",
    "reminder_offsets": "reminders",
    "description": "description",
    "resource_ids": "resources",
}


def form_field(form: PlanForm, domain_field: str) -> str:
    """Name the form field (or `resources`, the who-and-where group) a domain error is about."""
    if domain_field == "rrule":
        return form.end_field
    return FIELD_OF.get(domain_field, "title")  # the form asks nothing else the domain checks


def reminder_offsets(text: str | None) -> list[float] | None:
    """Read "48, 2" as hours; empty text keeps the usual reminders (None)."""
    parts = [part.strip() for part in (text or "").split(",")]
    if not any(parts):
        return None
    return [float(part.replace(" ", "")) for part in parts]


def weekly_rule(weekdays: list[str], *, count: int | None = None, until: date | None = None) -> str:
    """Return FREQ=WEEKLY;BYDAY=…;COUNT=n (or UNTIL=the last day) for the weekdays chosen."""
    parts = {"FREQ": "WEEKLY", "BYDAY": ",".join(d for d in WEEKDAYS if d in weekdays)}
    if count is not None:
        parts["COUNT"] = str(count)
    elif until is not None:
        parts["UNTIL"] = until.isoformat().replace("-", "")
    return join_rule(parts)


def _rule(form: PlanForm, first_day: date) -> str:
    days = list(form.weekdays.data or [])
    if form.end_by.data == "count":
        return weekly_rule(days, count=form.count.data)
    if form.end_by.data == "until":
        return weekly_rule(days, until=form.until.data)
    return weekly_rule(days, until=first_day + timedelta(weeks=form.weeks.data or 1, days=-1))


def _instant(day: date, wall: time) -> datetime:
    check_year_range(starts_at=datetime.combine(day, wall))  # before zoneinfo sees year 1 or 9999
    return sofia_instant(day, wall)


def series_request(form: PlanForm, may_override: bool = False) -> SeriesRequest:
    """Build the request the API would get from a validated plan form (times in Sofia);
    the interpreter override only from a user who `may_override`."""
    first_day: date = form.first_day.data
    starts: time = form.starts.data
    ends: time = form.ends.data
    override = may_override and bool(form.interpreter_override.data)
    resource_ids = [form.lead.data] + [
        value for value in (form.second.data, form.room.data) if value and value != NONE
    ]
    return SeriesRequest(
        type=form.kind.data or "",
        office=form.office.data or "",
        title=form.title.data or "",
        rrule=_rule(form, first_day),
        starts_at=_instant(first_day, starts),
        ends_at=_instant(first_day, ends),
        resource_ids=resource_ids,
        capacity=form.capacity.data,
        public=bool(form.public.data),
        description=form.description.data or None,
        reminder_offsets=reminder_offsets(form.reminders.data),
        interpreter_override=override,
        interpreter_override_reason=(form.interpreter_override_reason.data or None)
        if override
        else None,
    )


class EnrolForm(FlaskForm):
    case_reference = StringField(
        _l("Beneficiary (case reference)"), validators=[DataRequired(), Length(max=64)]
    )
    language_override = BooleanField(_l("Enrol although they share no language"))
    language_override_reason = StringField(
        _l("Why enrol them all the same"), validators=[Optional(), Length(max=500)]
    )
    interpreter_override = BooleanField(
        _l("Enrol despite the interpreter rules (gender, training)")
    )
    interpreter_override_reason = StringField(
        _l("Why the interpreter rules are set aside"), validators=[Optional(), Length(max=500)]
    )


class WithdrawForm(FlaskForm):
    pass


class RegisterForm(FlaskForm):
    """Marks are read from `mark-<beneficiary id>` radios drawn per enrolled beneficiary."""

    walk_ins = IntegerField(
        _l("Walk-ins (came without registering)"), validators=[Optional(), NumberRange(0, 10000)]
    )


def read_marks(values: Any, beneficiary_ids: list[int]) -> list[tuple[int, str]]:
    """Return the (beneficiary, mark) pairs given on a register form, leaving out the unmarked."""
    marks = []
    for beneficiary_id in beneficiary_ids:
        mark = values.get(f"mark-{beneficiary_id}")
        if mark:
            marks.append((beneficiary_id, str(mark)))
    return marks


class EndSeriesForm(FlaskForm):
    last_day = DateField(_l("Last date it meets"), validators=[DataRequired(), InYears()])

    def validate_last_day(self, field: DateField) -> None:
        refuse_past(field.data, None)


class SplitForm(FlaskForm):
    """New times for a date and every one after it (the rest of the rule stays)."""

    starts = Time24Field(_l("New start (Sofia time)"), validators=[DataRequired()])
    ends = Time24Field(_l("New end (Sofia time)"), validators=[DataRequired()])
