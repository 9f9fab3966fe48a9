"""Offering freed times: the worker's turn of an opening (``advance``), the beat's sweep, an offer by hand, and
taking back the offers of a place that stopped waiting.

``advance`` works on one opening under its row lock, so two workers given the same opening queue and the
second sees what the first did; an entry is offered one opening at most once (``waitlist_offers`` is unique by
opening and entry). Each turn expires the offers whose window passed, closes the opening ``taken`` when a
visit was booked over it meanwhile or ``unfilled`` once no offer can still be made, and otherwise offers it to
the best-placed entries (``matching``) until ``waitlist_offers_at_once`` offers are live. The offers and their
emails are written in one transaction and handed to the worker after it; the email is not sent once the offer
is no longer open (``drafts``). An offer to a patient without email is made in the same order and held as long,
with no email: the admins see it as a call to make (``calls``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update

from booking import outbox
from booking.clinic.clock import moment
from booking.clinic.settings import clinic_settings
from booking.clinic.times import local_time
from booking.database import storable_id
from booking.extensions import db
from booking.models import (
    EntryStatus,
    Notification,
    OfferStatus,
    OpeningCause,
    OpeningStatus,
    StaffUser,
    Therapist,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistOpening,
)
from booking.outbox import relay
from booking.policy import require_run_the_clinic
from booking.services import audit
from booking.services.visits.errors import InvalidBooking
from booking.services.visits.tokens import token_hash
from booking.services.waitlist import matching, openings
from booking.services.waitlist.links import offer_token
from booking.waitlist import claim_window

BATCH = 500


def advance(opening_id: int, *, now: datetime | None = None) -> list[Notification]:
    """One turn of an opening (see the module), committed; the offers' emails it wrote, handed to the worker."""
    when = moment(now)
    opening = db.session.scalar(select(WaitlistOpening).where(WaitlistOpening.id == opening_id)
                                .with_for_update(of=WaitlistOpening)) if storable_id(opening_id) else None
    notices = _turn(opening, when) if opening is not None and opening.status == OpeningStatus.OPEN else []
    db.session.commit()
    relay.hand_over(notices)
    return notices


def _turn(opening: WaitlistOpening, when: datetime) -> list[Notification]:
    """Expire, close or offer the locked opening; the emails of its new offers."""
    live = _expire(opening, when)
    if matching.booked_meanwhile(opening):
        _close(opening, OpeningStatus.TAKEN, when)
        for offer in live:
            offer.status = OfferStatus.TAKEN
        return []
    offers = _new_offers(opening, len(live), when)
    if not live and not offers:
        _close(opening, OpeningStatus.UNFILLED, when)
    return _emails(offers, when)


def _emails(offers: list[WaitlistOffer], when: datetime) -> list[Notification]:
    """The claim emails of these new offers, to each patient who has an email address (the desk calls the others)."""
    db.session.flush()  # the offers before the emails that name them
    return [outbox.for_waitlist_offer(offer, now=when) for offer in offers if offer.entry.patient.email]


def _expire(opening: WaitlistOpening, when: datetime) -> list[WaitlistOffer]:
    """Mark the opening's offers whose window passed ``expired``; the live ones."""
    offers = db.session.scalars(select(WaitlistOffer).where(WaitlistOffer.opening_id == opening.id,
                                                            WaitlistOffer.status == OfferStatus.OFFERED))
    live = []
    for offer in offers:
        if offer.expires_at <= when:
            offer.status = OfferStatus.EXPIRED
        else:
            live.append(offer)
    return live


def _close(opening: WaitlistOpening, status: OpeningStatus, when: datetime) -> None:
    """Close the opening with what became of it."""
    opening.status, opening.closed_at = status, when


def _window(starts_at: datetime, when: datetime) -> timedelta | None:
    """How long an offer made now of a time starting then is held (``claim_window``); None: too close to offer."""
    minutes = clinic_settings().waitlist_claim_minutes
    return claim_window(when, starts_at, matching.minimum_notice(), timedelta(minutes=minutes))


def _new_offers(opening: WaitlistOpening, live: int, when: datetime) -> list[WaitlistOffer]:
    """Offers of the opening to the best-placed entries, up to the clinic's number of live offers at once."""
    room = clinic_settings().waitlist_offers_at_once - live
    window = _window(opening.starts_at, when)
    if room <= 0 or window is None:
        return []
    made = []
    for bookable in matching.candidates(opening, when):
        made.append(_offer(opening, bookable.entry, bookable.pair_therapist_id, when + window, when))
        if len(made) == room:
            break
    return made


def _offer(opening: WaitlistOpening, entry: WaitlistEntry, pair_therapist_id: int | None, expires_at: datetime,
           when: datetime, by_staff: StaffUser | None = None) -> WaitlistOffer:
    """Add one offer of the opening to the entry, with its claim link's hash."""
    offer = WaitlistOffer(id=uuid.uuid4(), opening=opening, entry=entry, service_id=entry.service_id,
                          pair_therapist_id=pair_therapist_id, offered_at=when, expires_at=expires_at,
                          status=OfferStatus.OFFERED, offered_by_id=by_staff.id if by_staff is not None else None)
    offer.token_hash = token_hash(offer_token(offer))
    db.session.add(offer)
    return offer


def sweep(*, now: datetime | None = None) -> int:
    """The beat's safety net: hand to the worker each open opening not handed over within a lease (its task lost,
    or the broker down when it opened) that has no live offer (its offers expired or were withdrawn); how many."""
    when = moment(now)
    total = 0
    while taken := _take(when):
        sent = openings.publish(taken)
        total += sent
        if sent < len(taken):
            break
    return total


def _take(when: datetime) -> list[int]:
    """Stamp up to a batch of openings that need a turn as handed over (under SKIP LOCKED: several sweeps at once
    take different rows); their ids."""
    lease = timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    live = exists().where(WaitlistOffer.opening_id == WaitlistOpening.id, WaitlistOffer.status == OfferStatus.OFFERED,
                          WaitlistOffer.expires_at > when)
    due = and_(WaitlistOpening.status == OpeningStatus.OPEN, ~live,
               or_(WaitlistOpening.relayed_at.is_(None), WaitlistOpening.relayed_at <= when - lease))
    taken = list(db.session.scalars(select(WaitlistOpening.id).where(due).order_by(WaitlistOpening.created_at)
                                    .limit(BATCH).with_for_update(skip_locked=True, of=WaitlistOpening)))
    if taken:
        db.session.execute(update(WaitlistOpening).where(WaitlistOpening.id.in_(taken)).values(relayed_at=when))
    db.session.commit()
    return taken


def withdraw(entry: WaitlistEntry, *, now: datetime) -> None:
    """Mark the entry's live offers ``withdrawn`` (it left or was removed); their openings are swept at the next
    beat, to go to the next entry. In the caller's transaction."""
    withdrawn = list(db.session.scalars(
        update(WaitlistOffer).where(WaitlistOffer.entry_id == entry.id, WaitlistOffer.status == OfferStatus.OFFERED)
        .values(status=OfferStatus.WITHDRAWN, answered_at=now).returning(WaitlistOffer.opening_id)))
    if withdrawn:
        db.session.execute(update(WaitlistOpening).where(WaitlistOpening.id.in_(withdrawn),
                                                         WaitlistOpening.status == OpeningStatus.OPEN)
                           .values(relayed_at=None))


def offer_by_hand(entry_id: int, therapist_id: int, starts_at: datetime, *, by_staff: StaffUser,
                  now: datetime | None = None) -> WaitlistOffer:
    """An admin offers a time to one waiting entry: an opening of cause ``by_hand`` and its one offer, with its
    email, audited. InvalidBooking, changing nothing, when the entry no longer waits ("entry_id"), the therapist
    does not suit it ("therapist_id"), or the time does not suit the entry or is not free ("starts_at")."""
    require_run_the_clinic(by_staff)
    when = moment(now)
    entry = db.session.get(WaitlistEntry, entry_id) if storable_id(entry_id) else None
    therapist = db.session.get(Therapist, therapist_id) if storable_id(therapist_id) else None
    entry, therapist, pair_therapist_id, window = _check_by_hand(entry, therapist, starts_at, when)
    service = entry.service
    opening = openings.freed(therapist.id, starts_at, starts_at + service.duration + service.buffer,
                             OpeningCause.BY_HAND, f"by-hand:{uuid.uuid4()}", now=when, by_staff=by_staff)
    offer = _offer(opening, entry, pair_therapist_id, when + window, when, by_staff)
    notices = _emails([offer], when)
    audit.record("offered", "waitlist entry", entry.id, f"{service.name} with {therapist.name} at "
                 f"{local_time(starts_at)}", actor=by_staff, at=when)
    db.session.commit()
    relay.hand_over(notices)
    return offer


def _check_by_hand(entry: WaitlistEntry | None, therapist: Therapist | None, starts_at: datetime,
                   when: datetime) -> tuple[WaitlistEntry, Therapist, int | None, timedelta]:
    """Refuse an offer by hand that cannot be made (InvalidBooking); else the entry, the therapist, a pair's
    physiotherapist and how long the offer is held."""
    if entry is None or entry.status != EntryStatus.WAITING:
        raise InvalidBooking({"entry_id": "This patient is no longer waiting: choose another place on the list."})
    if therapist is None or therapist.therapy_type != entry.service.therapy_type or \
            entry.therapist_id not in (None, therapist.id):
        raise InvalidBooking({"therapist_id": f"Choose {entry.therapist.name if entry.therapist else 'a therapist'} "
                                              f"who gives {entry.service.name}."})
    shape = matching.rule_opening(therapist.id, therapist.therapy_type, starts_at,
                                  starts_at + entry.service.duration)
    window = _window(starts_at, when)
    if not matching.suits(entry, shape, when) or window is None:
        raise InvalidBooking({"starts_at": "That time does not suit this place on the list (its days, parts of the "
                                           "day or until when), or it is too soon to offer: choose another."})
    if matching.why_not(entry, therapist.id, starts_at, when) is not None:
        raise InvalidBooking({"starts_at": f"{local_time(starts_at)} is not free on {therapist.name}'s calendar for "
                                           f"{entry.service.name}: choose one of their open times."})
    pair_therapist_id = matching.pair_therapist(entry, starts_at, when)
    if entry.pair_service is not None and pair_therapist_id is None:
        raise InvalidBooking({"starts_at": f"No physiotherapist is free for {entry.pair_service.name} when the "
                                           "massage ends: choose another time."})
    return entry, therapist, pair_therapist_id, window

