"""An admin's offer by hand, the waitlist's emails as the patient reads them, and the openings of new hours and of
a removed time off; on both databases."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from booking import outbox
from booking.extensions import db
from booking.models import AuditEvent, Notification, OfferStatus, OpeningCause, TimeOff, WaitlistOffer, WaitlistOpening
from booking.notifications import messages
from booking.notifications.drafts import NotOwed
from booking.policy import Refused
from booking.services.therapists import hours
from booking.services.visits import InvalidBooking
from booking.services.waitlist import links, offering
from tests.factories import AppointmentFactory, Clinic, StaffUserFactory, local, small_clinic
from tests.waitlist.waiting import waiting

NOW = local(2026, 11, 30, 8)  # a Monday morning
TEN = local(2026, 12, 2, 10)  # the Wednesday after, 10:00


@pytest.fixture
def clinic(app: Flask) -> Clinic:
    """A service and two therapists of each kind (08:00-20:00 every day), a screening of each kind."""
    return small_clinic()


def health_words(clinic: Clinic, kind: str) -> list[str]:
    """What a screening of that kind holds that no email may say: its answers and its recommendation's reasons."""
    screening = clinic.screenings[kind]
    words = [value for values in screening.answers.values() for value in values]
    return words + [str(reason) for reason in screening.recommendation.get("reasons", [])]


def offer_notice(offer: WaitlistOffer) -> Notification:
    """The email of the offer, as written with it."""
    return db.session.scalars(select(Notification).where(Notification.waitlist_offer_id == offer.id)).one()


def test_an_offer_by_hand_is_made_with_its_email_and_audited(clinic: Clinic) -> None:
    admin = StaffUserFactory(admin=True)
    entry = waiting(clinic, NOW - timedelta(days=3), pair=True)
    offer = offering.offer_by_hand(entry.id, clinic.massage_therapists[1].id, TEN, by_staff=admin, now=NOW)
    assert offer.status == OfferStatus.OFFERED and offer.offered_by_id == admin.id
    assert offer.opening.cause == OpeningCause.BY_HAND and offer.opening.opened_by_id == admin.id
    assert offer.pair_therapist_id in {therapist.id for therapist in clinic.physiotherapists}
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "offered"))
    assert event.actor_id == admin.id and "with " + clinic.massage_therapists[1].name in (event.detail or "")


@pytest.mark.parametrize(("change", "field"), [
    ("left", "entry_id"), ("physiotherapist", "therapist_id"), ("booked", "starts_at"), ("sunday", "starts_at"),
    ("too soon", "starts_at"),
])
def test_an_offer_by_hand_that_cannot_be_made_says_why_and_changes_nothing(clinic: Clinic, change: str,
                                                                          field: str) -> None:
    admin = StaffUserFactory(admin=True)
    entry = waiting(clinic, NOW - timedelta(days=3), days=frozenset(range(6)))  # not on Sundays
    therapist, starts_at = clinic.massage_therapists[0], TEN
    if change == "left":
        entry.status = "left"
        db.session.commit()
    elif change == "physiotherapist":
        therapist = clinic.physiotherapists[0]
    elif change == "booked":
        AppointmentFactory(service=clinic.massage, therapist=therapist, starts_at=TEN - timedelta(minutes=30))
    elif change == "sunday":
        starts_at = local(2026, 12, 6, 10)
    else:
        starts_at = NOW + timedelta(minutes=90)
    with pytest.raises(InvalidBooking) as refused:
        offering.offer_by_hand(entry.id, therapist.id, starts_at, by_staff=admin, now=NOW)
    assert list(refused.value.errors) == [field]
    assert not db.session.scalars(select(WaitlistOffer)).all() and not db.session.scalars(select(WaitlistOpening)).all()


def test_only_an_admin_offers_by_hand(clinic: Clinic) -> None:
    entry = waiting(clinic, NOW - timedelta(days=3))
    with pytest.raises(Refused):
        offering.offer_by_hand(entry.id, clinic.massage_therapists[0].id, TEN, by_staff=StaffUserFactory(), now=NOW)


def test_the_offer_email_gives_the_time_service_therapists_and_claim_link_and_no_health_words(clinic: Clinic) -> None:
    entry = waiting(clinic, NOW - timedelta(days=3), pair=True)
    offer = offering.offer_by_hand(entry.id, clinic.massage_therapists[0].id, TEN, by_staff=StaffUserFactory(
        admin=True), now=NOW)
    mail = messages.render(offer_notice(offer), NOW)
    physiotherapist = db.session.get(type(clinic.physiotherapists[0]), offer.pair_therapist_id)
    assert mail.to == entry.patient.email and mail.subject.startswith("A time has opened for you – Wed 2 Dec")
    for text in (mail.text, mail.html):
        assert links.offer_url(offer) in text and "Wednesday December 2, 2026 at 10:00 a.m. MST" in text
        assert "11:00 a.m. MST" in text and clinic.physio.name in text and physiotherapist.name in text
        assert clinic.massage.name in text and clinic.massage_therapists[0].name in text
        assert "until 8:30 a.m. MST" in text  # held for the clinic's 30 minutes from when it was offered
        assert not [word for word in health_words(clinic, "combined") if word.lower() in text.lower()]


def test_the_offer_email_is_not_owed_once_the_offer_is_withdrawn_or_expired(clinic: Clinic) -> None:
    entry = waiting(clinic, NOW - timedelta(days=3))
    offer = offering.offer_by_hand(entry.id, clinic.massage_therapists[0].id, TEN, by_staff=StaffUserFactory(
        admin=True), now=NOW)
    notice = offer_notice(offer)
    with pytest.raises(NotOwed):
        messages.render(notice, offer.expires_at)
    offering.withdraw(entry, now=NOW)
    db.session.commit()
    db.session.refresh(offer)
    with pytest.raises(NotOwed):
        messages.render(notice, NOW)


def test_the_joined_email_gives_the_place_and_its_link_and_no_health_words(clinic: Clinic) -> None:
    entry = waiting(clinic, NOW, kind="physiotherapy", therapist=clinic.physiotherapists[1])
    mail = messages.render(outbox.for_waitlist_joined(entry, now=NOW), NOW)
    assert mail.subject.startswith("You are on the waitlist")
    for text in (mail.text, mail.html):
        assert links.entry_url(entry) in text and f"/waitlist/{links.entry_token(entry)}" in text
        assert clinic.physio.name in text and clinic.physiotherapists[1].name in text
        assert "Monday December 28, 2026" in text  # four weeks
        assert not [word for word in health_words(clinic, "physiotherapy") if word.lower() in text.lower()]
    assert links.find_entry(links.entry_token(entry)) == entry


def test_new_hours_open_their_first_free_time(clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    login = StaffUserFactory(therapist=therapist)
    with time_machine.travel(NOW, tick=False):
        hours.add_shift(therapist.id, hours.Shift(weekday=6, start=time(20), end=time(21)), login)
    [opening] = db.session.scalars(select(WaitlistOpening))
    assert opening.cause == OpeningCause.HOURS and opening.key.startswith(f"hours:{therapist.id}:")
    assert (opening.starts_at, opening.ends_at) == (local(2026, 12, 6, 20), local(2026, 12, 6, 21))


def test_a_longer_shift_opens_its_first_free_time_and_a_shorter_one_nothing(clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    login = StaffUserFactory(therapist=therapist)
    with time_machine.travel(NOW, tick=False):
        stored = hours.add_shift(therapist.id, hours.Shift(weekday=6, start=time(20), end=time(21)), login)
        hours.change_shift(therapist.id, stored.id, hours.Shift(weekday=6, start=time(20), end=time(20, 30)), login)
        assert len(db.session.scalars(select(WaitlistOpening)).all()) == 1  # the shorter shift opened nothing
        hours.change_shift(therapist.id, stored.id, hours.Shift(weekday=6, start=time(19), end=time(20, 30)), login)
    openings = db.session.scalars(select(WaitlistOpening).order_by(WaitlistOpening.id)).all()
    assert len(openings) == 2 and openings[1].cause == OpeningCause.HOURS
    assert openings[1].starts_at == local(2026, 12, 6, 19)


def test_a_removed_time_off_opens_its_first_free_time(clinic: Clinic) -> None:
    therapist = clinic.massage_therapists[0]
    login = StaffUserFactory(therapist=therapist)
    away = TimeOff(therapist_id=therapist.id, starts_at=TEN, ends_at=TEN + timedelta(hours=3), reason="")
    db.session.add(away)
    db.session.commit()
    AppointmentFactory(service=clinic.massage, therapist=therapist, starts_at=TEN - timedelta(hours=1))
    with time_machine.travel(NOW, tick=False):
        hours.remove_time_off(therapist.id, away.id, login)
    [opening] = db.session.scalars(select(WaitlistOpening))
    assert opening.key == f"time-off:{away.id}" and opening.cause == OpeningCause.TIME_OFF
    assert opening.starts_at == TEN + timedelta(minutes=15)  # the visit before holds it until 10:15 (its buffer)
