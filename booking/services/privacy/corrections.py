"""Correction requests (HIA s. 13, PIPA s. 25): recorded with what the patient asked and its deadline, then answered.

An admin answers a request by correcting (``booking.services.privacy.correcting``: the old value is kept in a
``Correction`` row and shown to staff as corrected, by whom and when) or by refusing: the reason and the patient's
statement of disagreement are kept with the request and shown with the person's record wherever it shows (the
patient's page, each visit's page). A request is the person's: any record joined into the one kept counts.
Everything here is an admin's (``booking.policy``); each change is audited, the audit naming ids, never what the
patient asked or what was written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from booking.clinic.clock import moment
from booking.clinic.limits import NOTE_LENGTH
from booking.clinic.settings import clinic_settings
from booking.clinic.times import clinic_zone
from booking.clinic.validators import plain_text
from booking.database import lock
from booking.extensions import db
from booking.models import Correction, CorrectionDecision, CorrectionRequest, Patient, StaffUser
from booking.policy import require_see_patients
from booking.privacy.requests import due_on, received_problem
from booking.services import audit

TEXT_LENGTH = NOTE_LENGTH  # what the patient asked, a refusal's reason, the statement, a corrected note


class CorrectionError(ValueError):
    """A request, correction or refusal that cannot be stored: why, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def person_ids(patient: Patient) -> list[int]:
    """The ids of the person's records: this one and every record joined into it (a join points them all here)."""
    joined = db.session.scalars(select(Patient.id).where(Patient.merged_into_id == patient.id).order_by(Patient.id))
    return [patient.id, *joined]


def text(typed: str | None, what: str, *, limit: int = TEXT_LENGTH, check: Callable[[str], str] = plain_text) -> str:
    """Typed text stripped; CorrectionError when it is empty, longer than ``limit`` or refused by ``check`` (by
    default: a character no text field stores)."""
    stripped = (typed or "").strip()
    if not stripped:
        raise CorrectionError(f"Write {what}.")
    if len(stripped) > limit:
        raise CorrectionError(f"Keep {what} to {limit} characters; this has {len(stripped)}.")
    try:
        return check(stripped)
    except ValueError as exc:
        raise CorrectionError(str(exc)) from exc


def record_request(patient: Patient, received_on: date, asked: str, by: StaffUser, *,
                   now: datetime | None = None) -> CorrectionRequest:
    """Record the person's request as received on ``received_on``, due ``request_days`` later; audited.

    Raises CorrectionError for a day in the future or over a year ago, or what was asked left empty, and Refused
    for anyone the policy does not let see patients.
    """
    require_see_patients(by)
    now = moment(now)
    today = now.astimezone(clinic_zone()).date()
    problem = received_problem(received_on, today)
    if problem:
        raise CorrectionError(problem)
    request = CorrectionRequest(patient_id=patient.id, received_on=received_on, asked=text(asked, "what the patient asked"),
                                due_on=due_on(received_on, clinic_settings().request_days),
                                recorded_by_id=by.id, recorded_at=now)
    db.session.add(request)
    db.session.flush()
    audit.record("recorded", "correction_request", request.id, f"for patient {patient.id}", actor=by, at=now)
    db.session.commit()
    return request


def request_of(patient: Patient, request_id: int, by: StaffUser) -> CorrectionRequest | None:
    """The person's request with this id, or None (another person's too); Refused for anyone the policy does not
    let see patients."""
    require_see_patients(by)
    request = db.session.get(CorrectionRequest, request_id)
    return request if request is not None and request.patient_id in person_ids(patient) else None


def decide(request: CorrectionRequest, decision: CorrectionDecision, by: StaffUser, now: datetime) -> None:
    """Lock the request and mark it decided (a correction made on a request already corrected adds to it); the
    caller commits. CorrectionError when it was refused meanwhile, or corrected and now refused."""
    lock(request)
    if request.decision == CorrectionDecision.REFUSED:
        raise CorrectionError("This request was refused: record a new request for any further correction.")
    if request.decision is not None and decision == CorrectionDecision.REFUSED:
        raise CorrectionError("This request was already answered with a correction: it cannot be refused now.")
    if request.decision is None:
        request.decision, request.decided_at, request.decided_by_id = decision, now, by.id


def refuse(request: CorrectionRequest, reason: str, statement: str, by: StaffUser, *,
           now: datetime | None = None) -> None:
    """Refuse the request: why, and the patient's statement of disagreement, kept with the record; audited.

    Raises CorrectionError for an empty reason or statement, or a request already answered, and Refused for anyone
    the policy does not let see patients.
    """
    require_see_patients(by)
    now = moment(now)
    reason, statement = text(reason, "why the record is not corrected"), text(statement, "the patient's statement")
    try:
        decide(request, CorrectionDecision.REFUSED, by, now)
    except CorrectionError:
        db.session.rollback()
        raise
    request.reason, request.statement = reason, statement
    audit.record("refused", "correction_request", request.id, f"statement of patient {request.patient_id} attached",
                 actor=by, at=now)
    db.session.commit()


def open_requests(by: StaffUser) -> list[CorrectionRequest]:
    """Every request not answered yet, the soonest due first, with its patient; Refused for anyone the policy does
    not let see patients."""
    require_see_patients(by)
    return list(db.session.scalars(select(CorrectionRequest).options(joinedload(CorrectionRequest.patient))
                                   .where(CorrectionRequest.decision.is_(None))
                                   .order_by(CorrectionRequest.due_on, CorrectionRequest.id)))


@dataclass(frozen=True)
class Marks:
    """A person's requests (newest first) and corrections, as the pages showing their records mark them."""

    requests: list[CorrectionRequest]
    corrections: dict[tuple[str, str, str], list[Correction]] = field(default_factory=dict)

    @property
    def refusals(self) -> list[CorrectionRequest]:
        """The refused requests, each with the patient's statement: shown wherever the record shows."""
        return [request for request in self.requests if request.decision == CorrectionDecision.REFUSED]

    def of(self, subject_type: str, subject_id: object, field_name: str) -> list[Correction]:
        """The corrections of one field of one record, newest first."""
        return self.corrections.get((subject_type, str(subject_id), field_name), [])


def marks_of(patient_id: int) -> Marks:
    """The marks of the person whose current record has this id: one query, and one more when they made requests."""
    ids = select(Patient.id).where(or_(Patient.id == patient_id, Patient.merged_into_id == patient_id))
    requests = list(db.session.scalars(select(CorrectionRequest).options(joinedload(CorrectionRequest.decided_by))
                                       .where(CorrectionRequest.patient_id.in_(ids))
                                       .order_by(CorrectionRequest.received_on.desc(), CorrectionRequest.id.desc())))
    corrections: dict[tuple[str, str, str], list[Correction]] = defaultdict(list)
    made: Iterable[Correction] = [] if not requests else db.session.scalars(
        select(Correction).options(joinedload(Correction.corrected_by))
        .where(Correction.request_id.in_([request.id for request in requests]))
        .order_by(Correction.corrected_at.desc(), Correction.id.desc()))
    for correction in made:
        corrections[correction.subject_type, correction.subject_id, correction.field].append(correction)
    return Marks(requests, dict(corrections))


def _when(value: date | datetime | None) -> str | None:
    """A day or an instant in ISO 8601 (an instant in UTC), or None."""
    return None if value is None else value.isoformat()


def for_export(patient_ids: list[int]) -> list[dict[str, Any]]:
    """The correction requests of these patient records, oldest first, each with its corrections: plain JSON values.

    Each: ``id``, ``received_on``, ``asked``, ``due_on``, ``recorded_at``, ``decision`` ("corrected", "refused" or
    None while open), ``decided_at``, ``decided_by`` (an email or None), ``reason`` and ``statement`` (a refusal's),
    and ``corrections``: each ``record`` ("patient", "note", "outcome"), ``record_id``, ``field``, ``old_value``,
    ``new_value``, ``corrected_at``, ``corrected_by`` (an email). Days are YYYY-MM-DD, instants ISO 8601 in UTC.
    """
    requests = list(db.session.scalars(select(CorrectionRequest).options(joinedload(CorrectionRequest.decided_by))
                                       .where(CorrectionRequest.patient_id.in_(patient_ids))
                                       .order_by(CorrectionRequest.received_on, CorrectionRequest.id)))
    made: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for correction in db.session.scalars(select(Correction).options(joinedload(Correction.corrected_by))
                                         .where(Correction.request_id.in_([request.id for request in requests]))
                                         .order_by(Correction.corrected_at, Correction.id)):
        made[correction.request_id].append({
            "record": correction.subject_type, "record_id": correction.subject_id, "field": correction.field,
            "old_value": correction.old_value, "new_value": correction.new_value,
            "corrected_at": _when(correction.corrected_at), "corrected_by": correction.corrected_by.email})
    return [{"id": request.id, "received_on": _when(request.received_on), "asked": request.asked,
             "due_on": _when(request.due_on), "recorded_at": _when(request.recorded_at),
             "decision": request.decision, "decided_at": _when(request.decided_at),
             "decided_by": request.decided_by.email if request.decided_by else None,
             "reason": request.reason, "statement": request.statement, "corrections": made[request.id]}
            for request in requests]
