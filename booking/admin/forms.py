"""Forms of the admins' pages for therapists, services and the clinic's settings.

Every field keeps what was typed when the form is shown again with errors;
numbers, prices and times are read here, with a message that says what to type.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    Form,
    IntegerField,
    RadioField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, StopValidation

from booking.forms import ClinicForm
from booking.models import THERAPY_LABELS, THERAPY_TYPES, ClinicSettings
from booking.scheduling.qualifications import QUALIFICATIONS
from booking.screening.forms import MultiCheckboxField
from booking.services.settings import WEEKDAYS
from booking.text_limits import (
    ADDRESS_LENGTH,
    DESCRIPTION_LENGTH,
    EMAIL_LENGTH,
    NAME_LENGTH,
    PHONE_LENGTH,
    SERVICE_CODE_LENGTH,
)
from booking.validators import email_address, phone_number, stripped

MOST_REMINDERS = 5
TIME_STEP_MINUTES = 15
LARGEST_PRICE_CENTS = 10_000_000
THERAPY_CHOICES = [SelectChoice(kind, THERAPY_LABELS[kind].capitalize()) for kind in THERAPY_TYPES]
QUALIFICATION_CHOICES = [SelectChoice(code, label) for code, label in QUALIFICATIONS.items()]


def listed_choice(message: str) -> Any:
    """WTForms validator: the value is one of the field's choices (else ``message``)."""

    def check(form: Form, field: Field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(message)

    return check


def listed_choices(message: str) -> Any:
    """WTForms validator: every value ticked is one of the field's choices (else ``message``)."""

    def check(form: Form, field: Field) -> None:
        if not set(field.data or ()) <= {choice.value for choice in field.choices}:
            raise ValidationError(message)

    return check


class WholeNumberField(IntegerField):
    """A whole number, with a message that says what to type (``what`` names it: "the duration")."""

    def __init__(self, label: str, what: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.what = what

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            return
        if not (text.isascii() and text.isdigit() and len(text) <= 9):
            raise ValueError(f"Enter {self.what} as a whole number, like 60.")
        self.data = int(text)


def whole_number(what: str, low: int, high: int, unit: str, step: int = 1) -> list[Any]:
    """Validators of a required whole number between ``low`` and ``high``, in steps of ``step``."""
    steps = [] if step == 1 else [multiple_of(step, f"Enter {what} in steps of {step} {unit}, like {step * 12}.")]
    return [InputGiven(f"Enter {what}."), NumberRange(low, high, f"Enter {what} between {low} and {high:,} {unit}."), *steps]


class InputGiven:
    """A number is required (0 counts); a typed one that could not be read keeps its own message."""

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is None:
            raise StopValidation("" if field.errors else self.message)


def multiple_of(step: int, message: str) -> Any:
    """WTForms validator: the number is a multiple of ``step``."""

    def check(form: Form, field: Field) -> None:
        if field.data is not None and field.data % step:
            raise ValidationError(message)

    return check


def cents(text: str) -> int:
    """A price typed in dollars ("115", "115.00", "$1,150.5") in cents; raise ValueError with a reason."""
    cleaned = text.strip().removeprefix("$").replace(",", "").strip()
    if not re.fullmatch(r"\d{1,7}(\.\d{1,2})?", cleaned):
        if cleaned.startswith("-"):
            raise ValueError("A price cannot be negative. Enter 0 for a free service.")
        raise ValueError("Enter the price in dollars and cents, like 115.00.")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:  # the pattern lets only decimals through; kept for safety of the reading
        raise ValueError("Enter the price in dollars and cents, like 115.00.") from exc
    if amount * 100 > LARGEST_PRICE_CENTS:
        raise ValueError(f"Enter a price of at most ${LARGEST_PRICE_CENTS // 100:,}.00.")
    return int(amount * 100)


def price_in_dollars(form: Form, field: Field) -> None:
    """WTForms validator: a price ``cents`` can read."""
    try:
        cents(field.data or "")
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class ActionForm(ClinicForm):
    """A button that changes something (deactivate, reactivate): only the CSRF token."""


class DeactivateTherapistForm(ClinicForm):
    """Deactivating a therapist, and whether their login's access ends too (shown ticked)."""

    end_sign_in = BooleanField("Also end their sign-in")


class TherapistForm(ClinicForm):
    """A therapist's name, therapy type, email and bio."""

    name = StringField("Name", filters=[stripped],
                       validators=[DataRequired("Enter the therapist's name."), Length(max=NAME_LENGTH)])
    therapy_type = RadioField("Therapy type", choices=THERAPY_CHOICES, validate_choice=False,
                              validators=[DataRequired("Choose the therapy type."),
                                          listed_choice("Choose physiotherapy or massage therapy.")])
    email = EmailField("Email address (optional)", filters=[stripped],
                       validators=[Optional(), Length(max=EMAIL_LENGTH), email_address])
    bio = TextAreaField("Bio (optional)", filters=[stripped], validators=[
        Length(max=DESCRIPTION_LENGTH, message=f"Write at most {DESCRIPTION_LENGTH:,} characters.")])
    qualifications = MultiCheckboxField("Trained in", choices=QUALIFICATION_CHOICES, validate_choice=False,
                                        validators=[listed_choices("Tick only the qualifications listed.")])


class LinkUserForm(ClinicForm):
    """Which therapist login to link (choices: the free logins)."""

    user = RadioField("Login", validate_choice=False,
                      validators=[DataRequired("Choose a login."), listed_choice("Choose one of the logins listed.")])


class ServiceForm(ClinicForm):
    """A service: its code, name, description, therapy type, duration, buffer and price."""

    code = StringField("Code", filters=[stripped], validators=[
        DataRequired("Enter a code, like physio-60."),
        Length(max=SERVICE_CODE_LENGTH, message=f"Use at most {SERVICE_CODE_LENGTH} characters."),
        Regexp(r"^[A-Za-z0-9-]+$", message="Use only letters, digits and dashes in the code, like physio-60.")])
    name = StringField("Name", filters=[stripped],
                       validators=[DataRequired("Enter the service's name."), Length(max=NAME_LENGTH)])
    description = TextAreaField("Description (optional)", filters=[stripped], validators=[
        Length(max=DESCRIPTION_LENGTH, message=f"Write at most {DESCRIPTION_LENGTH:,} characters.")])
    therapy_type = RadioField("Therapy type", choices=THERAPY_CHOICES, validate_choice=False,
                              validators=[DataRequired("Choose the therapy type."),
                                          listed_choice("Choose physiotherapy or massage therapy.")])
    duration_minutes = WholeNumberField("Duration (minutes)", "the duration",
                                        validators=whole_number("the duration", 5, 480, "minutes", step=5))
    buffer_minutes = WholeNumberField("Buffer after the visit (minutes)", "the buffer",
                                      validators=whole_number("the buffer", 0, 120, "minutes"))
    price = StringField("Price (dollars)", filters=[stripped],
                        validators=[DataRequired("Enter the price, like 115.00."), price_in_dollars])


def clock_time(text: str) -> time | None:
    """A time typed as HH:MM (what a time input sends), or None."""
    if not re.fullmatch(r"\d{1,2}:\d{2}", text.strip()):
        return None
    hours, minutes = (int(part) for part in text.strip().split(":"))
    return time(hours, minutes) if hours < 24 and minutes < 60 else None


def reminder_minutes(text: str) -> list[int]:
    """Reminder offsets typed as "1440, 120", largest first; raise ValueError with a reason."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not parts:
        raise ValueError("Enter at least one reminder, in minutes before the visit, like 1440, 120.")
    if not all(part.isascii() and part.isdigit() and len(part) <= 6 for part in parts):
        raise ValueError("Enter each reminder as a whole number of minutes, separated by commas, like 1440, 120.")
    offsets = [int(part) for part in parts]
    if min(offsets) <= 0 or max(offsets) > 20160:
        raise ValueError("Each reminder must be between 1 and 20,160 minutes (two weeks) before the visit.")
    if len(offsets) > MOST_REMINDERS:
        raise ValueError(f"Enter at most {MOST_REMINDERS} reminders.")
    if len(set(offsets)) < len(offsets):
        raise ValueError("Enter each reminder only once.")
    return sorted(offsets, reverse=True)


def reminders_given(form: Form, field: Field) -> None:
    """WTForms validator: offsets ``reminder_minutes`` can read."""
    try:
        reminder_minutes(field.data or "")
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class SettingsForm(ClinicForm):
    """The clinic's name, contact details, opening hours per weekday and booking rules."""

    name = StringField("Clinic name", filters=[stripped],
                       validators=[DataRequired("Enter the clinic's name."), Length(max=NAME_LENGTH)])
    phone = TelField("Phone number", filters=[stripped], validators=[
        DataRequired("Enter the clinic's phone number."), Length(max=PHONE_LENGTH), phone_number])
    address = StringField("Address", filters=[stripped], validators=[
        DataRequired("Enter the clinic's address."), Length(max=ADDRESS_LENGTH)])
    cancel_cutoff_hours = WholeNumberField("Cancellation cut-off (hours)", "the cut-off",
                                           validators=whole_number("the cut-off", 0, 168, "hours"))
    min_notice_minutes = WholeNumberField("Minimum notice (minutes)", "the minimum notice",
                                          validators=whole_number("the minimum notice", 0, 10080, "minutes"))
    reminder_offsets = StringField("Reminders (minutes before the visit)", filters=[stripped],
                                   validators=[reminders_given])
    visit_instructions = TextAreaField("Instructions for patients (optional)", filters=[stripped], validators=[
        Length(max=DESCRIPTION_LENGTH, message=f"Write at most {DESCRIPTION_LENGTH:,} characters.")])

    def day_fields(self, weekday: int) -> tuple[Field, Field, Field]:
        """The open box and the opening and closing times of a weekday (0 is Monday)."""
        key = WEEKDAYS[weekday].lower()
        return self[f"{key}_open"], self[f"{key}_opens"], self[f"{key}_closes"]

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then each open day's times: on the quarter hour, closing after opening."""
        valid = super().validate(extra_validators)
        for weekday in range(7):
            is_open, opens, closes = self.day_fields(weekday)
            if not is_open.data:
                continue
            day = WEEKDAYS[weekday]
            times = [_check_time(field, f"{day} {which}") for field, which in ((opens, "opens"), (closes, "closes"))]
            if None in times:
                valid = False
            elif times[1] <= times[0]:
                closes.errors.append(f"{day} must close after it opens.")
                valid = False
        return valid

    def opening_hours(self) -> list[list[str] | None]:
        """The opening hours as stored: seven entries, ["09:00", "17:00"] or None for closed."""
        hours: list[list[str] | None] = []
        for weekday in range(7):
            is_open, opens, closes = self.day_fields(weekday)
            times = [clock_time(opens.data or ""), clock_time(closes.data or "")]
            hours.append([f"{t:%H:%M}" for t in times] if is_open.data and None not in times else None)
        return hours

    @staticmethod
    def initial(settings: ClinicSettings) -> dict[str, Any]:
        """The form's values for stored settings."""
        data = {"name": settings.name, "phone": settings.phone, "address": settings.address,
                "cancel_cutoff_hours": settings.cancel_cutoff_hours, "min_notice_minutes": settings.min_notice_minutes,
                "reminder_offsets": ", ".join(str(offset) for offset in settings.reminder_offsets_minutes),
                "visit_instructions": settings.visit_instructions}
        for day, hours in zip(WEEKDAYS, settings.opening_hours, strict=True):
            key = day.lower()
            data[f"{key}_open"] = hours is not None
            data[f"{key}_opens"], data[f"{key}_closes"] = hours if hours is not None else ("", "")
        return data


def _check_time(field: Field, what: str) -> time | None:
    """The time in the field, or None with an error on it."""
    if not field.data:
        field.errors.append(f"Enter the time {what}, like 09:00.")
        return None
    moment = clock_time(field.data)
    if moment is None:
        field.errors.append(f"Enter the time {what} as hours and minutes, like 09:00.")
        return None
    if moment.minute % TIME_STEP_MINUTES:
        field.errors.append(f"Enter the time {what} on the quarter hour (:00, :15, :30 or :45).")
        return None
    return moment


for _day in WEEKDAYS:
    setattr(SettingsForm, f"{_day.lower()}_open", BooleanField(f"Open on {_day}"))
    setattr(SettingsForm, f"{_day.lower()}_opens", StringField(f"{_day} opens", filters=[stripped]))
    setattr(SettingsForm, f"{_day.lower()}_closes", StringField(f"{_day} closes", filters=[stripped]))
