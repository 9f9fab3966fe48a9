"""In Chromium on a 375 px wide phone: every staff table fits the screen (no sideways scrolling of the page),
with rows in it: the audit log, notifications, appointments, care plans, a plan's pages, and the other lists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from booking.extensions import db
from booking.models import CarePlan, ClinicSettings, ContactMessage, Notification
from booking.services import audit
from tests.browser.conftest import LiveServer
from tests.browser.staff_pages import sign_in
from tests.factories import (AppointmentFactory, PatientFactory, ScreeningFactory, ServiceFactory, StaffUserFactory,
                             TherapistFactory, WorkingHoursFactory, open_every_day)

pytestmark = pytest.mark.browser
PHONE_375 = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
LONG_NAME = "Alexandra Montgomery-Villeneuve"
LONG_EMAIL = "alexandra.montgomery-villeneuve@example.com"


@pytest.fixture
def clinic(live_app: LiveServer) -> Iterator[tuple[str, str, int, str]]:
    """An admin (email, TOTP secret), a booked care plan (its id), its physiotherapist's login (email), and a row
    on every list, long names included."""
    with live_app.app.app_context():
        if db.session.get(ClinicSettings, 1) is None:
            open_every_day()
        admin = StaffUserFactory(admin=True)
        physio = TherapistFactory(name="Priya Ramanathan-Okonkwo")
        massage = TherapistFactory(name="Marcus Leblanc-Tremblay", therapy_type="massage")
        physio_service = ServiceFactory(name="Physiotherapy follow-up (45 minutes)")
        massage_service = ServiceFactory(name="Massage therapy (90 minutes)", massage=True)
        patient = PatientFactory(name=LONG_NAME, email=LONG_EMAIL)
        ScreeningFactory(kind="combined", plan_asked_at=datetime.now(UTC))
        screening = ScreeningFactory(kind="combined")
        first = datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0) + timedelta(days=2)
        plan = CarePlan(patient_id=patient.id, screening_id=screening.id, physiotherapist_id=physio.id,
                        massage_therapist_id=massage.id, physio_service_id=physio_service.id,
                        massage_service_id=massage_service.id, goals="Run 10 km again without knee pain",
                        physio_sessions=2, physio_cadence_days=7, massage_sessions=2, massage_cadence_days=7,
                        tolerance_days=1, back_to_back=False, starts_on=first.date(), created_by_id=admin.id)
        db.session.add(plan)
        db.session.flush()
        visits = [AppointmentFactory(patient=patient, screening=screening, therapist=therapist, service=service,
                                     care_plan_id=plan.id, starts_at=first + timedelta(days=7 * week, hours=hour))
                  for week in range(2) for hour, therapist, service in ((0, massage, massage_service),
                                                                        (2, physio, physio_service))]
        db.session.add_all([
            Notification(key=f"confirmation:{visits[0].id}", kind="confirmation", appointment_id=visits[0].id,
                         recipient=LONG_EMAIL, due_at=datetime.now(UTC) - timedelta(hours=1), status="failed",
                         attempts=5, last_error="550 5.1.1 <" + LONG_EMAIL + ">: Recipient address rejected"),
            ContactMessage(name=LONG_NAME, email=LONG_EMAIL, message="Do you offer evening visits on Thursdays?")])
        audit.record("changed", "settings", None, "opening hours, cancellation cut-off, reminder offsets",
                     actor=admin)
        physio_login = StaffUserFactory(therapist=physio)
        WorkingHoursFactory(therapist=physio, weekday=first.weekday(), start_time=time(7), end_time=time(20),
                            valid_from=first.date(), valid_to=first.date() + timedelta(days=60))
        db.session.commit()
        yield admin.email, admin.totp_secret or "", plan.id, physio_login.email


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict[str, object]) -> Iterator[Page]:
    """A 375 px wide phone."""
    context = browser.new_context(**{**browser_context_args, **PHONE_375})
    yield context.new_page()
    context.close()


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the 375 px screen (0: it fits). On a phone the layout viewport
    (window.innerWidth) widens to what overflows, so both it and the page's width are held to the screen's."""
    return page.evaluate("Math.max(document.documentElement.scrollWidth, window.innerWidth) - 375")


def tables_too_wide(phone: Page, paths: tuple[str, ...]) -> dict[str, int]:
    """The pages, each with rows in its tables, that are wider than the screen, and by how much."""
    too_wide = {}
    for path in paths:
        phone.goto(path)
        expect(phone.locator("table tbody tr").first).to_be_visible()
        if overflow(phone) > 0:
            too_wide[path] = overflow(phone)
    return too_wide


def test_every_admin_table_fits_a_375_px_phone(phone: Page, clinic: tuple[str, str, int, str]) -> None:
    email, secret, plan_id, _ = clinic
    sign_in(phone, email)
    phone.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    phone.get_by_role("button", name="Continue").click()
    expect(phone).to_have_url(re.compile(r"/admin/appointments"))
    assert tables_too_wide(phone, (
        "/admin/audit", "/admin/notifications", "/admin/appointments", "/admin/care-plans",
        f"/admin/care-plans/{plan_id}", f"/staff/care-plans/{plan_id}", "/admin/therapists", "/admin/services",
        "/admin/inbox")) == {}


def test_every_therapist_table_fits_a_375_px_phone(phone: Page, clinic: tuple[str, str, int, str]) -> None:
    _, _, plan_id, therapist = clinic
    sign_in(phone, therapist)
    expect(phone).to_have_url(re.compile(r"/staff/schedule"))
    assert tables_too_wide(phone, ("/staff/hours", f"/staff/care-plans/{plan_id}")) == {}
