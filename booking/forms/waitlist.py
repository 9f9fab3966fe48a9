"""Forms of the waitlist: joining it (the patient's; the desk's for a caller is ``booking.admin.phone``'s), and
leaving it."""

from __future__ import annotations

from typing import Any

from wtforms import EmailField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from booking.clinic.limits import EMAIL_LENGTH
from booking.clinic.validators import email_address
from booking.forms import ClinicForm
from booking.forms.fields import DayField, MultiCheckboxField, listed_choice, listed_choices
from booking.forms.visits import DetailsForm, phone_field
from booking.services.visits import InvalidBooking

ANYONE = "anyone"
DAY_CHOICES = [SelectChoice(str(number), name) for number, name in enumerate(
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))]
PART_CHOICES = [SelectChoice("morning", "Morning (before noon)"), SelectChoice("afternoon", "Afternoon (noon to 5 p.m.)"),
                SelectChoice("evening", "Evening (from 5 p.m.)")]
# The fields in the order the page shows them (``macros/waitlist.html``), which the error summary follows.
PAGE_ORDER = ("therapist", "days", "parts", "until", "name", "email", "phone", "under_18", "birth_date", "consent")


class JoinForm(DetailsForm):
    """A patient joining the waitlist: the service (and a pair's physiotherapy) chosen before, carried hidden;
    the therapist (anyone, or one who gives it), the days and parts of the day that suit, until when, and who
    they are (the details form's, without a time)."""

    # No time is chosen here, nor replayed: WTForms drops a field set to None.
    starts_at = None
    idempotency_key = None  # type: ignore[assignment]
    pair_service = HiddenField()
    therapist = SelectField("Therapist", default=ANYONE, choices=[SelectChoice(ANYONE, "Anyone")], validate_choice=False,
                            validators=[listed_choice("Choose a therapist from the list, or anyone.")])
    days = MultiCheckboxField("Days that suit you", choices=DAY_CHOICES, validate_choice=False, validators=[
        DataRequired("Choose at least one day of the week that suits you."),
        listed_choices("Choose days of the week from Monday to Sunday.")])
    parts = MultiCheckboxField("Parts of the day that suit you", choices=PART_CHOICES, validate_choice=False,
                               validators=[DataRequired("Choose at least one part of the day that suits you: "
                                                        "morning, afternoon or evening."),
                                           listed_choices("Choose parts of the day from morning, afternoon "
                                                          "and evening.")])
    until = DayField("Wait until", validators=[
        InputRequired("Enter the last day you can wait for a time, for example 2027-01-31.")])
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address, so we can send you a time when one opens."),
        Length(max=EMAIL_LENGTH), email_address])
    phone = phone_field("Enter a phone number, so we can reach you about your place on the waitlist.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """The form, its fields in the page's order: WTForms keeps the order they were declared in, which puts
        the details form's name, phone and consent before the days, and the error summary would list the
        problems out of the page's order."""
        super().__init__(*args, **kwargs)
        for name in PAGE_ORDER:
            self._fields[name] = self._fields.pop(name)

    def offer(self, therapists: list[tuple[int, str]]) -> JoinForm:
        """Offer these therapists (id, name) besides anyone."""
        self.therapist.choices = [SelectChoice(ANYONE, "Anyone")] + [SelectChoice(str(number), name)
                                                                     for number, name in therapists]
        return self

    @property
    def therapist_id(self) -> int | None:
        """The therapist chosen, or None for anyone."""
        value = self.therapist.data
        return int(value) if value and value != ANYONE and value.isdigit() else None


class LeaveForm(ClinicForm):
    """Leaving the waitlist: one button, after a page that asks to confirm."""


# Where the waitlist service's field errors go on the join form.
JOIN_FIELDS = {"patient.name": "name", "patient.email": "email", "patient.phone": "phone",
               "patient.birth_date": "birth_date", "therapist": "therapist",
               "days": "days", "parts": "parts", "until": "until"}


def show_join_errors(form: JoinForm, error: InvalidBooking) -> str | None:
    """Put the service's field errors next to the fields; return what fits no field (the service, the plan)."""
    rest = []
    for key, message in error.errors.items():
        name = JOIN_FIELDS.get(key)
        if name:
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        else:
            rest.append(message)
    return " ".join(rest) or None
