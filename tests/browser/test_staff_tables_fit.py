"""In Chromium on a 375 px wide phone: every staff table fits the screen (no sideways scrolling of the page),
with rows in it: the audit log, notifications, appointments, care plans, a plan's pages, the staff logins, finding
a patient, a patient's record, joining two records, a therapist's page, and the other lists. Each cell of a table,
stacked as a card on the phone, is headed by its column's name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from booking.extensions import db
from booking.models import CarePlan, ClinicSettings, ContactMessage, Notification, TherapistQualification
from booking.services import audit
from tests.browser.conftest import LiveServer
from tests.browser.staff_pages import sign_in
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ScreeningFactory,
    ServiceFactory,
    StaffUserFactory,
    TherapistFactory,
    WorkingHoursFactory,
    open_every_day,
)

pytestmark = pytest.mark.browser
PHONE_375 = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
LONG_NAME = "Alexandra Montgomery-Villeneuve"
LONG_EMAIL = "alexandra.montgomery-villeneuve@example.com"


@dataclass(frozen=True)
class Clinic:
    """An admin (email, TOTP secret), a booked care plan, its physiotherapist's login, its massage therapist (trained
    in prenatal massage), its patient and another record of the same person."""

    admin: str
    secret: str
    plan_id: int
    therapist_login: str
    massage_therapist_id: int
    patient_id: int
    look_alike_id: int


@pytest.fixture
def clinic(live_app: LiveServer) -> Iterator[Clinic]:
    """The clinic, with a row on every list, long names included."""
    with live_app.app.app_context():
        if db.session.get(ClinicSettings, 1) is None:
            open_every_day()
        admin = StaffUserFactory(admin=True)
        physio = TherapistFactory(name="Priya Ramanathan-Okonkwo")
        massage = TherapistFactory(name="Marcus Leblanc-Tremblay", therapy_type="massage")
        massage.trained.append(TherapistQualification(code="prenatal_massage"))
        physio_service = ServiceFactory(name="Physiotherapy follow-up (45 minutes)")
        massage_service = ServiceFactory(name="Massage therapy (90 minutes)", massage=True)
        patient = PatientFactory(name=LONG_NAME, email=LONG_EMAIL)
        look_alike = PatientFactory(name=LONG_NAME, email=LONG_EMAIL, phone="+14035550199")
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
        AppointmentFactory(patient=look_alike, screening=ScreeningFactory(), therapist=physio, service=physio_service,
                           starts_at=first + timedelta(days=1))
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
        yield Clinic(admin.email, admin.totp_secret or "", plan.id, physio_login.email, massage.id, patient.id,
                     look_alike.id)


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


# On pages listing visits without a table, the visits shown are their rows; on a therapist's, what they are trained in.
TABLE_ROWS = "table tbody tr"
VISIT_ROWS = ".visit-list li, .history li"
TRAINED_IN = "input[name=qualifications]:checked"

# A stacked cell that shows no column name: a cell with text in a table's body whose ::before content is empty,
# except in a column of actions (its header is for screen readers only: each link or button says what it does).
UNLABELLED = """() => [...document.querySelectorAll("table tbody td, table tbody th")]
    .filter(cell => cell.textContent.trim())
    .filter(cell => !cell.closest("table").tHead?.rows[0].cells[cell.cellIndex]?.querySelector(".visually-hidden"))
    .filter(cell => ["none", "normal", ""].includes(getComputedStyle(cell, "::before").content))
    .map(cell => cell.textContent.trim())"""


def misfits(phone: Page, pages: dict[str, str]) -> dict[str, object]:
    """The pages, each with rows in it (the selector of its rows), that are wider than the screen (by how much), or
    whose table cells show no column name (their text)."""
    found: dict[str, object] = {}
    for path, rows in pages.items():
        phone.goto(path)
        expect(phone.locator(rows).first).to_be_visible()
        if overflow(phone) > 0:
            found[path] = overflow(phone)
        elif unlabelled := phone.evaluate(UNLABELLED):
            found[path] = unlabelled
    return found


def test_every_admin_table_fits_a_375_px_phone(phone: Page, clinic: Clinic) -> None:
    sign_in(phone, clinic.admin)
    phone.get_by_label("Code").fill(pyotp.TOTP(clinic.secret).now())
    phone.get_by_role("button", name="Continue").click()
    expect(phone).to_have_url(re.compile(r"/admin/today"))
    plan_id, patient_id = clinic.plan_id, clinic.patient_id
    assert misfits(phone, {
        **dict.fromkeys((
            "/admin/audit", "/admin/notifications", "/admin/appointments", "/admin/care-plans",
            f"/admin/care-plans/{plan_id}", f"/staff/care-plans/{plan_id}", "/admin/therapists", "/admin/services",
            "/admin/inbox", "/admin/staff-logins"), TABLE_ROWS),
        f"/admin/therapists/{clinic.massage_therapist_id}": TRAINED_IN,
        **dict.fromkeys((
            "/admin/patients?q=Montgomery", f"/admin/patients/{patient_id}",
            f"/admin/patients/{patient_id}/join/{clinic.look_alike_id}"), VISIT_ROWS)}) == {}


def test_every_therapist_table_fits_a_375_px_phone(phone: Page, clinic: Clinic) -> None:
    sign_in(phone, clinic.therapist_login)
    expect(phone).to_have_url(re.compile(r"/staff/schedule"))
    assert misfits(phone, dict.fromkeys(("/staff/hours", f"/staff/care-plans/{clinic.plan_id}"), TABLE_ROWS)) == {}
