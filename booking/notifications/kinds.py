"""The kinds of notification, one entry each: what it is made from, whom it goes to, its subject, its calendar file,
and whether it is transactional or needs the patient's consent.

``booking.notifications.messages`` reads this table instead of asking which kind a
notification is. A new kind is its member of ``NotificationKind`` (booking/models/outbox.py),
its entry here, and its two templates, ``templates/email/<kind>.txt`` and ``.html``;
``booking.outbox`` writes its rows. A kind whose pair of ``About`` and ``Recipient`` no
other kind has also needs a maker in ``drafts.MAKERS``.

Every kind today is transactional: it tells of the patient's own visits, courses, plans, questions,
place on the waitlist, or is the staff's and the clinic's own mail; none needs consent. A kind that is
not (news, say) names its consent ``Purpose``: ``messages.render`` then sends it only to a patient with a
live ``MessageConsent`` of that purpose, and ``delivery`` marks it skipped ("no consent") otherwise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from booking.models import CarePlanEvent, NotificationKind


class About(enum.Enum):
    """The records a kind of message is made from."""

    VISIT = "one visit, as it is when the message is sent"
    COURSE = "the visits booked (or cancelled) together with the notification's visit"
    UPCOMING_VISITS = "the visits to come booked with the address that asked"
    CARE_PLAN = "a shared care plan and what happened on it"
    CONTACT_MESSAGE = "a message sent through the website's contact form"
    PASSWORD_RESET = "a staff member's request for a new password"
    QUESTIONNAIRE = "the questions before one visit, with their link"
    WAITLIST_ENTRY = "a place on the waitlist, with its link to see or leave it"
    WAITLIST_OFFER = "a freed time offered to a place on the waitlist, with its claim link"


class Recipient(enum.Enum):
    """Whom a kind of message is sent to."""

    PATIENT = "the patient of the visit, course or place on the waitlist"
    THERAPIST = "the therapist the notification names"
    CLINIC = "the clinic's own address (CLINIC_EMAIL)"
    STAFF_MEMBER = "the staff member whose login has the address"
    ADDRESS = "the address that asked for it"


class Purpose(enum.StrEnum):
    """What a patient may consent to be sent beyond the messages their visits need (``MessageConsent.purpose``)."""

    NEWS = "news"

    @property
    def label(self) -> str:
        """What the purpose covers, as staff pages show it."""
        return PURPOSE_LABELS[self]

    @property
    def wording(self) -> str:
        """The standard words a patient agrees to, offered when a consent is recorded."""
        return PURPOSE_WORDING[self]


PURPOSE_LABELS = {Purpose.NEWS: "News from the clinic"}
PURPOSE_WORDING = {Purpose.NEWS: "I agree to receive emails with news from the clinic (new services, hours and "
                                 "closures). I can withdraw this at any time."}


@dataclass(frozen=True)
class Calendar:
    """The .ics file that goes with a message: its method (REQUEST adds or updates, CANCEL removes) and name."""

    method: str
    filename: str


VISIT_INVITATION = Calendar("REQUEST", "visit.ics")
VISIT_CANCELLATION = Calendar("CANCEL", "visit.ics")
COURSE_INVITATION = Calendar("REQUEST", "visits.ics")
COURSE_CANCELLATION = Calendar("CANCEL", "visits.ics")


@dataclass(frozen=True)
class KindEntry:
    """What messages need to know of one kind of notification.

    ``subject`` says what the message is about (a visit's or a course's adds when); a
    care-plan notice's is empty: its subject says what happened. ``tells_cancellation``: the
    message tells of a cancellation, so it is still owed once its visit is no longer booked,
    and a course's lists the visits cancelled together. ``reminder``: owed only before the
    visit begins, and only the nearest of the visit's reminders due. ``names_therapies``: a
    course's message says which therapies it is of and with whom (a care plan's schedule).
    ``consent``: None for a transactional kind; else the purpose the patient must have consented to.
    """

    about: About
    recipient: Recipient
    subject: str
    calendar: Calendar | None = None
    tells_cancellation: bool = False
    reminder: bool = False
    names_therapies: bool = False
    consent: Purpose | None = None


KINDS: dict[str, KindEntry] = {
    NotificationKind.CONFIRMATION: KindEntry(About.VISIT, Recipient.PATIENT, "Your visit is booked",
                                             VISIT_INVITATION),
    NotificationKind.RESCHEDULED: KindEntry(About.VISIT, Recipient.PATIENT, "Your visit has moved", VISIT_INVITATION),
    NotificationKind.CANCELLED: KindEntry(About.VISIT, Recipient.PATIENT, "Your visit is cancelled",
                                          VISIT_CANCELLATION, tells_cancellation=True),
    NotificationKind.REMINDER: KindEntry(About.VISIT, Recipient.PATIENT, "Reminder: your visit", reminder=True),
    NotificationKind.COURSE_CONFIRMATION: KindEntry(About.COURSE, Recipient.PATIENT, "Your visits are booked",
                                                    COURSE_INVITATION),
    NotificationKind.COURSE_CANCELLED: KindEntry(About.COURSE, Recipient.PATIENT, "Your visits are cancelled",
                                                 COURSE_CANCELLATION, tells_cancellation=True),
    NotificationKind.PLAN_SCHEDULE: KindEntry(About.COURSE, Recipient.PATIENT, "Your care plan's schedule",
                                              COURSE_INVITATION, names_therapies=True),
    NotificationKind.MANAGE_LINKS: KindEntry(About.UPCOMING_VISITS, Recipient.ADDRESS, "Your upcoming visits"),
    NotificationKind.THERAPIST_BOOKED: KindEntry(About.VISIT, Recipient.THERAPIST, "New booking"),
    NotificationKind.THERAPIST_RESCHEDULED: KindEntry(About.VISIT, Recipient.THERAPIST, "A visit has moved"),
    NotificationKind.THERAPIST_CANCELLED: KindEntry(About.VISIT, Recipient.THERAPIST, "A visit is cancelled",
                                                    tells_cancellation=True),
    NotificationKind.CONTACT_MESSAGE: KindEntry(About.CONTACT_MESSAGE, Recipient.CLINIC,
                                                "New message from the website"),
    NotificationKind.CARE_PLAN: KindEntry(About.CARE_PLAN, Recipient.THERAPIST, ""),
    NotificationKind.PASSWORD_RESET: KindEntry(About.PASSWORD_RESET, Recipient.STAFF_MEMBER,
                                               "Reset your staff password"),
    NotificationKind.QUESTIONNAIRE: KindEntry(About.QUESTIONNAIRE, Recipient.PATIENT,
                                              "A few questions before your visit"),
    NotificationKind.WAITLIST_JOINED: KindEntry(About.WAITLIST_ENTRY, Recipient.PATIENT,
                                                "You are on the waitlist"),
    NotificationKind.WAITLIST_OFFER: KindEntry(About.WAITLIST_OFFER, Recipient.PATIENT, "A time has opened for you"),
}

# What a care-plan notice tells of each event, worded as news (the therapist who did it is told too).
CARE_PLAN_NEWS: dict[str, str] = {
    CarePlanEvent.PLAN_CREATED: "a care plan was created",
    CarePlanEvent.PLAN_CHANGED: "a care plan was changed",
    CarePlanEvent.SESSION_COMPLETED: "a session was completed",
    CarePlanEvent.SESSION_CANCELLED: "a session was cancelled",
    CarePlanEvent.SESSION_MISSED: "a session was missed",
    CarePlanEvent.HANDOFF_NOTE: "a handoff note was added",
    CarePlanEvent.OUTCOME_FLAGGED: "the plan was flagged for a look together",
}


def templates(kind: str) -> tuple[str, str]:
    """The plain-text and HTML templates of a kind's message."""
    return f"email/{kind}.txt", f"email/{kind}.html"
