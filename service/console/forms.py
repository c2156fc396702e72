"""The console's forms: fields, labels and the checks a browser can be told about."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    Form,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput, TextInput

from service.booking.policy import BookingPolicy
from service.booking.time_rules import check_not_past
from service.plumbing.clock import sofia_instant, utcnow
from service.plumbing.errors import Invalid
from service.plumbing.text_input import FIRST_YEAR, LAST_YEAR, ROW_ID_MAX

KINDS = ("interpreter", "counsellor", "teacher")
MODALITY_CHOICES = [
    SelectChoice("in_person", _l("In person")),
    SelectChoice("phone", _l("Phone")),
    SelectChoice("video", _l("Video")),
]
BOOKING_TYPE_OF_KIND = {
    "interpreter": "interpretation",
    "counsellor": "counselling",
    "teacher": "language_class",
}


class InYears:
    """A date or date-time from FIRST_YEAR to LAST_YEAR, so no day arithmetic overflows."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(
                _l("Dates fall between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
            )


def refuse_past_instant(instant: datetime) -> None:
    """Refuse an instant that has passed, by the rule every booking follows."""
    grace = BookingPolicy.from_config(current_app.config).past_grace
    try:
        check_not_past("starts_at", instant, utcnow(), grace)
    except Invalid:
        raise ValidationError(_l("This time has passed; choose one from now on.")) from None


def refuse_past(day: date | None, wall: time | None) -> None:
    """Refuse a Sofia day and time that has passed; without a time, a day that has ended."""
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        return  # no date, or one InYears refuses
    if wall is None:
        refuse_past_instant(sofia_instant(day + timedelta(days=1), time(0)))
    else:
        refuse_past_instant(sofia_instant(day, wall))


class Time24Field(TimeField):
    """A wall-clock time typed as HH:MM on a 24-hour clock, whatever the browser's locale (a
    native time input shows "10:00 AM" in an English browser)."""

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {
            "inputmode": "numeric",
            "pattern": r"([01][0-9]|2[0-3]):[0-5][0-9]",
            "placeholder": "HH:MM",
            "maxlength": "5",
            "autocomplete": "off",
        } | (kwargs.pop("render_kw", None) or {})
        super().__init__(label, validators, format="%H:%M", render_kw=render_kw, **kwargs)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class FindForm(FlaskForm):
    """The search for free slots: read from the query string, so without a CSRF token."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("Who"),
        choices=[
            SelectChoice("interpreter", _l("Interpreter")),
            SelectChoice("counsellor", _l("Counsellor")),
            SelectChoice("teacher", _l("Teacher")),
        ],
    )
    language = SelectField(_l("Language"), validators=[Optional()])
    modality = SelectField(_l("Modality"), choices=MODALITY_CHOICES)
    office = SelectField(_l("Office"))
    day = DateField(_l("Date"), validators=[DataRequired(), InYears()])
    minutes = IntegerField(
        _l("Duration (minutes)"), default=60, validators=[DataRequired(), NumberRange(min=15)]
    )
    beneficiaries = StringField(
        _l("For (case references): interpreters who match them, best first"),
        validators=[Optional(), Length(max=400)],
    )

    def validate_day(self, field: DateField) -> None:
        refuse_past(field.data, None)

    def validate_minutes(self, field: IntegerField) -> None:
        """The same longest booking as the API and moving a booking allow."""
        longest = BookingPolicy.from_config(current_app.config).max_duration
        if field.data is not None and timedelta(minutes=field.data) > longest:
            raise ValidationError(
                _l("A booking lasts at most %(hours)d hours.", hours=longest // timedelta(hours=1))
            )


class BookForm(FlaskForm):
    slot = StringField(validators=[DataRequired()])  # radios drawn by the slot list
    case_reference = StringField(
        _l("Beneficiaries (case references, separated by commas)"),
        validators=[DataRequired(), Length(max=400)],
    )
    room = SelectField(_l("Room"), coerce=int, validators=[Optional()])
    notes = TextAreaField(
        _l("Notes (no health or asylum details)"), validators=[Optional(), Length(max=2000)]
    )
    remote_link = StringField(
        _l("tel:, sip: or https:// link (phone and video only)"),
        validators=[Optional(), Length(max=500)],
    )
    language_override = BooleanField(_l("Book although they share no language"))
    language_override_reason = StringField(
        _l("Why this interpreter all the same"), validators=[Optional(), Length(max=500)]
    )
    interpreter_override = BooleanField(
        _l("Book despite the interpreter rules (gender, training, hours)")
    )
    interpreter_override_reason = StringField(
        _l("Why the interpreter rules are set aside"), validators=[Optional(), Length(max=500)]
    )

    def validate_slot(self, field: StringField) -> None:
        """Refuse a slot whose time has passed since the list was shown."""
        try:
            starts_at = datetime.fromisoformat((field.data or "").partition("|")[2])
        except ValueError:
            return  # not a slot at all: the booking refuses it
        if starts_at.tzinfo is not None and FIRST_YEAR <= starts_at.year <= LAST_YEAR:
            refuse_past_instant(starts_at)


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class RescheduleForm(FlaskForm):
    """A new day and times, in Sofia wall-clock time; `version` is the one the page showed."""

    version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(0, ROW_ID_MAX)]
    )
    day = DateField(_l("New date"), validators=[DataRequired(), InYears()])
    starts = Time24Field(_l("Starts at"), validators=[DataRequired()])
    ends = Time24Field(_l("Ends at"), validators=[DataRequired()])
    interpreter_override = BooleanField(
        _l("Book despite the interpreter rules (gender, training, hours)")
    )
    interpreter_override_reason = StringField(
        _l("Why the interpreter rules are set aside"), validators=[Optional(), Length(max=500)]
    )

    def validate_day(self, field: DateField) -> None:
        refuse_past(field.data, self.starts.data)


class SignOutForm(FlaskForm):
    pass
