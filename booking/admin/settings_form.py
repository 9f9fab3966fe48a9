"""The clinic's settings form: name, contact details, opening hours per weekday, booking rules, how the
waitlist offers freed times, instructions, and how long records are kept.

Every field keeps what was typed when the form is shown again with errors; times
and reminders are read here, with a message that says what to type.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Any

from wtforms import BooleanField, Field, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Length

from booking.admin.forms import WholeNumberField, readable_by, whole_number
from booking.clinic.limits import ADDRESS_LENGTH, DESCRIPTION_LENGTH, NAME_LENGTH, PHONE_LENGTH
from booking.clinic.settings import WEEKDAYS
from booking.clinic.validators import phone_number, stripped
from booking.forms import ClinicForm
from booking.models import ClinicSettings
from booking.services.clinic_hours import PRIVACY_SETTINGS
from booking.waitlist import MINIMUM_CLAIM_WINDOW

MOST_REMINDERS = 5
TIME_STEP_MINUTES = 15
MOST_SESSIONS_BEFORE_A_FLAG = 50
MOST_WAITLIST_OFFERS_AT_ONCE = 10
LONGEST_CLAIM_MINUTES = 1440  # a day
SHORTEST_CLAIM_MINUTES = MINIMUM_CLAIM_WINDOW // timedelta(minutes=1)
# The privacy settings' bounds: the Health Information Act gives 30 days to answer a request; the College asks
# records be kept at least ten years.
MOST_REQUEST_DAYS = 30
FEWEST_RETENTION_YEARS, MOST_RETENTION_YEARS = 10, 50
MOST_KEPT_DAYS = 3650


def clock_time(text: str) -> time | None:
    """A time typed as HH:MM (what a time input sends), or None."""
    if not re.fullmatch(r"\d{1,2}:\d{2}", text.strip()):
        return None
    hours, minutes = (int(part) for part in text.strip().split(":"))
    return time(hours, minutes) if hours < 24 and minutes < 60 else None


def questionnaire_time(text: str) -> str:
    """The time of day typed for the questions' email, as stored ("18:00"); raise ValueError with a reason."""
    moment = clock_time(text)
    if moment is None:
        raise ValueError("Enter the time the questions are emailed the day before a visit, like 18:00.")
    return f"{moment:%H:%M}"


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
                                   validators=[readable_by(reminder_minutes)])
    questionnaire_time = StringField("Questions before a visit: emailed the day before at", filters=[stripped],
                                     render_kw={"type": "time"}, validators=[readable_by(questionnaire_time)])
    flag_after_sessions = WholeNumberField("Flag a plan without a meaningful change after (sessions)",
                                           "the sessions before a plan is flagged",
                                           validators=whole_number("the sessions before a plan is flagged", 1,
                                                                   MOST_SESSIONS_BEFORE_A_FLAG, "sessions"))
    waitlist_offers_at_once = WholeNumberField(
        "Offer a freed time to (waiting patients at once)", "how many waiting patients a freed time is offered to",
        validators=whole_number("how many waiting patients a freed time is offered to", 1,
                                MOST_WAITLIST_OFFERS_AT_ONCE, "patients"))
    waitlist_claim_minutes = WholeNumberField(
        "Hold an offer for (minutes)", "how long an offer is held",
        validators=whole_number("how long an offer is held", SHORTEST_CLAIM_MINUTES, LONGEST_CLAIM_MINUTES, "minutes"))
    request_days = WholeNumberField(
        "Answer an access or correction request within (days)", "the days to answer a request",
        validators=whole_number("the days to answer a request", 1, MOST_REQUEST_DAYS, "days"))
    retention_years = WholeNumberField(
        "Keep a patient's records after the last service for (years)", "the years records are kept",
        validators=whole_number("the years records are kept", FEWEST_RETENTION_YEARS, MOST_RETENTION_YEARS, "years"))
    unbooked_screening_days = WholeNumberField(
        "Keep a screening never booked for (days)", "the days a screening never booked is kept",
        validators=whole_number("the days a screening never booked is kept", 1, MOST_KEPT_DAYS, "days"))
    contact_message_days = WholeNumberField(
        "Keep a message sent through the home page for (days)", "the days a message is kept",
        validators=whole_number("the days a message is kept", 1, MOST_KEPT_DAYS, "days"))
    link_days_after_visit = WholeNumberField(
        "Manage and questionnaire links work after the visit for (days)", "the days links work after a visit",
        validators=whole_number("the days links work after a visit", 1, MOST_KEPT_DAYS, "days"))
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
            opening, closing = _check_time(opens, f"{day} opens"), _check_time(closes, f"{day} closes")
            if opening is None or closing is None:
                valid = False
            elif closing <= opening:
                closes.errors = [*closes.errors, f"{day} must close after it opens."]
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
                "visit_instructions": settings.visit_instructions, "questionnaire_time": settings.questionnaire_time,
                "flag_after_sessions": settings.flag_after_sessions,
                "waitlist_offers_at_once": settings.waitlist_offers_at_once,
                "waitlist_claim_minutes": settings.waitlist_claim_minutes,
                **{key: getattr(settings, key) for key in PRIVACY_SETTINGS}}
        for day, hours in zip(WEEKDAYS, settings.opening_hours, strict=True):
            key = day.lower()
            data[f"{key}_open"] = hours is not None
            data[f"{key}_opens"], data[f"{key}_closes"] = hours if hours is not None else ("", "")
        return data


def _check_time(field: Field, what: str) -> time | None:
    """The time in the field, or None with an error on it."""
    if not field.data:
        field.errors = [*field.errors, f"Enter the time {what}, like 09:00."]
        return None
    moment = clock_time(field.data)
    if moment is None:
        field.errors = [*field.errors, f"Enter the time {what} as hours and minutes, like 09:00."]
        return None
    if moment.minute % TIME_STEP_MINUTES:
        field.errors = [*field.errors, f"Enter the time {what} on the quarter hour (:00, :15, :30 or :45)."]
        return None
    return moment


for _day in WEEKDAYS:
    setattr(SettingsForm, f"{_day.lower()}_open", BooleanField(f"Open on {_day}"))
    setattr(SettingsForm, f"{_day.lower()}_opens", StringField(f"{_day} opens", filters=[stripped]))
    setattr(SettingsForm, f"{_day.lower()}_closes", StringField(f"{_day} closes", filters=[stripped]))
