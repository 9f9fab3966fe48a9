"""The answer to an access request: everything held about a person, as one document of plain JSON values.

The same document is the JSON file the patient receives (its schema: ``docs/privacy/export.schema.json``) and what
the printable page shows. It is built from every record of the person (``person.records_of``), across the records
joined as them, and holds nothing of anyone else: the visits, their screenings (the answers in the questions' words,
the recommendation with its reasons), notes and handoff notes, outcomes, answered questions, care plans, emails
(their kinds and times, never their text: the clinic keeps none), waitlist places, requests, corrections, consents,
and who on the staff viewed or changed any of it (the audit log). Each record of care names the law it falls under
(``booking.privacy.law``). Days are YYYY-MM-DD; instants ISO 8601 in UTC.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from booking.clinic.settings import clinic_settings
from booking.extensions import db
from booking.measures.registry import MEASURES
from booking.models import Appointment, AuditEvent, Measurement, Notification, Screening
from booking.models.outbox import NOTIFICATION_KIND_LABELS, NotificationKind
from booking.privacy.law import Law, law_for, law_for_all
from booking.routing import PATHWAY_LABELS
from booking.services.privacy import corrections
from booking.services.privacy.person import Person
from booking.services.screenings import recommendation_of
from booking.services.visits.schedule import answers_in_words

FORMAT = "clinic-records-export/1"  # the schema's version: a change to the document's shape is a new number
Document = dict[str, Any]


def document(person: Person, produced_at: datetime) -> Document:
    """Everything held about the person, as the export's document."""
    visits = {visit.id: visit for visit in person.appointments}
    visit_law = {visit.id: law_for(visit.service.therapy_type) for visit in person.appointments}
    clinic = clinic_settings()
    return {
        "format": FORMAT,
        "produced_at": _when(produced_at),
        "clinic": {"name": clinic.name, "phone": clinic.phone, "address": clinic.address},
        "records": [{"id": patient.id, "name": patient.name, "email": patient.email, "phone": patient.phone,
                     "birth_date": _when(patient.birth_date), "created_at": _when(patient.created_at),
                     "joined_into": patient.merged_into_id, "joined_at": _when(patient.merged_at)}
                    for patient in person.patients],
        "visits": [{"id": str(visit.id), "starts_at": _when(visit.starts_at), "ends_at": _when(visit.ends_at),
                    "service": visit.service.name, "therapist": visit.therapist.name, "status": visit.status.label,
                    "checked_in_at": _when(visit.checked_in_at), "cancelled_at": _when(visit.cancelled_at),
                    "cancellation_reason": visit.cancellation_reason, "screening_id": str(visit.screening_id),
                    "care_plan_id": visit.care_plan_id, "law": _law(visit_law[visit.id])}
                   for visit in person.appointments],
        "screenings": [_screening(screening) for screening in person.screenings],
        "notes": [{"visit_id": str(note.appointment_id), "kind": "handoff" if note.kind == "handoff" else "session",
                   "written_at": _when(note.created_at), "author": note.author.email, "text": note.body,
                   "law": _law(visit_law[note.appointment_id])} for note in person.notes],
        "outcomes": [{"visit_id": str(outcome.appointment_id), "recorded_at": _when(outcome.recorded_at),
                      "pain": outcome.pain, "function": outcome.function_note,
                      "law": _law(visit_law[outcome.appointment_id])} for outcome in person.outcomes],
        "questionnaires": [_measurement(measurement, visit_law.get(measurement.questionnaire.appointment_id))
                           for measurement in person.measurements],
        "care_plans": [{"id": plan.id, "starts_on": _when(plan.starts_on), "status": plan.status.label,
                        "goals": plan.goals, "physiotherapist": plan.physiotherapist.name,
                        "massage_therapist": plan.massage_therapist.name, "physiotherapy_sessions": plan.physio_sessions,
                        "massage_sessions": plan.massage_sessions, "screening_id": str(plan.screening_id),
                        "law": _law(law_for_all(["physiotherapy", "massage"]))} for plan in person.care_plans],
        "care_plan_dismissals": [{"screening_id": str(dismissal.screening_id),
                                  "dismissed_at": _when(dismissal.dismissed_at), "reason": dismissal.reason}
                                 for dismissal in person.dismissals],
        "emails": [_email(notification, visits) for notification in person.notifications],
        "waitlist": [{"id": entry.id, "service": entry.service.name, "joined_at": _when(entry.joined_at),
                      "until": _when(entry.until), "status": entry.status, "ended_at": _when(entry.ended_at),
                      "law": _law(law_for_all([entry.service.therapy_type]
                                              + ([entry.pair_service.therapy_type] if entry.pair_service else []))),
                      "offers": [{"offered_at": _when(offer.offered_at), "status": offer.status,
                                  "answered_at": _when(offer.answered_at)}
                                 for offer in person.waitlist_offers if offer.entry_id == entry.id]}
                     for entry in person.waitlist_entries],
        "access_requests": [{"id": request.id, "received_on": _when(request.received_on),
                             "identified_by": request.identified_by, "due_on": _when(request.due_on),
                             "answered_at": _when(request.answered_at)} for request in person.access_requests],
        "correction_requests": corrections.for_export(person.patient_ids),
        "consents": [{"purpose": consent.purpose, "wording": consent.wording, "how": consent.how,
                      "given_at": _when(consent.given_at), "withdrawn_at": _when(consent.withdrawn_at)}
                     for consent in person.consents],
        "audit": _audit(person),
    }


def _when(value: date | datetime | None) -> str | None:
    """A day or an instant in ISO 8601 (instants are stored in UTC), or None."""
    return None if value is None else value.isoformat()


def _law(law: Law | None) -> dict[str, str] | None:
    """A law as the document names it."""
    return None if law is None else {"code": law.code, "name": law.name}


def _screening(screening: Screening) -> Document:
    """A screening: the answers in the questions' words, the recommendation in the patient's words with its
    reasons, and its law (a screening that allowed both therapies, or none, is under the HIA)."""
    recommendation = recommendation_of(screening)
    return {"id": str(screening.id), "created_at": _when(screening.created_at),
            "answers": [{"question": question, "answer": answer} for question, answer in answers_in_words(screening)],
            "recommendation": {"pathway": PATHWAY_LABELS.get(recommendation.pathway, recommendation.pathway),
                               "advice": recommendation.advice,
                               "reasons": [reason.text for reason in recommendation.reasons],
                               "cautions": [caution.text for caution in recommendation.cautions]},
            "law": _law(law_for_all(screening.therapy_types))}


def _measurement(measurement: Measurement, law: Law | None) -> Document:
    """A questionnaire's answers, each with its measure's name and question (a measure the clinic no longer has is
    named by its code), and the activities the patient rated."""
    answers = []
    for code, answer in measurement.answers.items():
        measure = MEASURES.get(code)
        answers.append({"measure": measure.name if measure else code, "question": measure.question if measure else None,
                        "answer": answer})
    return {"visit_id": str(measurement.questionnaire.appointment_id), "answered_at": _when(measurement.taken_at),
            "answered_in": "the clinic's waiting room" if measurement.answered_in == "waiting_room" else "at home",
            "activities": list(measurement.activities), "answers": answers, "law": _law(law)}


def _email(notification: Notification, visits: dict[uuid.UUID, Appointment]) -> Document:
    """An email about the person: its kind, to whom (the patient, or one of their therapists), when, where it
    stands; never its text."""
    kind = NotificationKind(notification.kind)
    visit = visits.get(notification.appointment_id) if notification.appointment_id else None
    return {"kind": NOTIFICATION_KIND_LABELS[kind], "to": "a therapist" if notification.therapist_id else "the patient",
            "at": _when(notification.sent_at or notification.due_at), "status": notification.status,
            "visit_id": str(visit.id) if visit else None}


def _subjects(person: Person) -> dict[str, list[str]]:
    """The audit log's names of the person's records, by subject type."""
    return {
        "patient": [str(patient_id) for patient_id in person.patient_ids],
        "appointment": [str(visit.id) for visit in person.appointments],
        "screening": [str(screening.id) for screening in person.screenings],
        "note": [str(note.id) for note in person.notes],
        "visit_outcome": [str(outcome.id) for outcome in person.outcomes],
        "questionnaire": [str(questionnaire.id) for questionnaire in person.questionnaires],
        "care_plan": [str(plan.id) for plan in person.care_plans],
        "waitlist_entry": [str(entry.id) for entry in person.waitlist_entries],
        "waitlist entry": [str(entry.id) for entry in person.waitlist_entries],
        "access_request": [str(request.id) for request in person.access_requests],
        "correction_request": [str(request.id) for request in person.correction_requests],
    }


def _audit(person: Person) -> list[Document]:
    """Who on the staff viewed or changed any of the person's records, oldest first (the log names ids, never
    health information)."""
    named = [and_(AuditEvent.subject_type == subject, AuditEvent.subject_id.in_(ids))
             for subject, ids in _subjects(person).items() if ids]
    events: Iterable[AuditEvent] = db.session.scalars(
        select(AuditEvent).options(selectinload(AuditEvent.actor)).where(or_(*named))
        .order_by(AuditEvent.at, AuditEvent.id))
    return [{"at": _when(event.at), "by": event.actor.email if event.actor else "the clinic's system",
             "action": event.action, "record": event.subject_type.replace("_", " "), "record_id": event.subject_id,
             "detail": event.detail} for event in events]
