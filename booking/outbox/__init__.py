"""The notification rows each change writes, in the change's own transaction (never committed here).

Each row has a unique key naming what it is for, so that a notification can
exist only once: ``appointment:<id>:v<sequence>:<kind>[:<offset>]`` for a
visit (the sequence rises with each change, so every version of a visit has
its own notices), ``course:<first visit's id>:<kind>`` for the one patient
notice of a booking of several visits (or of several visits cancelled together), ``contact:<id>``, ``manage-links:<random>``,
``care-plan:<id>:<event>:<occurrence>:<therapist id>``, ``password-reset:<random>``, and
``waitlist-joined:<entry id>`` and ``waitlist-offer:<offer id>`` for a place on the waitlist and a time offered.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update

from booking.clinic.settings import clinic_settings
from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.models import (
    Appointment,
    CarePlanEvent,
    ContactMessage,
    Notification,
    NotificationKind,
    NotificationStatus,
    WaitlistEntry,
    WaitlistOffer,
)
from booking.questionnaires.timing import is_asked, questionnaire_due
from booking.scheduling.reminders import reminders_to_send

# The notice of each change of a visit: to its patient, and to its therapist.
PATIENT_NOTICE = {"booked": NotificationKind.CONFIRMATION, "rescheduled": NotificationKind.RESCHEDULED,
                  "cancelled": NotificationKind.CANCELLED}
THERAPIST_NOTICE = {"booked": NotificationKind.THERAPIST_BOOKED, "rescheduled": NotificationKind.THERAPIST_RESCHEDULED,
                    "cancelled": NotificationKind.THERAPIST_CANCELLED}
# A course's one patient notice, of every visit booked with it: a care plan's schedule, or else a confirmation;
# and the one notice of several visits cancelled together (a pair's "Cancel both visits").
COURSE_NOTICES = (NotificationKind.PLAN_SCHEDULE, NotificationKind.COURSE_CONFIRMATION,
                  NotificationKind.COURSE_CANCELLED)


def _add(kind: NotificationKind, key: str, due_at: datetime, now: datetime, **fields: object) -> Notification:
    """Add one notification row to the session; one due at once is stamped as handed over (see relay).

    Every row names its version (0 when it is about no visit's version): the ORM sends rows that
    give the same columns in one INSERT, so a change's notices then cost one statement, not one each.
    """
    handed_over = now if due_at <= now else None
    fields.setdefault("version", 0)
    notification = Notification(kind=kind, key=key, due_at=due_at, status=NotificationStatus.PENDING,
                                relayed_at=handed_over, **fields)
    db.session.add(notification)
    return notification


def for_visit_change(appointment: Appointment, change: str, *, now: datetime,
                     previous_therapist_id: int | None = None, tell_patient: bool = True) -> list[Notification]:
    """The notices a visit's change owes: to the patient, to the therapist(s), and its reminders.

    ``change`` is "booked", "rescheduled" or "cancelled"; a visit moved to another therapist is
    a new booking for the new one and a cancellation for the previous one. Notices of earlier
    versions of the visit that are still waiting are skipped: the new ones say
    what is true now (a rescheduled visit's reminders follow the new time only); a course's
    notice is not (it lists the course's visits as they are when it is sent). Without
    ``tell_patient`` the patient's notice is left to the course's. A care plan's visit being
    booked tells no therapist: the plan's own "plan_created" notice does. A patient without
    an email address (a caller booked by phone) is owed no notice and no reminder.
    """
    version = appointment.sequence
    if version:  # a new visit (version 0) has no earlier notices
        db.session.execute(update(Notification)
                           .where(Notification.appointment_id == appointment.id, Notification.version < version,
                                  Notification.status == NotificationStatus.PENDING,
                                  Notification.kind.not_in(COURSE_NOTICES))
                           .values(status=NotificationStatus.SKIPPED, last_error="superseded by a later change"))
    prefix = f"appointment:{appointment.id}:v{version}"
    visit = {"appointment_id": appointment.id, "version": version}
    handed_over = previous_therapist_id not in (None, appointment.therapist_id)
    therapist_kind = NotificationKind.THERAPIST_BOOKED if handed_over else THERAPIST_NOTICE[change]
    rows: list[Notification] = []
    emailed = appointment.patient.email is not None
    if tell_patient and emailed:
        rows.append(_add(PATIENT_NOTICE[change], f"{prefix}:{PATIENT_NOTICE[change]}", now, now, **visit))
    if change != "booked" or appointment.care_plan_id is None:
        rows.append(_add(therapist_kind, f"{prefix}:{therapist_kind}", now, now,
                         therapist_id=appointment.therapist_id, **visit))
    if handed_over:
        left = NotificationKind.THERAPIST_CANCELLED  # the previous therapist's notice
        rows.append(_add(left, f"{prefix}:{left}", now, now, therapist_id=previous_therapist_id, **visit))
    if change != "cancelled":
        rows += before_visit(appointment, now=now)
    return rows


def reminders(appointment: Appointment, *, now: datetime) -> list[Notification]:
    """The reminders of the visit's current version still to come at ``now``; none without an email address.

    A visit booked for a caller without email is owed them once its record has one
    (two records joined, see ``booking.services.patient_records.join``).
    """
    if appointment.patient.email is None:
        return []
    visit = {"appointment_id": appointment.id, "version": appointment.sequence}
    prefix = f"appointment:{appointment.id}:v{appointment.sequence}"
    offsets = clinic_settings().reminder_offsets_minutes
    return [_add(NotificationKind.REMINDER, f"{prefix}:{NotificationKind.REMINDER}:{offset}", due_at, now,
                 offset_minutes=offset, **visit)
            for offset, due_at in reminders_to_send(appointment.starts_at, offsets, clinic_zone(), now)]


def questionnaire(appointment: Appointment, *, now: datetime) -> list[Notification]:
    """The email of the questions before the visit's current version, if it has them (``booking.questionnaires``).

    Due at the clinic's time on the day before (at once when that has passed); none once the visit has
    begun, or without an email address. Its key names the version: a moved visit's is due anew.
    """
    service = appointment.service
    if appointment.patient.email is None or not is_asked(appointment.care_plan_id, service.therapy_type,
                                                         service.name):
        return []
    due_at = questionnaire_due(appointment.starts_at, clinic_settings().questionnaire_time, clinic_zone(), now)
    if due_at is None:
        return []
    kind = NotificationKind.QUESTIONNAIRE
    return [_add(kind, f"appointment:{appointment.id}:v{appointment.sequence}:{kind}", due_at, now,
                 appointment_id=appointment.id, version=appointment.sequence)]


def before_visit(appointment: Appointment, *, now: datetime) -> list[Notification]:
    """What the visit's current version owes its patient before it: its reminders and its questions."""
    return reminders(appointment, now=now) + questionnaire(appointment, now=now)


def for_booking(appointments: Sequence[Appointment], *, now: datetime) -> list[Notification]:
    """The notices a new booking owes: one visit's, or a course's (several visits, or a care plan's).

    A course owes its patient one notice of all its visits instead of one per visit:
    "plan_schedule" for a care plan's, else "course_confirmation", about its first visit
    (its patient record holds the others); each visit keeps its reminders and its therapist's notice.
    """
    plan_id = next((visit.care_plan_id for visit in appointments if visit.care_plan_id is not None), None)
    if len(appointments) == 1 and plan_id is None:
        return for_visit_change(appointments[0], "booked", now=now)
    first = min(appointments, key=lambda visit: visit.starts_at)
    kind = NotificationKind.PLAN_SCHEDULE if plan_id is not None else NotificationKind.COURSE_CONFIRMATION
    rows = [row for visit in appointments for row in for_visit_change(visit, "booked", now=now, tell_patient=False)]
    if first.patient.email is None:
        return rows
    return [_add(kind, f"course:{first.id}:{kind}", now, now, appointment_id=first.id, care_plan_id=plan_id), *rows]


def for_change(appointments: Sequence[Appointment], change: str, *, now: datetime,
               previous_therapist_id: int | None = None) -> list[Notification]:
    """The notices one booking change of these visits owes (see ``for_booking`` and ``for_visit_change``).

    Several visits cancelled together owe their patient one "course_cancelled" notice, about
    the first of them, instead of one each; each therapist still hears of their own visit.
    Nothing is flushed meanwhile (the UPDATE that skips a visit's earlier notices touches no
    row written here), so the change's commit writes all its rows in one INSERT.
    """
    with db.session.no_autoflush:
        if change == "booked":
            return for_booking(appointments, now=now)
        together = change == "cancelled" and len(appointments) > 1
        rows = [row for visit in appointments
                for row in for_visit_change(visit, change, now=now, previous_therapist_id=previous_therapist_id,
                                            tell_patient=not together)]
        if together and appointments[0].patient.email is not None:
            first = min(appointments, key=lambda visit: visit.starts_at)
            kind = NotificationKind.COURSE_CANCELLED
            rows.insert(0, _add(kind, f"course:{first.id}:{kind}", now, now,
                                appointment_id=first.id, version=first.sequence))
        return rows


def for_contact_message(message: ContactMessage, *, now: datetime) -> Notification:
    """The clinic's copy of a contact-form message."""
    return _add(NotificationKind.CONTACT_MESSAGE, f"contact:{message.id}", now, now, contact_message_id=message.id)


def for_manage_links(email: str, *, now: datetime) -> Notification:
    """The "Manage my booking" email: the links of that address's upcoming visits, sent only to it."""
    return _add(NotificationKind.MANAGE_LINKS, f"manage-links:{uuid.uuid4()}", now, now, recipient=email)


def for_care_plan(care_plan_id: int, event: CarePlanEvent, occurrence: str, therapist_ids: list[int], *,
                  now: datetime) -> list[Notification]:
    """A collaborative-care notice to each therapist of a shared plan (no health details: the plan says them)."""
    event = CarePlanEvent(event)  # a ValueError for an event no notice tells of
    return [_add(NotificationKind.CARE_PLAN, care_plan_key(care_plan_id, event, occurrence, therapist_id),
                 now, now, care_plan_id=care_plan_id, event=event, therapist_id=therapist_id)
            for therapist_id in therapist_ids]


def care_plan_key(care_plan_id: int, event: CarePlanEvent, occurrence: str, therapist_id: int) -> str:
    """The unique key of one therapist's collaborative-care notice of one occurrence of an event on a plan."""
    return f"care-plan:{care_plan_id}:{event}:{occurrence}:{therapist_id}"


def for_password_reset_request(email: str, *, now: datetime) -> Notification:
    """A password reset link asked for this address; whether one is owed is decided when it is sent."""
    return _add(NotificationKind.PASSWORD_RESET, f"password-reset:{uuid.uuid4()}", now, now, recipient=email)


def for_waitlist_joined(entry: WaitlistEntry, *, now: datetime) -> Notification:
    """The email of a new place on the waitlist, with its link to see or leave it (the entry must be flushed)."""
    return _add(NotificationKind.WAITLIST_JOINED, f"waitlist-joined:{entry.id}", now, now, waitlist_entry_id=entry.id)


def for_waitlist_offer(offer: WaitlistOffer, *, now: datetime) -> Notification:
    """The email offering a freed time to a place on the waitlist, with its claim link; not owed once the offer is
    no longer open when it is sent (``drafts``)."""
    return _add(NotificationKind.WAITLIST_OFFER, f"waitlist-offer:{offer.id}", now, now, waitlist_offer_id=offer.id)
