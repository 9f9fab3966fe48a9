"""What each notification says: rendered when it is sent, from the records as they are then.

Every email is plain text and HTML from ``templates/email/``, in the clinic's
local time with the zone named, with the clinic's phone and, for patients,
the manage link under PUBLIC_BASE_URL. No screening answer or other health
detail goes into any of them; therapists see patients' initials only.
A notification that is no longer owed raises ``NotOwed`` with the reason.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import formataddr
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import select

from booking.clinic.calendar import ics_for
from booking.clinic.links import absolute_url
from booking.clinic.settings import clinic_settings
from booking.clinic.times import local_time
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, CarePlan, Notification, Patient
from booking.notifications.channels import Attachment, Outgoing
from booking.outbox import COURSE_CANCELLED, COURSE_NOTICES, PLAN_SCHEDULE
from booking.services.staff_accounts.password_resets import reset_to_send, reset_token
from booking.services.visits import can_change, manage_token
from booking.services.visits.course import booked_together
from booking.triage import THERAPY_LABELS

# What each message is about (a care-plan notice says instead what happened: _care_plan_subject).
SUBJECTS = {
    "confirmation": "Your visit is booked",
    "course_confirmation": "Your visits are booked",
    "course_cancelled": "Your visits are cancelled",
    "plan_schedule": "Your care plan's schedule",
    "reminder": "Reminder: your visit",
    "rescheduled": "Your visit has moved",
    "cancelled": "Your visit is cancelled",
    "manage_links": "Your upcoming visits",
    "therapist_booked": "New booking",
    "therapist_rescheduled": "A visit has moved",
    "therapist_cancelled": "A visit is cancelled",
    "contact_message": "New message from the website",
    "password_reset": "Reset your staff password",
}
CALENDAR_METHOD = {"confirmation": "REQUEST", "course_confirmation": "REQUEST", "plan_schedule": "REQUEST",
                   "rescheduled": "REQUEST", "cancelled": "CANCEL", "course_cancelled": "CANCEL"}
CARE_PLAN_EVENTS = {"plan_created": "a care plan was created", "plan_changed": "a care plan was changed",
                    "session_completed": "a session was completed", "session_cancelled": "a session was cancelled",
                    "session_missed": "a session was missed", "handoff_note": "a handoff note was added"}


class NotOwed(Exception):
    """The notification is no longer owed (the visit changed, was cancelled, or there is nobody to tell)."""


def message_id(notification: Notification) -> str:
    """A Message-ID derived from the notification's key: the same for every attempt, so a re-send is recognisable."""
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:40]
    domain = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    return f"<{digest}@{domain}>"


def _visit(notification: Notification, now: datetime) -> Appointment:
    """The visit a notice is about, as it is now; NotOwed when the notice no longer says what is true."""
    visit = notification.appointment
    if visit is None:
        raise NotOwed("the visit is gone")
    if visit.sequence != notification.version:
        raise NotOwed("superseded by a later change")
    if not notification.kind.endswith("cancelled") and visit.status != AppointmentStatus.BOOKED:
        raise NotOwed("the visit is no longer booked")
    if notification.kind == "reminder" and now >= visit.starts_at:
        raise NotOwed("the visit has begun")
    if notification.kind == "reminder" and _nearer_reminder_due(notification, now):
        raise NotOwed("a nearer reminder of the visit is due")
    return visit


def _nearer_reminder_due(reminder: Notification, now: datetime) -> bool:
    """Whether a reminder closer to the visit is due too (after an outage): the patient gets that one only."""
    return db.session.scalar(select(Notification.id).where(
        Notification.appointment_id == reminder.appointment_id, Notification.version == reminder.version,
        Notification.kind == "reminder", Notification.offset_minutes < (reminder.offset_minutes or 0),
        Notification.due_at <= now).limit(1)) is not None


def _manage_url(visit: Appointment) -> str:
    """The visit's manage link, under PUBLIC_BASE_URL."""
    return absolute_url("appointments.manage", token=manage_token(visit))


def _upcoming_visits(email: str, now: datetime) -> list[Appointment]:
    """The booked visits to come that were booked with this address."""
    return list(db.session.scalars(
        select(Appointment).join(Patient)
        .where(Patient.email == email, Appointment.status == AppointmentStatus.BOOKED, Appointment.starts_at > now)
        .order_by(Appointment.starts_at)))


def _course(notification: Notification, now: datetime) -> tuple[str, dict[str, object], bytes]:
    """A course's patient, its visits still booked (each with its manage link) and one calendar file of them all.

    A care plan's schedule also says which therapies the course is of and with whom. NotOwed
    when none of the visits is booked any more. A "course_cancelled" notice lists instead the
    visits cancelled with its first one (in the same change: the same instant).
    """
    first = notification.appointment
    visits = [visit for visit in booked_together(first) if _listed(notification, first, visit)] if first else []
    if first is None or not visits:
        raise NotOwed("none of the course's visits is still booked")
    links = [(visit, _manage_url(visit)) for visit in visits]
    context: dict[str, object] = {"patient": first.patient, "visits": links,
                                  "changeable": {visit.id for visit in visits if can_change(visit, now=now)}}
    if notification.kind == PLAN_SCHEDULE:
        context["disciplines"] = _disciplines(visits)
    return _patient_address(first), context, ics_for(links, method=CALENDAR_METHOD[notification.kind], now=now)


def _listed(notification: Notification, first: Appointment, visit: Appointment) -> bool:
    """Whether a course notice lists this visit of the course: booked, or cancelled with its first."""
    if notification.kind == COURSE_CANCELLED:
        return visit.status == AppointmentStatus.CANCELLED and visit.cancelled_at == first.cancelled_at
    return visit.status == AppointmentStatus.BOOKED


def _disciplines(visits: list[Appointment]) -> list[tuple[str, str]]:
    """Each therapy of the visits (physiotherapy first) with its therapists' names: ("massage therapy", "Max Wu")."""
    return [(label, " and ".join(dict.fromkeys(visit.therapist.name for visit in of_kind)))
            for kind, label in THERAPY_LABELS.items()
            if (of_kind := [visit for visit in visits if visit.service.therapy_type == kind])]


def _address_and_context(notification: Notification, now: datetime) -> tuple[str, dict[str, object], bytes | None]:
    """The recipient, the template's context and, where one goes with it, the calendar file."""
    kind = notification.kind
    if kind == "contact_message":
        return current_app.config["CLINIC_EMAIL"], {"message": notification.contact_message}, None
    if kind == "manage_links":
        visits = _upcoming_visits(notification.recipient or "", now)
        if not visits:
            raise NotOwed("no upcoming visits for that address")
        links = [(visit, _manage_url(visit)) for visit in visits]
        return notification.recipient or "", {"visits": links}, None
    if kind == "care_plan":
        return _therapist_address(notification), _care_plan_context(notification), None
    if kind == "password_reset":
        reset = reset_to_send(notification, now=now)
        if reset is None:
            raise NotOwed("no reset owed: no active login has the address, its hourly limit is reached, or the link was used or expired")
        return reset.user.email, {"reset_url": absolute_url("staff.reset_password", token=reset_token(reset.id)),
                                  "expires_at": reset.expires_at}, None
    if kind in COURSE_NOTICES:
        return _course(notification, now)
    visit = _visit(notification, now)
    if kind.startswith("therapist_"):
        return _therapist_address(notification), {"visit": visit, "initials": visit.patient.initials}, None
    manage_url = _manage_url(visit)
    method = CALENDAR_METHOD.get(kind)
    ics = ics_for([(visit, manage_url)], method=method, now=now) if method else None
    return _patient_address(visit), {"visit": visit, "manage_url": manage_url,
                                     "changeable": can_change(visit, now=now)}, ics


def _patient_address(visit: Appointment) -> str:
    """The patient's email; NotOwed when their record has none (a caller booked by phone)."""
    if not visit.patient.email:
        raise NotOwed("the patient has no email address")
    return visit.patient.email


def _care_plan_context(notification: Notification) -> dict[str, object]:
    """What a collaborative-care notice says: the event, the colleague, the patient's initials, the plan's page."""
    event = CARE_PLAN_EVENTS[notification.event or ""]  # an event this code does not know fails the attempt
    plan = db.session.get(CarePlan, notification.care_plan_id)
    if plan is None:
        raise NotOwed("the care plan is gone")
    colleague = plan.massage_therapist if notification.therapist_id == plan.physiotherapist_id \
        else plan.physiotherapist
    patient = db.session.get(Patient, plan.patient_id) if plan.patient_id else None
    return {"event": event, "plan": plan, "colleague": colleague,
            "initials": patient.initials if patient else None,
            "plan_url": absolute_url("staff.care_plan", id=plan.id)}


def _therapist_address(notification: Notification) -> str:
    """The therapist's email; NotOwed when they have none."""
    therapist = notification.therapist
    if therapist is None or not therapist.email:
        raise NotOwed("the therapist has no email address")
    return therapist.email


def render(notification: Notification, now: datetime) -> Outgoing:
    """The message a notification sends now; raises NotOwed when it is no longer owed."""
    to, context, ics = _address_and_context(notification, now)
    context = {**context, "notification": notification, "config": current_app.config}
    name = "visits.ics" if notification.kind in COURSE_NOTICES else "visit.ics"
    attachments = (Attachment(name, f"text/calendar; method={CALENDAR_METHOD[notification.kind]}", ics),) \
        if ics else ()
    return Outgoing(to=to, subject=f"{_subject(notification, context)} – {clinic_settings().name}",
                    text=render_template(f"email/{notification.kind}.txt", **context),
                    html=render_template(f"email/{notification.kind}.html", **context),
                    message_id=message_id(notification), attachments=attachments,
                    reply_to=_reply_to(notification))


def _subject(notification: Notification, context: dict[str, object]) -> str:
    """What the message is about and, for a visit or a course, when (its first visit): "Your visit is
    booked – Wed 2 Dec at 10:00 a.m."; a care-plan notice says what happened."""
    kind = notification.kind
    if kind == "care_plan":
        return _care_plan_subject(context)
    if "visit" in context:
        return f"{SUBJECTS[kind]} – {local_time(context['visit'].starts_at, 'subject')}"
    if kind in COURSE_NOTICES:
        visits = context["visits"]
        first = local_time(visits[0][0].starts_at, "subject")
        return f"{SUBJECTS[kind]} – {first if len(visits) == 1 else f'from {first}'}"
    return SUBJECTS[kind]


def _care_plan_subject(context: dict[str, object]) -> str:
    """A care-plan notice's subject: what happened, on which plan ("A session was completed (care plan 4, A. M.)").

    Worded as news, not as a call to act: the therapist who did it is told too.
    """
    event = str(context["event"])
    plan = f"care plan {context['plan'].id}" + (f", {context['initials']}" if context["initials"] else "")
    return f"{event[0].upper()}{event[1:]} ({plan})"


def _reply_to(notification: Notification) -> str | None:
    """Whom a reply goes to when it is not the sender: a contact message's writer (their name on one line)."""
    message = notification.contact_message if notification.kind == "contact_message" else None
    return formataddr((" ".join(message.name.split()), message.email)) if message else None
