"""The console's forms: fields, labels and the checks a browser can be told about."""

from __future__ import annotations

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
from wtforms.widgets import HiddenInput

from service.text_input import FIRST_YEAR, LAST_YEAR, ROW_ID_MAX

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
        _l("Duration (minutes)"), default=60, validators=[DataRequired(), NumberRange(15, 480)]
    )


class BookForm(FlaskForm):
    slot = StringField(validators=[DataRequired()])  # radios drawn by the slot list
    case_reference = StringField(
        _l("Beneficiary (case reference)"), validators=[DataRequired(), Length(max=64)]
    )
    room = SelectField(_l("Room"), coerce=int, validators=[Optional()])
    remote_link = StringField(
        _l("tel:, sip: or https:// link (phone and video only)"),
        validators=[Optional(), Length(max=500)],
    )
    language_override = BooleanField(_l("Book although they share no language"))
    language_override_reason = StringField(
        _l("Why this interpreter all the same"), validators=[Optional(), Length(max=500)]
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class RescheduleForm(FlaskForm):
    """A new day and times, in Sofia wall-clock time; `version` is the one the page showed."""

    version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(0, ROW_ID_MAX)]
    )
    day = DateField(_l("New date"), validators=[DataRequired(), InYears()])
    starts = TimeField(_l("Starts at"), validators=[DataRequired()])
    ends = TimeField(_l("Ends at"), validators=[DataRequired()])


class SignOutForm(FlaskForm):
    pass
