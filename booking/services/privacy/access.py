"""Access requests (HIA s. 7, PIPA s. 24): recorded with the day they came in and how the person was identified,
due ``request_days`` later, listed on the today page until answered; answered by producing the export.

A request is the person's: one recorded on any record joined into the one kept counts. Answering marks the request
answered and produces the export; every export produced (the printable page, the JSON file) is audited "exported".
Everything here is an admin's (``booking.policy``); the audit names ids, never what the export holds.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from booking.clinic.clock import moment
from booking.clinic.settings import clinic_settings
from booking.clinic.times import clinic_zone
from booking.clinic.validators import plain_text
from booking.database import lock
from booking.extensions import db
from booking.models import AccessRequest, Patient, StaffUser
from booking.policy import require_see_patients
from booking.privacy.requests import due_on, received_problem
from booking.services import audit
from booking.services.privacy import export, person

IDENTIFIED_LENGTH = 200  # AccessRequest.identified_by


class AccessRequestError(ValueError):
    """A request that cannot be recorded: the field at fault ("received_on", "identified_by") and why, in plain
    words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def record_request(patient: Patient, received_on: date, identified_by: str, by: StaffUser, *,
                   now: datetime | None = None) -> AccessRequest:
    """Record the person's request received on ``received_on``, due ``request_days`` later; audited.

    Raises AccessRequestError for a day after today or over a year ago, or no word of how the person was
    identified, and Refused for anyone the policy does not let see patients.
    """
    require_see_patients(by)
    now = moment(now)
    today = now.astimezone(clinic_zone()).date()
    problem = received_problem(received_on, today)
    if problem:
        raise AccessRequestError("received_on", problem)
    request = AccessRequest(patient_id=patient.id, received_on=received_on, identified_by=_identified(identified_by),
                            due_on=due_on(received_on, clinic_settings().request_days),
                            recorded_by_id=by.id, recorded_at=now)
    db.session.add(request)
    db.session.flush()
    audit.record("recorded", "access_request", request.id, f"for patient {patient.id}", actor=by, at=now)
    db.session.commit()
    return request


def _identified(typed: str) -> str:
    """How the person was identified, stripped; AccessRequestError when empty, too long or not plain text."""
    stripped = (typed or "").strip()
    if not stripped:
        raise AccessRequestError("identified_by",
                                 "Say how the person was identified (for example: driver's licence seen at the desk).")
    if len(stripped) > IDENTIFIED_LENGTH:
        raise AccessRequestError("identified_by", f"Say how the person was identified in at most "
                                                  f"{IDENTIFIED_LENGTH} characters; this has {len(stripped)}.")
    try:
        return plain_text(stripped)
    except ValueError as exc:
        raise AccessRequestError("identified_by", str(exc)) from exc


def requests_of(patient: Patient, by: StaffUser) -> list[AccessRequest]:
    """The person's requests, on this record or any joined into it, the newest first, in one query; Refused for
    anyone the policy does not let see patients."""
    require_see_patients(by)
    kept = patient.merged_into_id or patient.id  # a join points every record joined at the one kept
    joined = select(Patient.id).where(Patient.merged_into_id == kept)
    return list(db.session.scalars(
        select(AccessRequest).where(or_(AccessRequest.patient_id == kept, AccessRequest.patient_id.in_(joined)))
        .order_by(AccessRequest.received_on.desc(), AccessRequest.id.desc())))


def request_of(patient: Patient, request_id: int, by: StaffUser) -> AccessRequest | None:
    """The person's request with this id (None: no such request, or another person's)."""
    return next((request for request in requests_of(patient, by) if request.id == request_id), None)


def open_requests(by: StaffUser) -> list[AccessRequest]:
    """Every request not answered yet, the soonest due first, with its patient; Refused for anyone the policy does
    not let see patients."""
    require_see_patients(by)
    return list(db.session.scalars(select(AccessRequest).options(joinedload(AccessRequest.patient))
                                   .where(AccessRequest.answered_at.is_(None))
                                   .order_by(AccessRequest.due_on, AccessRequest.id)))


def answer(request: AccessRequest, by: StaffUser, *, now: datetime | None = None) -> None:
    """Mark the request answered (once: a second answer changes nothing); audited. The export is produced by the
    page the admin is sent to (``export_for``)."""
    require_see_patients(by)
    now = moment(now)
    lock(request)
    if request.answered_at is None:
        request.answered_at, request.answered_by_id = now, by.id
        audit.record("answered", "access_request", request.id, f"for patient {request.patient_id}", actor=by, at=now)
    db.session.commit()


def export_for(request: AccessRequest, as_file: str, by: StaffUser, *,
               now: datetime | None = None) -> export.Document:
    """Everything held about the request's person (``export.document``), produced now; audited "exported" with the
    form it was produced in ("page" or "JSON file"). Refused for anyone the policy does not let see patients."""
    require_see_patients(by)
    now = moment(now)
    document = export.document(person.records_of(request.patient), now)
    audit.record("exported", "access_request", request.id,
                 f"records of patient {request.patient_id} as {as_file}", actor=by, at=now)
    db.session.commit()
    return document
