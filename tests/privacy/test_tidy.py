"""The nightly tidy on a moved clock (the time handed to it, as the clock would give it): each kind of what is never
meant to be kept goes on its date and not a second before, and nothing else is touched."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from booking import outbox
from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import (
    CarePlanDismissal,
    ContactMessage,
    Notification,
    Screening,
    ScreeningDraft,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistOpening,
)
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningStatus
from booking.notifications import delivery
from booking.services.contact import save_message
from booking.services.privacy import tidy
from booking.services.screenings import DRAFT_LIFETIME, load_draft, save_draft
from booking.services.visits.manage_links import send_manage_links
from booking.services.waitlist import entries, overview
from tests.factories import (
    AppointmentFactory,
    Clinic,
    PatientFactory,
    ScreeningFactory,
    StaffUserFactory,
    care_plan,
    local,
    small_clinic,
)
from tests.notifications.conftest import deliver_due
from tests.smtp import SmtpServer
from tests.waitlist import records
from worker.schedule import beat_schedule

# A Monday morning at the clinic, a week before summer time begins; in UTC, so that days added are days of 24 hours.
T0 = local(2026, 3, 2, 9).astimezone(UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture
def clinic(app: Flask) -> Clinic:
    """Two therapists of each kind, 08:00-20:00 every day, and a screening of each kind (taken now, months after T0)."""
    return small_clinic()


def tidy_at(when: datetime) -> tidy.Tidied:
    """Tidy as the clock reads ``when``; what went, with the session reading afresh."""
    tidied = tidy.tidy(now=when)
    db.session.expire_all()
    return tidied


def ids(model: Any) -> set[object]:
    """The ids of the stored rows of ``model``."""
    return set(db.session.scalars(select(model.id)))


def test_a_screening_nothing_was_booked_with_goes_on_its_ninetieth_day(clinic: Clinic) -> None:
    booked = AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0],
                                starts_at=T0 + timedelta(days=2)).screening
    cancelled = AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[1],
                                   starts_at=T0 + timedelta(days=2), status="cancelled").screening
    planned = ScreeningFactory(kind="combined", created_at=T0)
    care_plan(clinic, planned)
    waiting = ScreeningFactory(kind="massage", created_at=T0)
    records.entry(clinic.massage, waiting, T0)
    dismissed = ScreeningFactory(kind="combined", created_at=T0)
    db.session.add(CarePlanDismissal(screening_id=dismissed.id, reason="Booked by phone instead",
                                     dismissed_by_id=StaffUserFactory(admin=True).id))
    unbooked = ScreeningFactory(created_at=T0)
    later = ScreeningFactory(created_at=T0 + timedelta(days=1))
    booked.created_at = cancelled.created_at = T0
    db.session.commit()
    kept = {booked.id, cancelled.id, planned.id, waiting.id} | {screening.id for screening in clinic.screenings.values()}

    assert tidy_at(T0 + timedelta(days=90) - SECOND).screenings == 0
    assert {unbooked.id, dismissed.id, later.id} < ids(Screening)
    assert tidy_at(T0 + timedelta(days=90)).screenings == 2
    assert ids(Screening) == kept | {later.id}
    assert db.session.scalars(select(CarePlanDismissal)).all() == []
    assert tidy_at(T0 + timedelta(days=91)).screenings == 1 and ids(Screening) == kept


def test_a_screening_in_progress_goes_once_its_draft_has_expired(app: Flask) -> None:
    token = save_draft(None, {"concerns": ["chronic_pain"]}, now=T0)
    assert tidy_at(T0 + DRAFT_LIFETIME - SECOND).drafts == 0
    assert load_draft(token, now=T0 + DRAFT_LIFETIME - SECOND) == {"concerns": ["chronic_pain"]}
    assert tidy_at(T0 + DRAFT_LIFETIME).drafts == 1
    assert db.session.scalar(select(func.count()).select_from(ScreeningDraft)) == 0


def test_a_contact_message_and_the_clinics_copy_go_a_year_after_it_came(app: Flask) -> None:
    old = save_message(name="Sam Lee", email="sam@example.com", phone=None, message="Do you direct bill?")
    recent = save_message(name="Kai Roy", email="kai@example.com", phone=None, message="Is there parking?")
    old.created_at, recent.created_at = T0, T0 + timedelta(days=200)
    db.session.commit()
    assert tidy_at(T0 + timedelta(days=365) - SECOND).contact_messages == 0
    assert ids(ContactMessage) == {old.id, recent.id}
    assert tidy_at(T0 + timedelta(days=365)).contact_messages == 1
    assert ids(ContactMessage) == {recent.id}
    assert [row.contact_message_id for row in db.session.scalars(select(Notification))] == [recent.id]


def test_an_address_typed_into_manage_my_booking_is_cleared_once_its_email_is_done(app: Flask,
                                                                                   clinic: Clinic) -> None:
    for email, therapist in (("alex@example.com", 0), ("gone@example.com", 1)):
        AppointmentFactory(patient=PatientFactory(email=email), service=clinic.physio,
                           therapist=clinic.physiotherapists[therapist])  # tomorrow
    for typed in ("alex@example.com", "nobody@example.com", "gone@example.com", "later@example.com"):
        send_manage_links(typed)
    asked = {row.recipient: row for row in db.session.scalars(select(Notification))}
    asked["later@example.com"].due_at = moment() + timedelta(hours=1)  # its sending is still to come
    db.session.commit()
    assert tidy_at(moment()).addresses == 0  # none sent yet: each is still needed
    with SmtpServer() as server:
        app.config.update(server.settings())
        delivery.deliver(asked["alex@example.com"].id)
        server.sink.refuse("550 No such user here")  # gone@example.com's is refused for good
        deliver_due()
        [sent] = server.sink.to("alex@example.com")
    assert sent["Subject"].startswith("Your upcoming visits")
    tidied = tidy_at(moment())
    statuses = {row.status: row.recipient for row in db.session.scalars(select(Notification))}
    assert tidied.addresses == 3
    assert statuses == {"sent": None, "skipped": None, "failed": None, "pending": "later@example.com"}


def test_a_place_that_ended_without_a_booking_goes_thirty_days_later_with_its_offers_and_emails(clinic: Clinic) -> None:
    massage, screening = clinic.massage, clinic.screenings["massage"]
    left = records.entry(massage, screening, T0 - timedelta(days=5))
    booked = records.entry(massage, screening, T0 - timedelta(days=9), status=EntryStatus.BOOKED)
    still = records.entry(massage, screening, T0 - timedelta(days=1), waits=timedelta(weeks=20))
    freed = records.opening(clinic.massage_therapists[0], T0 - timedelta(hours=3), OpeningStatus.FILLED,
                            filled_by=booked)
    withdrawn = records.offer(freed, left, T0 - timedelta(hours=2), OfferStatus.OFFERED,
                              window=timedelta(hours=4))
    claimed = records.offer(freed, booked, T0 - timedelta(hours=2), OfferStatus.CLAIMED, answered_at=T0)
    outbox.for_waitlist_joined(left, now=moment())
    outbox.for_waitlist_offer(withdrawn, now=moment())
    outbox.for_waitlist_joined(still, now=moment())
    db.session.commit()
    entries.leave(left, now=T0)
    figure = overview.fill_rate(now=T0)

    assert tidy_at(T0 + timedelta(days=30) - SECOND).waitlist_places == 0
    assert left.id in ids(WaitlistEntry)
    tidied = tidy_at(T0 + timedelta(days=30))
    assert (tidied.waitlist_places, tidied.waitlist_offers) == (1, 1)
    assert ids(WaitlistEntry) == {booked.id, still.id} and ids(WaitlistOffer) == {claimed.id}
    assert ids(WaitlistOpening) == {freed.id}
    assert [row.waitlist_entry_id for row in db.session.scalars(select(Notification))] == [still.id]
    assert overview.fill_rate(now=T0) == figure
    assert screening.id in ids(Screening)  # still held by the places that stay


def test_an_expired_place_goes_thirty_days_after_its_until(clinic: Clinic) -> None:
    place = records.entry(clinic.physio, clinic.screenings["physiotherapy"], T0, waits=timedelta(days=10))
    db.session.commit()
    entries.expire_passed(now=place.until)
    assert tidy_at(place.until + timedelta(days=30) - SECOND).waitlist_places == 0
    assert tidy_at(place.until + timedelta(days=30)).waitlist_places == 1
    assert ids(WaitlistEntry) == set()


def test_the_log_gives_counts_and_nothing_a_row_held(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    save_message(name="Sam Lee", email="sam@example.com", phone=None, message="Do you direct bill?").created_at = T0
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="booking.services.privacy.tidy"):
        tidy_at(T0 + timedelta(days=365))
    [line] = [record.getMessage() for record in caplog.records if record.name == "booking.services.privacy.tidy"]
    assert "1 contact messages" in line
    assert "sam@example.com" not in line and "Sam Lee" not in line and "direct bill" not in line


def test_the_scheduler_tidies_every_night_at_the_clinics_night(app: Flask) -> None:
    entry = beat_schedule(app.config)["privacy-tidy"]
    assert entry["task"] == "privacy.tidy"
    night = entry["schedule"]
    assert (night.hour, night.minute) == ({10}, {15})  # 03:15 in Calgary's standard time, 04:15 in summer
