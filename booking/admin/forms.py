"""Forms of the admins' pages for therapists and services, and the fields and checks they share
(the clinic's settings form is in booking.admin.settings_form; a choice from a list, which the staff
pages check too, is in booking.forms.fields).

Every field keeps what was typed when the form is shown again with errors;
numbers, prices and times are read here, with a message that says what to type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, StopValidation

from booking.clinic.limits import (
    DESCRIPTION_LENGTH,
    EMAIL_LENGTH,
    NAME_LENGTH,
    SERVICE_CODE_LENGTH,
)
from booking.clinic.validators import email_address, stripped
from booking.forms import ClinicForm
from booking.forms.fields import MultiCheckboxField, listed_choice, listed_choices
from booking.routing import THERAPY_LABELS
from booking.scheduling.qualifications import QUALIFICATIONS

LARGEST_PRICE_CENTS = 10_000_000
THERAPY_CHOICES = [SelectChoice(kind, label.capitalize()) for kind, label in THERAPY_LABELS.items()]
QUALIFICATION_CHOICES = [SelectChoice(code, label) for code, label in QUALIFICATIONS.items()]


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


def readable_by(parse: Callable[[str], object]) -> Callable[[Form, Field], None]:
    """A WTForms validator: the field's text is one ``parse`` can read, else the ValueError's reason as the error."""

    def check(form: Form, field: Field) -> None:
        try:
            parse(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    return check


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
                        validators=[DataRequired("Enter the price, like 115.00."), readable_by(cents)])

