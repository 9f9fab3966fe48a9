"""Who a booking belongs to: the details given, their checks, and the rule for matching patients.

An email address typed into a form proves nothing: anyone can type anyone's.
So nothing a patient types changes what is stored for another booking or
another person, and an email never joins a booking to someone's history:

- Every booking made by a patient creates its own patient record, holding the
  name, email and phone given with that booking, and never changed by a later
  booking, whatever its email. A booking of several visits at once (a pair, a
  course of care) is one booking: one record holds all its visits.
- Two records are the same person only on proof: a staff member who has spoken
  to the patient links them. Staff booking for a known record (a caller found
  by a search, a care plan's patient) book onto that record itself, with the
  details they confirmed with the patient; and an admin may join two records
  of one person (``booking.services.patient_records.join``). Until then a staff
  page may list other records with the same email or phone as "possibly the
  same person" (``look_alikes``), never as the patient's own history.
- A record holds the visits of several bookings once staff linked them, so the
  visits booked together are those of one record, one screening and one care
  plan (``booking.services.visits.course``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from booking.clinic.clock import moment
from booking.clinic.limits import NAME_LENGTH
from booking.clinic.times import clinic_zone
from booking.clinic.validators import normalise_email, normalise_phone
from booking.database import get_or_none, lock
from booking.extensions import db
from booking.models import Patient
from booking.privacy.retention import birth_date_problem, is_minor
from booking.services.visits.errors import InvalidBooking


@dataclass(frozen=True)
class PatientDetails:
    """Who is booking, as they typed it; ``email`` may be left out (None or "") only by staff booking a caller.

    ``under_18`` answers "Is the patient under 18?" (None: not answered); the birth date is asked only then,
    for the minors' retention rule (``booking.privacy.retention``).
    """

    name: str
    email: str | None
    phone: str
    under_18: bool | None = None
    birth_date: date | None = None


def _normalised(check: Callable[[str], str], value: str, field: str, errors: dict[str, str]) -> str:
    """``check(value)``, or the value as given with its complaint recorded under ``field``."""
    try:
        return check(value)
    except ValueError as exc:
        errors[field] = str(exc)
        return value


def _check_email(email: str | None, by_staff: bool, errors: dict[str, str]) -> str | None:
    """The email in its normal form; staff booking a caller may leave it out (None), a patient may not."""
    if by_staff and not (email or "").strip():
        return None
    return _normalised(normalise_email, email or "", "patient.email", errors)


def check_patient(details: PatientDetails, by_staff: bool, errors: dict[str, str]) -> PatientDetails:
    """The patient's details in their normal form; complaints go to ``errors``."""
    name = " ".join(details.name.split())
    if not name:
        errors["patient.name"] = "Enter your full name."
    elif len(name) > NAME_LENGTH:
        errors["patient.name"] = f"Enter a name of at most {NAME_LENGTH} characters."
    elif not name.isprintable():
        errors["patient.name"] = "Enter your name without control characters."
    _check_age(details, errors)
    return PatientDetails(name=name,
                          email=_check_email(details.email, by_staff, errors),
                          phone=_normalised(normalise_phone, details.phone, "patient.phone", errors),
                          under_18=details.under_18, birth_date=details.birth_date if details.under_18 else None)


def _today() -> date:
    """The clinic's local date now."""
    return moment().astimezone(clinic_zone()).date()


def _check_age(details: PatientDetails, errors: dict[str, str]) -> None:
    """A patient said to be under 18 gives a birth date in the past that makes them so; complaints to ``errors``."""
    if not details.under_18:
        return
    if details.birth_date is None:
        errors["patient.birth_date"] = ("Enter the patient's birth date: a patient under 18 has their records kept "
                                        "until years after their 18th birthday.")
        return
    problem = birth_date_problem(details.birth_date, _today())
    if problem is None and not is_minor(details.birth_date, _today()):
        problem = "That birth date makes the patient 18 or older: answer No to \"under 18\", or correct the date."
    if problem is not None:
        errors["patient.birth_date"] = problem


def current_record(patient_id: int) -> Patient | None:
    """The record with this id, or the one it was joined into; None when there is none."""
    record = get_or_none(Patient, patient_id)
    while record is not None and record.merged_into_id is not None:
        record = db.session.get(Patient, record.merged_into_id)
    return record


def patient_for_booking(details: PatientDetails, known_id: int | None = None) -> Patient:
    """The record a booking goes on: the known record staff chose (its details updated to those they
    confirmed), or else a new one with the details given with this booking (see the module docstring)."""
    if known_id is None:
        patient = Patient(name=details.name, email=details.email, phone=details.phone)
        _note_age(patient, details)
        db.session.add(patient)
        return patient
    known = current_record(known_id)
    if known is not None:
        lock(known)  # a join of this record waits for the booking, or the booking sees it joined
        known = current_record(known.id)
    if known is None:
        raise InvalidBooking({"patient_id": "That patient record no longer exists. Book them as a new patient."})
    known.name, known.email, known.phone = details.name, details.email, details.phone
    _note_age(known, details)
    return known


def _note_age(patient: Patient, details: PatientDetails) -> None:
    """Keep what the booking said of the patient's age: the birth date given, or the day they were 18 or older."""
    if details.birth_date is not None:
        patient.birth_date = details.birth_date
    elif details.under_18 is False and patient.adult_on is None:
        patient.adult_on = _today()


def look_alikes(patient: Patient) -> list[Patient]:
    """Other current records with the same email or phone: possibly the same person, unverified."""
    same = [Patient.phone == patient.phone]
    if patient.email:
        same.append(Patient.email == patient.email)
    return list(db.session.scalars(select(Patient).where(
        or_(*same), Patient.id != patient.id, Patient.merged_into_id.is_(None)).order_by(Patient.id)))
