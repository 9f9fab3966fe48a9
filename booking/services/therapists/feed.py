"""A therapist's calendar feed: an .ics that calendar apps subscribe to, behind a secret, revocable link.

The link carries a token derived from the therapist's id and ``feed_version``
(an HMAC with the app's SECRET_KEY), so nothing secret is stored and raising
the version revokes every earlier link. Calendar apps cannot sign in, so the
token is the only key: it is compared in constant time, and the feed holds no
health information at all: the service's name and the patient's initials (or,
if the therapist chooses, full names), never the screening. Times in UTC, one stable UID per visit (booking.clinic.calendar).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.clinic.calendar import PRODUCT_ID, event_uid
from booking.clinic.clock import moment
from booking.clinic.links import absolute_url
from booking.clinic.settings import clinic_settings
from booking.database import get_or_none
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, StaffUser, Therapist
from booking.policy import require_keep_diary
from booking.services import audit

if TYPE_CHECKING:
    from icalendar import Event

PAST, AHEAD = timedelta(days=30), timedelta(days=90)
SHOWN = (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED)
# How often calendar apps are asked to fetch the feed again.
REFRESH = timedelta(hours=1)


def feed_token(therapist: Therapist) -> str:
    """The secret of the therapist's current feed link: base64url(HMAC-SHA256(SECRET_KEY, "feed:<id>:<version>"))."""
    message = f"feed:{therapist.id}:{therapist.feed_version}".encode()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def feed_url(therapist: Therapist) -> str:
    """The absolute, secret link of the therapist's feed (under PUBLIC_BASE_URL, never the request's host)."""
    return absolute_url("staff.feed", therapist_id=therapist.id, token=feed_token(therapist))


def therapist_for_feed(therapist_id: int, token: str) -> Therapist | None:
    """The therapist whose current feed link this is; None for a wrong, revoked or inactive one."""
    therapist = get_or_none(Therapist, therapist_id)
    if therapist is None or not therapist.active:
        return None
    if not hmac.compare_digest(token.encode(), feed_token(therapist).encode()):
        return None
    login = _login(therapist)
    return therapist if login is not None and login.active else None


def _login(therapist: Therapist) -> StaffUser | None:
    """The therapist's staff login, if they have one."""
    return db.session.scalars(select(StaffUser).where(StaffUser.therapist_id == therapist.id)).first()


def revoke(therapist: Therapist, by_staff: StaffUser) -> None:
    """Stop the current link working (a new one replaces it), audited; Refused unless the feed is ``by_staff``'s."""
    require_keep_diary(by_staff, therapist.id)
    therapist.feed_version += 1
    audit.record("changed", "calendar feed", therapist.id, "link revoked and replaced", actor=by_staff)
    db.session.commit()


def show_full_names(therapist: Therapist, full_names: bool, by_staff: StaffUser) -> bool:
    """Choose full names or initials for the feed's events, audited; whether that changed anything.

    Raises Refused unless the feed is ``by_staff``'s own.
    """
    require_keep_diary(by_staff, therapist.id)
    if therapist.feed_full_names == full_names:
        return False
    therapist.feed_full_names = full_names
    audit.record("changed", "calendar feed", therapist.id, "full names shown" if full_names else "initials shown",
                 actor=by_staff)
    db.session.commit()
    return True


def _event(visit: Appointment, address: str, now: datetime, full_names: bool) -> Event:
    """One visit as the therapist's event: the service and the patient's initials or name, nothing of their health."""
    from icalendar import Event  # here, not at the top: only a calendar file needs it (3 MiB)

    event = Event()
    event.add("uid", event_uid(visit))
    event.add("sequence", visit.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", visit.starts_at.astimezone(UTC))
    event.add("dtend", visit.ends_at.astimezone(UTC))
    patient = visit.patient.name if full_names else visit.patient.initials
    event.add("summary", f"{visit.service.name} – {patient}")
    event.add("location", address)
    link = absolute_url("staff.visit", visit_id=visit.id)
    event.add("description", f"Open the visit (sign-in needed): {link}")
    event.add("url", link)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def feed_ics(therapist: Therapist, *, now: datetime | None = None) -> bytes:
    """The therapist's booked and completed visits from 30 days back to 90 days ahead, as iCalendar.

    Each fetch is audited (and committed) as a view by the therapist's login, whose link it is.
    """
    from icalendar import Calendar  # here, not at the top: only a calendar file needs it (3 MiB)

    when = moment(now)
    visits = db.session.scalars(
        select(Appointment).options(joinedload(Appointment.patient), joinedload(Appointment.service))
        .where(Appointment.therapist_id == therapist.id, Appointment.status.in_(SHOWN),
               Appointment.starts_at >= when - PAST, Appointment.starts_at < when + AHEAD)
        .order_by(Appointment.starts_at)).all()
    settings = clinic_settings()
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{settings.name} – {therapist.name}")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for visit in visits:
        calendar.add_component(_event(visit, settings.address, when, therapist.feed_full_names))
    audit.record("viewed", "calendar feed", therapist.id, f"fetched by a calendar app, visits shown: {len(visits)}",
                 actor=_login(therapist), at=when)
    db.session.commit()
    return calendar.to_ical()
