"""Checks of contact details shared by every form and the API."""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from wtforms import Field, Form, ValidationError

PHONE_REGION = "CA"


def normalise_email(value: str) -> str:
    """Return the email address in its normal form, lower-cased; raise ValueError with a reason."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"Enter a valid email address, like name@example.com ({exc}).") from exc
    return result.normalized.lower()


def normalise_phone(value: str) -> str:
    """Return a phone number in E.164 form (Canadian numbers need no +1); raise ValueError."""
    try:
        number = phonenumbers.parse(value.strip(), PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("Enter a phone number, like 403-555-0142.") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("That phone number does not look right. Enter it like 403-555-0142.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _form_check(normalise: Callable[[str], str]) -> Callable[[Form, Field], None]:
    """A WTForms validator from a normaliser: the field keeps what was typed, errors explain."""

    def check(form: Form, field: Field) -> None:
        if field.data:
            try:
                normalise(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc

    return check


email_address = _form_check(normalise_email)
phone_number = _form_check(normalise_phone)
