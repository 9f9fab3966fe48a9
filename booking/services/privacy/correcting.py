"""Correcting what a correction request asked: the person's contact details, a visit note's text, an outcome's
function note.

Each value changed keeps its old value in a ``Correction`` row (by whom, when), which every page showing the field
shows to staff ("corrected by X on D, was: ..."); the record itself holds the new value. The request is marked
corrected by its first correction and may take more. Audited with the fields' names, never their values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from booking.clinic.clock import moment
from booking.clinic.limits import EMAIL_LENGTH, FUNCTION_NOTE_LENGTH, NAME_LENGTH, PHONE_LENGTH
from booking.clinic.times import clinic_zone
from booking.clinic.validators import normalise_email, normalise_phone, one_line, plain_text
from booking.extensions import db
from booking.models import (
    Appointment,
    Correction,
    CorrectionDecision,
    CorrectionRequest,
    Patient,
    StaffUser,
    VisitNote,
    VisitOutcome,
)
from booking.policy import require_see_patients
from booking.services import audit
from booking.services.privacy.corrections import TEXT_LENGTH, CorrectionError, decide, text

PATIENT, NOTE, OUTCOME = "patient", "note", "outcome"
FIELD_NAMES = {"name": "Name", "email": "Email", "phone": "Phone", "birth_date": "Birth date", "body": "Note",
               "function_note": "Function note"}


@dataclass(frozen=True)
class Details:
    """Contact details as the admin typed them (the birth date and email may be left empty)."""

    name: str
    email: str | None
    phone: str
    birth_date: date | None


def _checked(details: Details, today: date) -> Details:
    """The details as stored (email and phone in their normal form); CorrectionError says what is wrong."""
    name = text(details.name, "the patient's full name", limit=NAME_LENGTH, check=one_line)
    try:
        email = normalise_email(details.email) if details.email and details.email.strip() else None
        phone = normalise_phone(details.phone)
    except ValueError as exc:
        raise CorrectionError(str(exc)) from exc
    if details.birth_date is not None and details.birth_date >= today:
        raise CorrectionError("A birth date is before today: check the year.")
    return Details(name, email and text(email, "the email address", limit=EMAIL_LENGTH, check=one_line),
                   text(phone, "the phone number", limit=PHONE_LENGTH, check=one_line), details.birth_date)


def _as_text(details: Details) -> dict[str, str | None]:
    """Each detail as the text a Correction keeps."""
    return {"name": details.name, "email": details.email, "phone": details.phone,
            "birth_date": details.birth_date.isoformat() if details.birth_date else None}


def _correct(request: CorrectionRequest, by: StaffUser, now: datetime, subject: tuple[str, object],
             changes: dict[str, tuple[str | None, str | None]]) -> list[Correction]:
    """Mark the request corrected and keep each (old, new) value of the subject's fields; the caller commits.
    CorrectionError (all undone) when the request was refused meanwhile."""
    try:
        decide(request, CorrectionDecision.CORRECTED, by, now)
    except CorrectionError:
        db.session.rollback()
        raise
    made = [Correction(request_id=request.id, patient_id=request.patient_id, subject_type=subject[0],
                       subject_id=str(subject[1]), field=name, old_value=old, new_value=new, corrected_by_id=by.id,
                       corrected_at=now) for name, (old, new) in changes.items()]
    db.session.add_all(made)
    audit.record("corrected", subject[0], subject[1], f"{', '.join(changes)} on correction request {request.id}",
                 actor=by, at=now)
    return made


def correct_details(request: CorrectionRequest, patient: Patient, details: Details, by: StaffUser, *,
                    now: datetime | None = None) -> list[Correction]:
    """Correct the person's contact details (``patient``: their current record) to ``details``; one Correction per
    field changed.

    Raises CorrectionError for details that are not valid, none changed, or a request refused, and Refused for
    anyone the policy does not let see patients.
    """
    require_see_patients(by)
    now = moment(now)
    new = _checked(details, now.astimezone(clinic_zone()).date())
    old, typed = _as_text(Details(patient.name, patient.email, patient.phone, patient.birth_date)), _as_text(new)
    changes = {name: (old[name], value) for name, value in typed.items() if value != old[name]}
    if not changes:
        raise CorrectionError("Nothing was changed: the details typed are the ones held.")
    made = _correct(request, by, now, (PATIENT, patient.id), changes)
    patient.name, patient.email, patient.phone, patient.birth_date = new.name, new.email, new.phone, new.birth_date
    db.session.commit()
    return made


@dataclass(frozen=True)
class Text:
    """A text of the person's records an admin may correct: a visit note or an outcome's function note."""

    kind: str  # NOTE or OUTCOME: the Correction's subject type
    visit: Appointment
    label: str
    record: VisitNote | VisitOutcome
    field_name: str  # "body" or "function_note"

    @property
    def key(self) -> str:
        """The text's key in a form: "note:<id>" or "outcome:<id>"."""
        return f"{self.kind}:{self.record.id}"

    @property
    def value(self) -> str:
        """The text held now."""
        return str(getattr(self.record, self.field_name))


def texts_of(patient: Patient, by: StaffUser) -> list[Text]:
    """The notes and function notes of the person's visits, newest visit first; Refused for anyone the policy does
    not let see patients."""
    require_see_patients(by)
    visits = select(Appointment.id).where(Appointment.patient_id == patient.id)
    notes = db.session.execute(select(VisitNote, Appointment).join(Appointment, VisitNote.appointment_id == Appointment.id)
                               .where(VisitNote.appointment_id.in_(visits)))
    outcomes = db.session.execute(select(VisitOutcome, Appointment)
                                  .join(Appointment, VisitOutcome.appointment_id == Appointment.id)
                                  .where(VisitOutcome.appointment_id.in_(visits)))
    texts = [Text(NOTE, visit, f"{note.kind.capitalize()} note", note, "body") for note, visit in notes]
    texts += [Text(OUTCOME, visit, "Function note", outcome, "function_note")
              for outcome, visit in outcomes]
    return sorted(texts, key=lambda held: (held.visit.starts_at, held.key), reverse=True)


def correct_text(request: CorrectionRequest, patient: Patient, key: str, value: str, by: StaffUser, *,
                 now: datetime | None = None) -> Correction:
    """Correct one of the person's notes or function notes (``key`` from ``texts_of``) to ``value``.

    Raises CorrectionError for a text that is not the person's, a value empty, too long or unchanged, or a request
    refused, and Refused for anyone the policy does not let see patients.
    """
    chosen = next((held for held in texts_of(patient, by) if held.key == key), None)
    if chosen is None:
        raise CorrectionError("Choose one of this patient's notes or function notes.")
    one_line_only = isinstance(chosen.record, VisitOutcome)
    new = text(value, "the corrected text", limit=FUNCTION_NOTE_LENGTH if one_line_only else TEXT_LENGTH,
               check=one_line if one_line_only else plain_text)
    old = chosen.value
    if new == old:
        raise CorrectionError("Nothing was changed: the text typed is the one held.")
    (made,) = _correct(request, by, moment(now), (chosen.kind, chosen.record.id), {chosen.field_name: (old, new)})
    setattr(chosen.record, chosen.field_name, new)
    db.session.commit()
    return made
