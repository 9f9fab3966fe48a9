"""Checks of what people type, shared by every form, the API and the services (limits: booking.clinic.limits)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from wtforms import Field, Form, ValidationError

PHONE_REGION = "CA"


def parse_uuid(value: object) -> uuid.UUID | None:
    """A UUID from text (or a UUID), or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _email_problem(value: str) -> str:
    """What is wrong with an address the email library refused, in plain words (not the library's)."""
    local, at, domain = value.partition("@")
    if not at:
        return "An email address needs an @, like name@example.com."
    if "@" in domain:
        return "An email address has only one @, like name@example.com."
    if not local:
        return "Enter the part before the @, like name@example.com."
    if not domain:
        return "Enter the part after the @, like name@example.com."
    if any(char.isspace() for char in value):
        return "An email address has no spaces. Enter it like name@example.com."
    if "." not in domain:
        return "Enter the whole part after the @, with its dot, like example.com."
    return "Check the email address: enter it like name@example.com."


def normalise_email(value: str) -> str:
    """Return the email address in its normal form, lower-cased; raise ValueError with a plain reason."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(_email_problem(value.strip())) from exc
    return result.normalized.lower()


def normalise_phone(value: str) -> str:
    """Return a phone number in E.164 form (Canadian numbers need no +1); raise ValueError."""
    try:
        number = phonenumbers.parse(value.strip(), PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("Enter a phone number, like 403-555-0142.") from exc
    if not phonenumbers.is_valid_number(number):
        digits = sum(char.isdigit() for char in value)
        if digits < 10:
            raise ValueError("That phone number is too short: enter all 10 digits with the area code, "
                             "like 403-555-0142.")
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


# C0 control characters but tab, newline and carriage return; DEL; halves of surrogate pairs.
# No one types them, PostgreSQL cannot store NUL at all, and a lone surrogate cannot be encoded.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
UNSTORABLE_MESSAGE = ("This text holds an invisible control character (such as NUL). "
                      "Please type it again without it.")


# One line of text holds no line break (CR, LF) and no other C0 control character but tab: in a
# name, a phone number or a title, a line break would break every email header it goes into.
NOT_ONE_LINE = re.compile(r"[\x00-\x08\x0a-\x1f]")
ONE_LINE_MESSAGE = "Enter this on one line, without line breaks or other control characters."


def plain_text(value: str) -> str:
    """Return the text unchanged; raise ValueError when it holds a character no text field stores."""
    if UNSTORABLE.search(value):
        raise ValueError(UNSTORABLE_MESSAGE)
    return value


def one_line(value: str) -> str:
    """Return single-line text unchanged; raise ValueError when it holds a line break or a control character."""
    plain_text(value)
    if NOT_ONE_LINE.search(value):
        raise ValueError(ONE_LINE_MESSAGE)
    return value


def stripped(text: str | None) -> str | None:
    """WTForms filter: typed text without the spaces around it (only spaces counts as empty)."""
    return text.strip() if text else text


def _text_filter(check: Callable[[str], str]) -> Callable[[object], object]:
    """A WTForms filter from a text check: text (or a list of texts) passing ``check`` passes unchanged."""

    def text_filter(data: object) -> object:
        for value in data if isinstance(data, list) else [data]:
            if isinstance(value, str):
                check(value)
        return data

    return text_filter


# Every form field gets one of these (booking.forms): a text area keeps its line breaks, any other field has none.
plain_text_filter = _text_filter(plain_text)
one_line_filter = _text_filter(one_line)


# Instants within a year of the ends of the calendar cannot be shown in every time zone or moved
# by a few days (OverflowError); parse_instant refuses them, no visit is ever near them.
INSTANT_RANGE = (datetime.min.replace(tzinfo=UTC) + timedelta(days=366),
                 datetime.max.replace(tzinfo=UTC) - timedelta(days=366))


def parse_instant(value: object) -> datetime | None:
    """An ISO 8601 date and time with its UTC offset, in UTC; None when it is not one.

    None too for a moment near the ends of the calendar, such as
    0001-01-01T00:00:00+14:00 (before year 1 in UTC) or 9999-12-31T23:59:59-14:00.
    """
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        moment = parsed.astimezone(UTC) if parsed.utcoffset() is not None else None
    except (ValueError, OverflowError):
        return None
    return moment if moment and INSTANT_RANGE[0] <= moment <= INSTANT_RANGE[1] else None
