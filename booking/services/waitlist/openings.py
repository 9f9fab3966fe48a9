"""The times that open: written in the transaction of the change that freed them, handed to the worker after it.

An opening is the waitlist's outbox row: the cancellation (or move, new hours, removed time off) adds one
INSERT to its own transaction, so the opening exists exactly when the change does; its unique ``key`` names
the change, so one change opens a time once. Matching it against the waiting entries is the worker's
(``offering.advance``), never the cancelling request's. As with a notification (``booking.outbox.relay``),
the row is stamped ``relayed_at`` in the change's transaction and published right after the commit
(``hand_over``); when the broker does not take it, the stamp is removed and the beat's sweep
(``offering.sweep``) hands it over, as it does one whose process died between the commit and the publish
(after one lease, NOTIFY_LEASE_SECONDS).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.models import OpeningCause, OpeningStatus, Service, StaffUser, Therapist, WaitlistOpening, WorkingHours
from booking.scheduling import Slot, SlotSearchError
from booking.services.visits.availability import bookable_days, search_slots

logger = logging.getLogger(__name__)

ADVANCE_TASK = "waitlist.advance"


def freed(therapist_id: int, starts_at: datetime, ends_at: datetime, cause: OpeningCause | str, key: str, *,
          now: datetime, by_staff: StaffUser | None = None) -> WaitlistOpening:
    """Add the opening of a freed time to the session: the caller's transaction commits it with its change."""
    opening = WaitlistOpening(key=key, therapist_id=therapist_id, starts_at=starts_at, ends_at=ends_at,
                              cause=OpeningCause(cause), status=OpeningStatus.OPEN, created_at=now, relayed_at=now,
                              opened_by_id=by_staff.id if by_staff is not None else None)
    db.session.add(opening)
    return opening


def publish(ids: Sequence[int]) -> int:
    """Send one ``waitlist.advance`` task per opening id, in one round trip; how many were sent.

    On a broker error none counts as sent: their stamps are removed, so that the next sweep hands them over.
    """
    if not ids:
        return 0
    celery = current_app.extensions["celery"]
    try:
        with celery.producer_or_acquire() as producer, producer.batch():
            for opening_id in ids:
                celery.send_task(ADVANCE_TASK, args=[opening_id], producer=producer)
    except Exception as exc:  # any broker or connection error: the openings simply wait for the sweep
        logger.warning("the broker did not take %s waitlist opening(s) (%s); the sweep hands them over",
                       len(ids), type(exc).__name__)
        db.session.rollback()
        db.session.execute(update(WaitlistOpening).where(WaitlistOpening.id.in_(ids)).values(relayed_at=None))
        db.session.commit()
        return 0
    return len(ids)


def hand_over(openings: Sequence[WaitlistOpening]) -> None:
    """Straight after the change's commit: publish its openings to the worker. Never raises (see ``publish``)."""
    try:
        publish([opening.id for opening in openings])
    except Exception as exc:  # the database itself failed while un-stamping: the sweep's lease still covers it
        logger.warning("waitlist openings not handed over (%s); the sweep hands them over", type(exc).__name__)
        db.session.rollback()


def span_freed(therapist_id: int, starts_at: datetime, ends_at: datetime, cause: OpeningCause, key: str, *,
               now: datetime, by_staff: StaffUser) -> list[WaitlistOpening]:
    """The opening of a span that new hours or a removed time off freed, at its first free time (``first_free``);
    none when the therapist cannot take a visit in it. Added to the session, as ``freed`` does."""
    slot = first_free(therapist_id, starts_at, ends_at, now=now)
    return [] if slot is None else [freed(therapist_id, slot.starts_at, slot.ends_at, cause, key, now=now,
                                          by_staff=by_staff)]


def new_hours(shift: WorkingHours, *, now: datetime, by_staff: StaffUser) -> list[WaitlistOpening]:
    """The opening of a new shift's next day worked (at its first free time), if it has one; the shift is flushed."""
    span = next_shift(shift, now=now)
    if span is None:
        return []
    return span_freed(shift.therapist_id, *span, OpeningCause.HOURS, f"hours:{shift.therapist_id}:{uuid.uuid4()}",
                      now=now, by_staff=by_staff)


def first_free(therapist_id: int, starts_at: datetime, ends_at: datetime, *, now: datetime) -> Slot | None:
    """The first visit of the therapist's shortest service that could start from ``starts_at`` to ``ends_at`` (from
    now), by the slot search's rules; None when there is none within the booking horizon.

    New hours and a removed time off free a span, not one visit's time: its opening is the first such visit's time
    (an offer is of an opening's start; the calendar then says which services it holds).
    """
    kind = select(Therapist.therapy_type).where(Therapist.id == therapist_id).scalar_subquery()
    shortest = db.session.scalars(select(Service).where(Service.therapy_type == kind, Service.active)
                                  .order_by(Service.duration_minutes + Service.buffer_minutes, Service.id)).first()
    if shortest is None:
        return None
    zone = clinic_zone()
    first, last = bookable_days(now)
    date_from = max(first, max(starts_at, now).astimezone(zone).date())
    date_to = min(last, (ends_at - timedelta(microseconds=1)).astimezone(zone).date())
    if date_from > date_to:
        return None
    try:
        slots = search_slots(shortest, date_from, date_to, therapist_id=therapist_id, now=now)
    except SlotSearchError:  # the therapist gives none of the active services any more
        return None
    return next((slot for slot in slots if starts_at <= slot.starts_at < ends_at), None)


def next_shift(shift: WorkingHours, *, now: datetime) -> tuple[datetime, datetime] | None:
    """The next time the shift is worked (from now, within the booking horizon and its dates), as a UTC span."""
    zone = clinic_zone()
    first, last = bookable_days(now)
    day = max(first, shift.valid_from or first)
    last = min(last, shift.valid_to or last)
    while day <= last:
        if day.weekday() == shift.weekday:
            span = _on(day, shift, zone)
            if span[1] > now:
                return span
        day += timedelta(days=1)
    return None


def _on(day: date, shift: WorkingHours, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The shift's span on one local day, in UTC."""
    return (datetime.combine(day, shift.start_time, tzinfo=zone).astimezone(UTC),
            datetime.combine(day, shift.end_time, tzinfo=zone).astimezone(UTC))
