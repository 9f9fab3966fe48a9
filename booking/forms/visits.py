"""Forms of booking and changing a visit, the patients' and the admins' (a caller's details build on
``DetailsForm``): choosing a service, a day, the details; cancelling; moving."""

from __future__ import annotations

from datetime import UTC, datetime

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    Form,
    HiddenField,
    RadioField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from booking.clinic.clock import moment
from booking.clinic.limits import CANCELLATION_REASON_LENGTH, EMAIL_LENGTH, KEY_LENGTH, NAME_LENGTH, PHONE_LENGTH
from booking.clinic.settings import clinic_settings
from booking.clinic.times import clinic_zone
from booking.clinic.validators import email_address, parse_instant, phone_number
from booking.forms import ClinicForm, QueryForm
from booking.forms.fields import DayField
from booking.models import Patient
from booking.privacy.retention import is_minor
from booking.services.visits import InvalidBooking, PatientDetails

FIRST_AVAILABLE = "any"
CANCEL_THIS, CANCEL_BOTH = "this", "both"
START_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_start(moment: datetime) -> str:
    """Write a start time for a form or a query string (UTC, no '+' to escape)."""
    return moment.astimezone(UTC).strftime(START_FORMAT)


def parse_start(value: str | None) -> datetime | None:
    """Read a start time written by ``format_start`` (any aware ISO 8601 time); None if unreadable."""
    return parse_instant(value.strip().replace(" ", "+")) if value else None


def start_time(form: Form, field: Field) -> None:
    """WTForms validator: a start time the booking flow wrote."""
    if parse_start(field.data) is None:
        raise ValidationError("Choose a time for your visit.")


class ServiceForm(QueryForm):
    """Step 1: which service."""

    service = RadioField("Service", validators=[DataRequired("Choose a service.")])


class DayForm(QueryForm):
    """Which day to show open times for."""

    date = DayField("Day", validators=[Optional()])


class MoveDayForm(DayForm):
    """An admin moving a visit: the therapist (by id; the visit's own by default) and the day to show."""

    therapist = RadioField("Therapist", validate_choice=False)


class BookingDayForm(DayForm):
    """Step 2: the service chosen, a therapist (or first available) and a day."""

    service = HiddenField()
    therapist = RadioField("Therapist", default=FIRST_AVAILABLE)


def phone_field(missing: str) -> TelField:
    """The patient's phone number, required (``missing`` says why it is needed), checked as a number."""
    return TelField("Phone number", validators=[DataRequired(missing), Length(max=PHONE_LENGTH), phone_number])


def under_18_field(*, required: bool) -> RadioField:
    """"Is the patient under 18?": required where patients book themselves; optional for staff booking a caller,
    who may not know (an admin can set the birth date later on the patient's page)."""
    answer = [InputRequired("Say whether the patient is under 18."), AnyOf(["no", "yes"], "Choose Yes or No.")] \
        if required else [Optional(), AnyOf(["no", "yes"], "Choose Yes or No.")]
    return RadioField("Is the patient under 18?", choices=[SelectChoice("no", "No"), SelectChoice("yes", "Yes")],
                      validate_choice=False, validators=answer)


class DetailsForm(ClinicForm):
    """Steps 3 and 4: the visit chosen (carried in hidden fields), then who you are."""

    service = HiddenField(validators=[DataRequired("Choose a service.")])
    therapist = HiddenField(default=FIRST_AVAILABLE)
    # Hidden while the chosen time stands; radio buttons when it was taken meanwhile.
    starts_at = RadioField("Time", validate_choice=False,
                           validators=[DataRequired("Choose a time for your visit."), start_time])
    idempotency_key = HiddenField(validators=[Length(max=KEY_LENGTH)])
    name = StringField("Full name", validators=[DataRequired("Enter your full name."), Length(max=NAME_LENGTH)])
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address, so we can send your confirmation."),
        Length(max=EMAIL_LENGTH), email_address])
    phone = phone_field("Enter a phone number, so we can reach you if your visit has to move.")
    # Asked for retention only: a patient under 18 is kept until years after their 18th birthday. Required
    # online: a patient who leaves it blank could be a minor, and their records could never be destroyed.
    under_18 = under_18_field(required=True)
    birth_date = DayField("If under 18, the patient's birth date", validators=[Optional()])
    consent = BooleanField("I have read the privacy notice and agree that the clinic keeps these "
                           "details and my screening answers to arrange my care.",
                           validators=[DataRequired("Tick the box to agree to the privacy notice, "
                                                    "or call us to book by phone.")])


class CancelForm(ClinicForm):
    """Cancelling a visit, with an optional reason; for a back-to-back pair, this visit only or both."""

    reason = TextAreaField("Reason (optional)", validators=[
        Optional(),
        Length(max=CANCELLATION_REASON_LENGTH, message=f"Write at most {CANCELLATION_REASON_LENGTH} characters.")])
    scope = RadioField("Which visits to cancel", default=CANCEL_THIS,
                       choices=[SelectChoice(CANCEL_THIS, "Cancel only this visit"),
                                SelectChoice(CANCEL_BOTH, "Cancel both visits")],
                       invalid_choice_message="Choose whether to cancel only this visit or both visits.")


class RescheduleForm(ClinicForm):
    """Moving a visit to the start time chosen (radio buttons after a clash)."""

    starts_at = RadioField("New time", validate_choice=False,
                           validators=[DataRequired("Choose a new time."), start_time])


class StaffRescheduleForm(RescheduleForm):
    """An admin's move: the new time, and the therapist (by id) the visit goes to."""

    therapist = HiddenField()


def known_details(patient: Patient) -> dict[str, object]:
    """The details form's values for a known record: its contact details, and its age as far as it is known."""
    today = moment().astimezone(clinic_zone()).date()
    born = patient.birth_date
    under_18 = None if born is None and patient.adult_on is None else \
        "yes" if born is not None and is_minor(born, today) else "no"
    return {"name": patient.name, "email": patient.email, "phone": patient.phone, "under_18": under_18,
            "birth_date": born if under_18 == "yes" else None}


def patient_details(form: DetailsForm) -> PatientDetails:
    """Who the validated form says is booking: name, email, phone, and whether under 18 with the birth date."""
    return PatientDetails(name=(form.name.data or "").strip(), email=(form.email.data or "").strip(),
                          phone=(form.phone.data or "").strip(),
                          under_18={"yes": True, "no": False}.get(form.under_18.data or ""),
                          birth_date=form.birth_date.data)


# Where the booking service's field errors go on the details form.
PATIENT_FIELDS = {"patient.name": "name", "patient.email": "email", "patient.phone": "phone",
                  "patient.birth_date": "birth_date", "starts_at": "starts_at"}


def show_booking_errors(form: DetailsForm, error: InvalidBooking) -> str | None:
    """Put the service's field errors next to the fields; return what fits no field."""
    rest = []
    for key, message in error.errors.items():
        name = PATIENT_FIELDS.get(key)
        if key == "idempotency_key":  # the form sent before, then changed: the page's words, not the API's
            rest.append("This form was sent once already, and the booking it made stands, with the details "
                        "given then: its confirmation is in your email. To book another visit, start again; "
                        f"to correct a detail, call us at {clinic_settings().phone}.")
        elif name:
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        else:
            rest.append(message)
    return " ".join(rest) or (None if error.errors else error.message)
