"""Forms of the people pages: beneficiaries, calendar links, time off, accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from service.access.accounts import MIN_PASSWORD_LENGTH
from service.console.forms import InYears


class BeneficiarySearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Case reference"), validators=[Optional(), Length(max=64)])


class BeneficiaryForm(FlaskForm):
    """Only what the service keeps: no name, no nationality, no address."""

    case_reference = StringField(_l("Case reference"), validators=[DataRequired(), Length(max=64)])
    language = StringField(
        _l("Preferred language (ISO 639 code, e.g. ar, fa, uk)"),
        validators=[DataRequired(), Length(min=2, max=3)],
    )
    is_minor = BooleanField(_l("Minor (messages go to the guardian)"))
    sms_consent = BooleanField(_l("Agrees to SMS reminders"))
    phone = StringField(
        _l("Phone number (only with consent to SMS)"), validators=[Optional(), Length(max=32)]
    )
    guardian_phone = StringField(
        _l("Guardian's phone number (minors only, with consent)"),
        validators=[Optional(), Length(max=32)],
    )
    discreet = BooleanField(_l("Discreet"))
    office = SelectField(_l("Registering office"), choices=[], validators=[DataRequired()])

    def validate_phone(self, field: StringField) -> None:
        if field.data and not self.sms_consent.data:
            raise ValidationError(_l("Keep a number only when the person agrees to SMS."))
        if field.data and self.is_minor.data:
            raise ValidationError(
                _l("A minor's messages go to the guardian: give the guardian's number.")
            )

    def validate_sms_consent(self, field: BooleanField) -> None:
        number = self.guardian_phone.data if self.is_minor.data else self.phone.data
        if field.data and not number:
            raise ValidationError(_l("SMS consent needs a number to send to."))

    def validate_guardian_phone(self, field: StringField) -> None:
        if field.data and not self.is_minor.data:
            raise ValidationError(_l("A guardian's number is only for a minor."))
        if field.data and not self.sms_consent.data:
            raise ValidationError(_l("Keep a number only when the person agrees to SMS."))


class ConsentForm(FlaskForm):
    consent = HiddenField(validators=[DataRequired()])  # "yes" or "no", set by the button
    confirmed = HiddenField()  # "yes" once the withdrawal was confirmed on the page


class DiscreetForm(FlaskForm):
    discreet = HiddenField(validators=[DataRequired()])


class OfficesForm(FlaskForm):
    """The offices a beneficiary belongs to: the page offers only what the policy allows."""

    offices = SelectMultipleField(
        _l("Offices that may see and book this beneficiary"),
        choices=[],
        validators=[DataRequired(_l("Choose at least one office."))],
    )
    locked: list[str]  # offices the caller may not take the beneficiary out of


class OtherLanguagesForm(FlaskForm):
    other_languages = StringField(
        _l("Other languages spoken (ISO 639 codes, separated by commas, e.g. ar, en)"),
        validators=[Length(max=200)],
    )


class FeedForm(FlaskForm):
    """A new calendar link; `office` is offered to coordinators and admins only."""

    office = SelectField(_l("Office"), validators=[Optional()])


class FeedActionForm(FlaskForm):
    pass


class TimeOffForm(FlaskForm):
    starts_at = DateTimeLocalField(
        _l("From (Sofia time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(), InYears()]
    )
    ends_at = DateTimeLocalField(
        _l("Until (Sofia time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(), InYears()]
    )
    reason = StringField(
        _l("Reason (optional, e.g. leave or training; no medical details)"),
        validators=[Optional(), Length(max=200)],
    )


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])
    new = PasswordField(
        _l("New password (at least %(count)d characters)", count=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), Length(max=1000)],
    )
    again = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )


LOCALE_CHOICES = [
    SelectChoice("", _l("As my browser asks")),
    SelectChoice("bg", "Български"),
    SelectChoice("en", "English"),
]


class LocaleForm(FlaskForm):
    locale = SelectField(_l("Language of the pages"), choices=LOCALE_CHOICES)


class ResetForm(FlaskForm):
    """An admin types a new password (`how` "typed") or asks for one made and shown once
    (`how` "made"); an empty field alone never sets anything."""

    password = PasswordField(
        _l("New password (at least %(count)d characters)", count=MIN_PASSWORD_LENGTH),
        validators=[Optional(), Length(max=1000)],
    )
    how = HiddenField()  # set by the button pressed


ROLE_CHOICES = [
    SelectChoice("coordinator", _l("Coordinator: the beneficiaries and bookings of their offices")),
    SelectChoice("staff", _l("Staff: their own schedule")),
    SelectChoice("read_only", _l("Read only: schedules without personal data, statistics")),
    SelectChoice("admin", _l("Admin: everything")),
]


class UserForm(FlaskForm):
    """A new console account; its password is made on the server and shown once."""

    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    offices = SelectMultipleField(_l("Offices (coordinators)"), choices=[])
    resource = SelectField(_l("Person (staff)"), choices=[], validators=[Optional()])
    locale = SelectField(
        _l("Language of the pages"), choices=LOCALE_CHOICES, validators=[Optional()]
    )


class UserActionForm(FlaskForm):
    pass


class ErasureForm(FlaskForm):
    """The case reference typed again, so that an erasure is never one click away."""

    confirmation = StringField(
        _l("Type the case reference to confirm"), validators=[DataRequired(), Length(max=64)]
    )
