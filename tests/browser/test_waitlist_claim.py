"""On a phone: no time suits, so the patient joins the waitlist from the times page; a visit at a time that suits is
cancelled, the worker's turn offers the freed time by email (a real SMTP server), and the patient books it from the
email's link with one tap. A second waitlister offered the same time at once opens their link afterwards and is told
kindly that it was taken. The claim and taken pages fit the screen, and axe finds no WCAG 2 A/AA violation on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from booking.clinic.settings import WEEKDAYS, clinic_settings
from booking.extensions import db
from booking.models import Appointment, ClinicSettings, Service, Therapist, WaitlistOpening
from booking.notifications import delivery
from booking.scheduling import Slot
from booking.scheduling.plans import EVENING
from booking.services.screenings import create_screening
from booking.services.visits import BookingRequest, PatientDetails, book
from booking.services.visits.availability import search_slots
from booking.services.visits.change import cancel
from booking.services.waitlist import entries, offering
from booking.services.waitlist.entries import JoinRequest
from tests.browser import test_booking_flow as single
from tests.browser.conftest import PHONE, LiveServer
from tests.browser.test_booking_flow import ZONE, about_you, clock, screen_for_physiotherapy, screenshot
from tests.browser.test_waitlist_join import fits_the_screen
from tests.smtp import SmtpServer

pytestmark = pytest.mark.browser

demo_clinic = single.demo_clinic  # the demo clinic, and the phone's page on which no request may fail
patient = single.patient

SERVICE = "physio-initial"
CLAIM_LINK = re.compile(r"https?://\S+/waitlist/offers/[\w-]+")
AVERY = PatientDetails(name="Avery Singh", email="avery.claims@example.com", phone="403-555-0199")
ROBIN = PatientDetails(name="Robin Tanaka", email="robin.claims@example.com", phone="403-555-0177")


@pytest.fixture
def mail(live_app: LiveServer) -> Iterator[SmtpServer]:
    """A real SMTP server the app sends to while the test runs."""
    config = live_app.app.config
    before = {name: config[name] for name in ("MAIL_SERVER", "MAIL_PORT")}
    with SmtpServer() as server:
        config.update(server.settings())
        try:
            yield server
        finally:
            config.update(before)


@pytest.fixture
def two_offers_at_once(live_app: LiveServer, demo_clinic: None) -> Iterator[None]:
    """The clinic offers a freed time to two waiting patients at once (its settings put back after)."""
    with live_app.app.app_context():
        row = db.session.get(ClinicSettings, 1)
        stored = row is not None
        if row is None:
            defaults = clinic_settings()
            row = ClinicSettings(**{column.key: getattr(defaults, column.key)
                                    for column in ClinicSettings.__table__.columns})
            db.session.add(row)
        before, row.waitlist_offers_at_once = row.waitlist_offers_at_once, 2
        db.session.commit()
    yield
    with live_app.app.app_context():
        row = db.session.get_one(ClinicSettings, 1)
        if stored:
            row.waitlist_offers_at_once = before
        else:
            db.session.delete(row)
        db.session.commit()


def an_evening_time(live_app: LiveServer) -> Slot:
    """The first open evening time of the service two days or more ahead (past the change cut-off)."""
    with live_app.app.app_context():
        service = db.session.scalars(select(Service).where(Service.code == SERVICE)).one()
        first = datetime.now(UTC).astimezone(ZONE).date() + timedelta(days=2)
        slots = search_slots(service, first, first + timedelta(days=13))
    return next(slot for slot in slots if EVENING.holds(slot.starts_at, ZONE))


def booked_by_someone_else(live_app: LiveServer, slot: Slot) -> int:
    """Another patient books the time; the visit's id."""
    with live_app.app.app_context():
        screening = create_screening({"concerns": ["chronic_pain"]})
        booked = book(BookingRequest(screening_id=str(screening.id), service_code=SERVICE,
                                     therapist_id=slot.therapist_id, starts_at=slot.starts_at,
                                     patient=PatientDetails("Jordan Blake", "jordan.blake@example.com", "403-555-0123")))
        return booked.appointment.id


def robin_joins(live_app: LiveServer, day: int) -> None:
    """A second patient joins the list online (after Avery) for the same service, day and part of the day."""
    with live_app.app.app_context():
        screening = create_screening({"concerns": ["chronic_pain"]})
        entries.join(JoinRequest(screening_id=str(screening.id), service_code=SERVICE, days=(day,),
                                 parts=("evening",), until=entries.default_until(datetime.now(UTC)), patient=ROBIN))


def cancelled_and_offered(live_app: LiveServer, visit_id: int) -> None:
    """The visit is cancelled; the worker's turn of the freed time offers it, and its emails are delivered."""
    with live_app.app.app_context():
        visit = db.session.get_one(Appointment, visit_id)
        cancel(visit, reason="Something came up")
        opening = db.session.scalars(select(WaitlistOpening).where(
            WaitlistOpening.therapist_id == visit.therapist_id, WaitlistOpening.starts_at == visit.starts_at)).one()
        notices = offering.advance(opening.id)
        assert [delivery.deliver(notice.id) for notice in notices] == ["sent", "sent"]


def claim_link(mail: SmtpServer, address: str) -> str:
    """The claim link in the plain text of the offer emailed to ``address``."""
    [offer] = [message for message in mail.sink.to(address) if "A time has opened for you" in message["Subject"]]
    text = offer.get_body(("plain",)).get_content()
    found = CLAIM_LINK.search(text)
    assert found is not None, text
    return found.group(0)


def test_join_on_the_phone_and_claim_the_freed_time_from_the_email(
        patient: Page, browser: Browser, live_app: LiveServer, mail: SmtpServer, two_offers_at_once: None) -> None:
    slot = an_evening_time(live_app)
    local = slot.starts_at.astimezone(ZONE)
    with live_app.app.app_context():
        therapist = db.session.get_one(Therapist, slot.therapist_id).name
    visit_id = booked_by_someone_else(live_app, slot)

    screen_for_physiotherapy(patient)
    patient.get_by_role("link", name="Book a physiotherapy appointment").click()
    patient.get_by_label("Physiotherapy initial assessment", exact=False).check()
    patient.get_by_role("button", name="Continue").click()
    patient.get_by_role("link", name="Join the waitlist").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Join the waitlist")
    patient.get_by_label(WEEKDAYS[local.weekday()]).check()
    patient.get_by_label("Evening", exact=False).check()
    about_you(patient, AVERY.name, AVERY.email, AVERY.phone or "")
    patient.get_by_role("button", name="Join the waitlist").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Your place on the waitlist")
    place_link = patient.locator(".manage-link a").get_attribute("href")
    assert place_link
    robin_joins(live_app, local.weekday())

    cancelled_and_offered(live_app, visit_id)
    avery_link, robin_link = claim_link(mail, AVERY.email), claim_link(mail, ROBIN.email)
    assert avery_link != robin_link and avery_link.startswith(live_app.url)

    patient.goto(avery_link)
    expect(patient.get_by_role("heading", level=1)).to_have_text("A time opened up for you")
    summary = patient.locator(".summary")
    expect(summary.locator("dt")).to_have_text(["Service", "Date", "Time", "Therapist"])
    expect(summary).to_contain_text("Physiotherapy initial assessment")
    expect(summary).to_contain_text(therapist)
    expect(summary).to_contain_text(clock(slot.starts_at))
    expect(patient.locator("main")).not_to_contain_text(re.compile("pain|screening|Avery", re.IGNORECASE))
    fits_the_screen(patient)
    screenshot(patient, "waitlist-3-offer")
    button = patient.get_by_role("button", name="Book this time")
    box = button.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44
    button.click()

    expect(patient.get_by_role("heading", level=1)).to_have_text("Your visit is booked")
    expect(patient.locator(".summary")).to_contain_text(clock(slot.starts_at))
    expect(patient.locator(".summary")).to_contain_text(therapist)
    screenshot(patient, "waitlist-4-booked")
    patient.goto(place_link)
    expect(patient.get_by_text("This place ended when you booked a time offered from the waitlist.")).to_be_visible()
    expect(patient.locator(".summary")).to_contain_text("Booked")

    robin = browser.new_context(**PHONE, base_url=live_app.url)
    try:
        other = robin.new_page()
        other.goto(robin_link)
        expect(other.get_by_role("heading", level=1)).to_have_text("Someone else just booked this time")
        expect(other.get_by_text("You are still on the waitlist", exact=False)).to_be_visible()
        other.get_by_role("link", name="See your place on the waitlist").click()
        expect(other.get_by_role("heading", level=1)).to_have_text("Your place on the waitlist")
        expect(other.locator(".summary")).to_contain_text("Waiting")
        other.go_back()
        fits_the_screen(other)
        screenshot(other, "waitlist-5-taken")
    finally:
        robin.close()
