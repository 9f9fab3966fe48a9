"""In Chromium on a 375 px wide phone: every staff page fits the screen (no sideways scrolling of the page; an
element that scrolls within itself may), every table with rows in it: the audit log, notifications, appointments,
care plans, a plan's pages, the staff logins, finding a patient, a patient's record, joining two records, a
therapist's page, and the other lists; and the pages without tables: a visit and its rescheduling, booking a caller,
the settings, the forms, a therapist's day, week, visit and shift. Each cell of a table, stacked as a card on the
phone, is headed by its column's name. (The phone of the other staff tests is 390 px wide: what fits here fits
there.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from booking.extensions import db
from booking.models import CarePlan, ClinicSettings, ContactMessage, Notification, TherapistQualification
from booking.models.waitlist import OfferStatus, OpeningStatus
from booking.services import audit
from tests.browser.conftest import LiveServer
from tests.browser.staff_pages import overflow, sign_in, sign_in_admin
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
from tests.waitlist.records import entry, offer, opening

pytestmark = pytest.mark.browser
PHONE_375 = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
LONG_NAME = "Alexandra Montgomery-Villeneuve"
LONG_EMAIL = "alexandra.montgomery-villeneuve@example.com"


@dataclass(frozen=True)
class Clinic:
    """An admin (email, TOTP secret), a booked care plan, its physiotherapist's login, its massage therapist (trained
    in prenatal massage), its patient and another record of the same person; the plan's first visit with the
    physiotherapist and its day, the physiotherapist's shift, a message, a service, and a place on the waitlist."""

    admin: str
    secret: str
    plan_id: int
    therapist_login: str
    massage_therapist_id: int
    patient_id: int
    look_alike_id: int
    visit_id: str
    visit_day: str
    shift_id: int
    message_id: int
    service_id: int
    entry_id: int


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
        message = ContactMessage(name=LONG_NAME, email=LONG_EMAIL, message="Do you offer evening visits on Thursdays?")
        db.session.add_all([
            Notification(key=f"confirmation:{visits[0].id}", kind="confirmation", appointment_id=visits[0].id,
                         recipient=LONG_EMAIL, due_at=datetime.now(UTC) - timedelta(hours=1), status="failed",
                         attempts=5, last_error="550 5.1.1 <" + LONG_EMAIL + ">: Recipient address rejected"),
            message])
        audit.record("changed", "settings", None, "opening hours, cancellation cut-off, reminder offsets",
                     actor=admin)
        waiting = entry(massage_service, screening, datetime.now(UTC) - timedelta(days=3), name=LONG_NAME,
                        pair_service=physio_service, therapist=massage, care_plan_id=plan.id)
        freed = opening(massage, datetime.now(UTC) - timedelta(minutes=5), OpeningStatus.OPEN, minutes=90)
        offer(freed, waiting, datetime.now(UTC) - timedelta(minutes=4), OfferStatus.OFFERED)
        physio_login = StaffUserFactory(therapist=physio)
        shift = WorkingHoursFactory(therapist=physio, weekday=first.weekday(), start_time=time(7), end_time=time(20),
                                    valid_from=first.date(), valid_to=first.date() + timedelta(days=60))
        db.session.commit()
        yield Clinic(admin.email, admin.totp_secret or "", plan.id, physio_login.email, massage.id, patient.id,
                     look_alike.id, str(visits[1].id), first.date().isoformat(), shift.id, message.id, physio_service.id,
                     waiting.id)


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict[str, object]) -> Iterator[Page]:
    """A 375 px wide phone."""
    context = browser.new_context(**{**browser_context_args, **PHONE_375})
    yield context.new_page()
    context.close()


# On pages listing visits without a table, the visits shown are their rows (on a therapist's schedule, its visits); on
# a therapist's page, what they are trained in; a page without a list has its heading.
TABLE_ROWS = "table tbody tr"
VISIT_ROWS = ".visit-list li, .history li"
SCHEDULED = ".grid-list-visit"  # on a phone the grid is a list per column
TRAINED_IN = "input[name=qualifications]:checked"
HEADING = "h1"

# A stacked cell that shows no column name: a shown cell with text in a table's body whose ::before content is empty,
# except in a column of actions (its header is for screen readers only: each link or button says what it does).
UNLABELLED = """() => [...document.querySelectorAll("table tbody td, table tbody th")]
    .filter(cell => cell.textContent.trim() && cell.checkVisibility())
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
    sign_in_admin(phone, clinic.admin, clinic.secret)
    plan_id, patient_id, visit_id = clinic.plan_id, clinic.patient_id, clinic.visit_id
    assert misfits(phone, {
        **dict.fromkeys((
            "/admin/audit", "/admin/notifications", "/admin/appointments", "/admin/care-plans",
            f"/admin/care-plans/{plan_id}", f"/staff/care-plans/{plan_id}", "/admin/therapists", "/admin/services",
            "/admin/inbox", "/admin/staff-logins", "/admin/waitlist", "/admin/waitlist/openings"), TABLE_ROWS),
        f"/admin/therapists/{clinic.massage_therapist_id}": TRAINED_IN,
        **dict.fromkeys((
            "/admin/patients?q=Montgomery", f"/admin/patients/{patient_id}",
            f"/admin/patients/{patient_id}/join/{clinic.look_alike_id}"), VISIT_ROWS),
        **dict.fromkeys((
            f"/admin/appointments/{visit_id}", f"/admin/appointments/{visit_id}/reschedule", "/admin/book",
            "/admin/patients", "/admin/settings", "/admin/closures", "/admin/services/new",
            f"/admin/services/{clinic.service_id}", "/admin/therapists/new", f"/admin/inbox/{clinic.message_id}",
            f"/admin/waitlist/{clinic.entry_id}/offer", "/staff/account"), HEADING)}) == {}


def test_every_therapist_table_fits_a_375_px_phone(phone: Page, clinic: Clinic) -> None:
    sign_in(phone, clinic.therapist_login)
    expect(phone).to_have_url(re.compile(r"/staff/schedule"))
    day = clinic.visit_day
    assert misfits(phone, {
        **dict.fromkeys(("/staff/hours", f"/staff/care-plans/{clinic.plan_id}"), TABLE_ROWS),
        **dict.fromkeys((f"/staff/schedule?day={day}", f"/staff/schedule?day={day}&view=week"), SCHEDULED),
        **dict.fromkeys((f"/staff/visits/{clinic.visit_id}", f"/staff/hours/shifts/{clinic.shift_id}",
                         "/staff/care-plans", "/staff/calendar-feed", "/staff/account"), HEADING)}) == {}
