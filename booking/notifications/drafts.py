"""What each message says and to whom, made from the records as they are when it is sent.

One maker for each pair of what a kind of message is made from and whom it goes to (the
kind's entry in ``booking.notifications.kinds``); ``MAKERS`` maps the one to the other. A
maker raises ``NotOwed`` with the reason when the notification is no longer owed. A patient's draft names the
patient (whose consent a kind that is not transactional needs) and carries the email's "Stop reminders" link.
No screening answer or other health detail goes into a draft; therapists see initials only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr
from typing import Any

from flask import current_app
from sqlalchemy import select

from booking.clinic.links import absolute_url
from booking.clinic.times import local_time
from booking.extensions import db
from booking.models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    EntryStatus,
    Notification,
    OfferStatus,
    Patient,
    Therapist,
    WaitlistEntry,
    WaitlistOffer,
)
from booking.notifications.kinds import CARE_PLAN_NEWS, About, KindEntry, Recipient
from booking.routing import THERAPY_LABELS
from booking.services.privacy.reminders import stop_url
from booking.services.questionnaires import link_to_send
from booking.services.staff_accounts.password_resets import reset_to_send, reset_token
from booking.services.visits import can_change, manage_token
from booking.services.visits.course import booked_together
from booking.services.waitlist.links import entry_url, offer_url

# How a subject gives a visit's time, in the clinic's zone: "Wed 2 Dec at 10:00 a.m.".


class NotOwed(Exception):
    """The notification is no longer owed (the visit changed, was cancelled, or there is nobody to tell)."""


@dataclass(frozen=True)
class Draft:
    """A message before its templates are rendered: to whom, its subject (without the clinic's name), the
    templates' context, the visits its calendar file holds (each with its manage link), and whom a reply goes to;
    for a patient's message, the patient and the link that stops their reminders."""

    to: str
    subject: str
    context: dict[str, object]
    calendar: list[tuple[Appointment, str]] = field(default_factory=list)
    reply_to: str | None = None
    patient: Patient | None = None
    stop_reminders_url: str | None = None


def _visit(notification: Notification, entry: KindEntry, now: datetime) -> Appointment:
    """The visit a notice is about, as it is now; NotOwed when the notice no longer says what is true."""
    visit = notification.appointment
    if visit is None:
        raise NotOwed("the visit is gone")
    if visit.sequence != notification.version:
        raise NotOwed("superseded by a later change")
    if not entry.tells_cancellation and visit.status != AppointmentStatus.BOOKED:
        raise NotOwed("the visit is no longer booked")
    if entry.reminder and now >= visit.starts_at:
        raise NotOwed("the visit has begun")
    if entry.reminder and visit.patient.reminders_stopped_at is not None:
        raise NotOwed("the patient stopped reminders")
    if entry.reminder and _nearer_reminder_due(notification, now):
        raise NotOwed("a nearer reminder of the visit is due")
    return visit


def _nearer_reminder_due(reminder: Notification, now: datetime) -> bool:
    """Whether a reminder closer to the visit is due too (after an outage): the patient gets that one only."""
    return db.session.scalar(select(Notification.id).where(
        Notification.appointment_id == reminder.appointment_id, Notification.version == reminder.version,
        Notification.kind == reminder.kind, Notification.offset_minutes < (reminder.offset_minutes or 0),
        Notification.due_at <= now).limit(1)) is not None


def _manage_url(visit: Appointment) -> str:
    """The visit's manage link, under PUBLIC_BASE_URL."""
    return absolute_url("appointments.manage", token=manage_token(visit))


def _visit_subject(entry: KindEntry, visit: Appointment) -> str:
    """What the message is about and when: "Your visit is booked – Wed 2 Dec at 10:00 a.m."."""
    return f"{entry.subject} – {local_time(visit.starts_at, 'subject')}"


def _patient_visit(notification: Notification, entry: KindEntry, now: datetime) -> Draft:
    """A patient's notice of their visit, with its manage link (and its calendar file, where the kind has one)."""
    visit = _visit(notification, entry, now)
    manage_url = _manage_url(visit)
    return Draft(_patient_address(visit), _visit_subject(entry, visit),
                 {"visit": visit, "manage_url": manage_url, "changeable": can_change(visit, now=now)},
                 calendar=[(visit, manage_url)], **_to_patient(visit.patient, visit.id))


def _therapist_visit(notification: Notification, entry: KindEntry, now: datetime) -> Draft:
    """A therapist's notice of their visit, naming the patient by initials only."""
    visit = _visit(notification, entry, now)
    return Draft(_therapist_address(notification), _visit_subject(entry, visit),
                 {"visit": visit, "initials": visit.patient.initials})


def _course(notification: Notification, entry: KindEntry, now: datetime) -> Draft:
    """A course's one notice to its patient: its visits still booked (each with its manage link), in one calendar file.

    A care plan's schedule also says which therapies the course is of and with whom. NotOwed
    when none of the visits is booked any more. A notice of a cancellation lists instead the
    visits cancelled with its first one (in the same change: the same instant).
    """
    first = notification.appointment
    visits = [visit for visit in booked_together(first) if _listed(entry, first, visit)] if first else []
    if first is None or not visits:
        raise NotOwed("none of the course's visits is still booked")
    links = [(visit, _manage_url(visit)) for visit in visits]
    context: dict[str, object] = {"patient": first.patient, "visits": links,
                                  "changeable": {visit.id for visit in visits if can_change(visit, now=now)}}
    if entry.names_therapies:
        context["disciplines"] = _disciplines(visits)
    when = local_time(visits[0].starts_at, "subject")
    subject = f"{entry.subject} – {when if len(visits) == 1 else f'from {when}'}"
    return Draft(_patient_address(first), subject, context, calendar=links, **_to_patient(first.patient, first.id))


def _listed(entry: KindEntry, first: Appointment, visit: Appointment) -> bool:
    """Whether a course notice lists this visit of the course: booked, or cancelled with its first."""
    if entry.tells_cancellation:
        return visit.status == AppointmentStatus.CANCELLED and visit.cancelled_at == first.cancelled_at
    return visit.status == AppointmentStatus.BOOKED


def _disciplines(visits: list[Appointment]) -> list[tuple[str, str]]:
    """Each therapy of the visits (physiotherapy first) with its therapists' names: ("massage therapy", "Max Wu")."""
    return [(label, " and ".join(dict.fromkeys(visit.therapist.name for visit in of_kind)))
            for kind, label in THERAPY_LABELS.items()
            if (of_kind := [visit for visit in visits if visit.service.therapy_type == kind])]


def _questionnaire(notification: Notification, entry: KindEntry, now: datetime) -> Draft:
    """The link to the questions before a visit (no health words: the page asks them); NotOwed once the visit
    has begun or the questions were answered (in the waiting room, say)."""
    visit = _visit(notification, entry, now)
    if now >= visit.starts_at:
        raise NotOwed("the visit has begun")
    token = link_to_send(visit, now=now)
    if token is None:
        raise NotOwed("the questions were answered")
    return Draft(_patient_address(visit), _visit_subject(entry, visit),
                 {"visit": visit, "questionnaire_url": absolute_url("public.questionnaire", token=token)},
                 **_to_patient(visit.patient, visit.id))


def _upcoming_visits(notification: Notification, entry: KindEntry, now: datetime) -> Draft:
    """The manage links of the visits to come booked with the address that asked, sent to that address only; its
    "Stop reminders" link is the first visit's (its patient's reminders)."""
    email = notification.recipient or ""
    visits = list(db.session.scalars(
        select(Appointment).join(Patient)
        .where(Patient.email == email, Appointment.status == AppointmentStatus.BOOKED, Appointment.starts_at > now)
        .order_by(Appointment.starts_at)))
    if not visits:
        raise NotOwed("no upcoming visits for that address")
    return Draft(email, entry.subject, {"visits": [(visit, _manage_url(visit)) for visit in visits]},
                 **_to_patient(visits[0].patient, visits[0].id))


def _care_plan(notification: Notification, entry: KindEntry, now: datetime) -> Draft:
    """A collaborative-care notice: what happened, the colleague, the patient's initials, the plan's page.

    Its subject says what happened, on which plan ("A session was completed (care plan 4, A. M.)"),
    worded as news, not as a call to act: the therapist who did it is told too.
    """
    to = _therapist_address(notification)
    event = CARE_PLAN_NEWS[notification.event or ""]  # an event this code does not know fails the attempt
    plan = db.session.get(CarePlan, notification.care_plan_id)
    if plan is None:
        raise NotOwed("the care plan is gone")
    colleague = plan.massage_therapist if notification.therapist_id == plan.physiotherapist_id \
        else plan.physiotherapist
    patient = db.session.get(Patient, plan.patient_id) if plan.patient_id else None
    initials = patient.initials if patient else None
    about = f"care plan {plan.id}" + (f", {initials}" if initials else "")
    subject = f"{event[0].upper()}{event[1:]} ({about})"
    return Draft(to, subject, {"event": event, "plan": plan, "colleague": colleague, "initials": initials,
                               "plan_url": absolute_url("staff.care_plan", id=plan.id)})


def _contact_message(notification: Notification, entry: KindEntry, now: datetime) -> Draft:
    """The clinic's copy of a contact-form message; a reply goes to its writer (their name on one line)."""
    message = notification.contact_message
    reply_to = formataddr((" ".join(message.name.split()), message.email)) if message else None
    return Draft(current_app.config["CLINIC_EMAIL"], entry.subject, {"message": message}, reply_to=reply_to)


def _password_reset(notification: Notification, entry: KindEntry, now: datetime) -> Draft:
    """A staff member's reset link, if one is owed to the address."""
    reset = reset_to_send(notification, now=now)
    if reset is None:
        raise NotOwed("no reset owed: no active login has the address, its hourly limit is reached, "
                      "or the link was used or expired")
    return Draft(reset.user.email, entry.subject,
                 {"reset_url": absolute_url("staff.reset_password", token=reset_token(reset.id)),
                  "expires_at": reset.expires_at})


def _waitlist_entry(notification: Notification, entry: KindEntry, now: datetime) -> Draft:
    """A patient's place on the waitlist: the service, the therapist asked for, until when, and the link to see or
    leave it (no health words: the screening stays with the clinic). NotOwed once the place stopped waiting."""
    place = db.session.get(WaitlistEntry, notification.waitlist_entry_id)
    if place is None or place.status != EntryStatus.WAITING:
        raise NotOwed("the place on the waitlist is no longer waiting")
    return Draft(_address(place.patient), entry.subject,
                 {"place": place, "last_day": place.until - timedelta(microseconds=1), "entry_url": entry_url(place)},
                 **_to_patient(place.patient, place.link_id))


def _waitlist_offer(notification: Notification, entry: KindEntry, now: datetime) -> Draft:
    """A freed time offered to a place on the waitlist: when, the service, the therapist (a pair: both visits), the
    claim link and until when it is held. NotOwed once the offer is no longer open (claimed, taken, withdrawn) or
    its window has passed: an email never offers a time that cannot be claimed."""
    offer = db.session.get(WaitlistOffer, notification.waitlist_offer_id)
    if offer is None or offer.status != OfferStatus.OFFERED or now >= offer.expires_at:
        raise NotOwed("the offer is no longer open")
    opening, place = offer.opening, offer.entry
    massage_ends = opening.starts_at + offer.service.duration
    pair = None
    if place.pair_service is not None:
        pair = {"service": place.pair_service, "therapist": db.session.get(Therapist, offer.pair_therapist_id),
                "starts_at": massage_ends}
    return Draft(_address(place.patient), f"{entry.subject} – {local_time(opening.starts_at, 'subject')}",
                 {"offer": offer, "patient": place.patient, "starts_at": opening.starts_at, "service": offer.service,
                  "therapist": opening.therapist, "pair": pair, "claim_url": offer_url(offer)},
                 **_to_patient(place.patient, place.link_id))


def _to_patient(patient: Patient, record_id: uuid.UUID) -> dict[str, Any]:
    """A patient's draft's own fields: the patient, and the "Stop reminders" link of the record it is about (a
    visit's id, a place's ``link_id``)."""
    return {"patient": patient, "stop_reminders_url": stop_url(record_id)}


def _address(patient: Patient) -> str:
    """A patient's email; NotOwed when their record has none (a caller the desk put on the list)."""
    if not patient.email:
        raise NotOwed("the patient has no email address")
    return patient.email


def _patient_address(visit: Appointment) -> str:
    """The patient's email; NotOwed when their record has none (a caller booked by phone)."""
    return _address(visit.patient)


def _therapist_address(notification: Notification) -> str:
    """The therapist's email; NotOwed when they have none."""
    therapist = notification.therapist
    if therapist is None or not therapist.email:
        raise NotOwed("the therapist has no email address")
    return therapist.email


Maker = Callable[[Notification, KindEntry, datetime], Draft]

# The maker of each kind's draft, by what it is made from and whom it goes to.
MAKERS: dict[tuple[About, Recipient], Maker] = {
    (About.VISIT, Recipient.PATIENT): _patient_visit,
    (About.VISIT, Recipient.THERAPIST): _therapist_visit,
    (About.COURSE, Recipient.PATIENT): _course,
    (About.UPCOMING_VISITS, Recipient.ADDRESS): _upcoming_visits,
    (About.CARE_PLAN, Recipient.THERAPIST): _care_plan,
    (About.CONTACT_MESSAGE, Recipient.CLINIC): _contact_message,
    (About.PASSWORD_RESET, Recipient.STAFF_MEMBER): _password_reset,
    (About.QUESTIONNAIRE, Recipient.PATIENT): _questionnaire,
    (About.WAITLIST_ENTRY, Recipient.PATIENT): _waitlist_entry,
    (About.WAITLIST_OFFER, Recipient.PATIENT): _waitlist_offer,
}
