"""In Chromium, phone and desktop: an admin turns a combined screening into a six-week back-to-back plan and
books it in one step; its physiotherapist completes a session, records an outcome and hands over a note, which
the massage therapist finds on the plan page; both therapists are told through the outbox at each step."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from booking.extensions import db
from booking.models import Appointment, CarePlan, ClinicSettings, Notification
from booking.services.visits.schedule import clinic_today
from tests.browser import staff_pages
from tests.browser.conftest import LiveServer
from tests.browser.staff_pages import screenshot, sign_in
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ScreeningFactory,
    ServiceFactory,
    StaffUserFactory,
    TherapistFactory,
    open_every_day,
)

pytestmark = pytest.mark.browser
size, staff_page = staff_pages.size, staff_pages.staff_page  # the fixtures: a phone and a desktop page
HANDOFF = "Hamstrings very tight today; went lighter on the left knee."


@dataclass(frozen=True)
class PlanClinic:
    """What the journey needs: the admin's login and TOTP secret, the two therapists' logins, ids and names."""

    admin: str
    secret: str
    physio: str
    massage: str
    physio_id: str
    massage_id: str
    physio_service: str
    massage_service: str
    patient: str


@pytest.fixture
def clinic(live_app: LiveServer, size: str) -> Iterator[PlanClinic]:
    """A combined screening in the queue (booked once before), two fresh therapists with logins, an admin."""
    with live_app.app.app_context():
        if db.session.get(ClinicSettings, 1) is None:
            open_every_day()
        physio = TherapistFactory(name=f"Priya Plan {size}")
        massage = TherapistFactory(name=f"Marcus Plan {size}", therapy_type="massage")
        physio_service, massage_service = ServiceFactory(), ServiceFactory(massage=True)
        patient = PatientFactory(name=f"Jordan Fox {size}")
        AppointmentFactory(patient=patient, screening=ScreeningFactory(kind="combined"),
                           starts_at=datetime.now(UTC) - timedelta(days=2))
        admin = StaffUserFactory(admin=True)
        yield PlanClinic(admin.email, admin.totp_secret or "", StaffUserFactory(therapist=physio).email,
                         StaffUserFactory(therapist=massage).email, str(physio.id), str(massage.id),
                         str(physio_service.id), str(massage_service.id), patient.name)


def plan_notices(live_app: LiveServer, event: str) -> list[int | None]:
    """The therapists told of this event of the newest plan."""
    with live_app.app.app_context():
        plan_id = db.session.scalar(select(CarePlan.id).order_by(CarePlan.id.desc()).limit(1))
        return sorted(db.session.scalars(select(Notification.therapist_id).where(
            Notification.care_plan_id == plan_id, Notification.event == event)))


def a_week_passes_for_the_first_pair(live_app: LiveServer) -> None:
    """Move the newest plan's first pair to yesterday, as if its day had come and gone."""
    with live_app.app.app_context():
        plan_id = db.session.scalar(select(CarePlan.id).order_by(CarePlan.id.desc()).limit(1))
        first = db.session.scalars(select(Appointment).where(Appointment.care_plan_id == plan_id)
                                   .order_by(Appointment.starts_at).limit(2)).all()
        back = timedelta(days=(first[0].starts_at.date() - datetime.now(UTC).date()).days + 1)
        for visit in first:
            db.session.execute(update(Appointment).where(Appointment.id == visit.id).values(
                starts_at=visit.starts_at - back, ends_at=visit.ends_at - back,
                blocked_until=visit.blocked_until - back))
        db.session.commit()


def test_an_admin_plans_and_books_a_course_and_both_therapists_work_it(staff_page: Page, size: str,
                                                                       clinic: PlanClinic,
                                                                       live_app: LiveServer) -> None:
    page = staff_page
    sign_in(page, clinic.admin)
    page.get_by_label("Code").fill(pyotp.TOTP(clinic.secret).now())
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Care plans").click()
    expect(page.get_by_role("heading", level=2, name="Needs a care plan")).to_be_visible()
    page.get_by_role("row", name=re.compile(clinic.patient)).get_by_role("link", name="Make a plan").click()

    page.get_by_label("Physiotherapist", exact=True).select_option(clinic.physio_id)
    page.get_by_label("Physiotherapy service", exact=True).select_option(clinic.physio_service)
    page.get_by_label("Physiotherapy sessions", exact=True).fill("6")
    page.get_by_label("Days between physiotherapy sessions").fill("7")
    page.get_by_label("Massage therapist", exact=True).select_option(clinic.massage_id)
    page.get_by_label("Massage service", exact=True).select_option(clinic.massage_service)
    page.get_by_label("Massage sessions", exact=True).fill("3")
    page.get_by_label("Days between massage sessions").fill("14")
    page.get_by_label("Goals, in plain words").fill("Run 10 km again without knee pain")
    page.get_by_label("Tolerance in days").fill("1")
    page.get_by_label("Massage right before physiotherapy on the same day").check()
    page.get_by_label("Start date").fill((clinic_today() + timedelta(days=1)).isoformat())
    screenshot(page, "care-plan-1-new", size)
    page.get_by_role("button", name=re.compile("Make the plan")).click()

    expect(page.get_by_text("The plan was made.")).to_be_visible()
    expect(page.locator("tr.care-plan-pair")).to_have_count(6)  # three massage-then-physiotherapy pairs
    screenshot(page, "care-plan-2-proposed", size)
    page.get_by_role("button", name="Book the whole course (9 visits)").click()
    expect(page.get_by_text("The whole course is booked: 9 visits.")).to_be_visible()
    both = sorted([int(clinic.physio_id), int(clinic.massage_id)])
    assert plan_notices(live_app, "plan_created") == both

    a_week_passes_for_the_first_pair(live_app)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, clinic.physio)
    page.get_by_role("link", name="Care plans").click()
    page.get_by_role("link", name=f"Care plan for {clinic.patient}").click()
    expect(page.locator(".session-counts")).to_have_text("0 done, 7 upcoming, 0 missed, 2 to mark.")
    page.get_by_role("table", name=re.compile("Begun, not marked yet")).get_by_role("link").click()
    page.get_by_role("button", name="Mark completed").click()
    expect(page.get_by_text("The visit is marked completed.")).to_be_visible()
    assert plan_notices(live_app, "session_completed") == both
    page.get_by_label("Pain now").select_option("4")
    page.get_by_label("Function, in one line").fill("Stairs without the rail")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.locator(".visit-outcome")).to_have_text("Pain now: 4 out of 10. Function: Stairs without the rail")
    page.get_by_label("Handoff note for the plan's other therapist").check()
    page.get_by_label("Note", exact=True).fill(HANDOFF)
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Your handoff note is saved; the other therapist is told.")).to_be_visible()
    assert plan_notices(live_app, "handoff_note") == [int(clinic.massage_id)]
    screenshot(page, "care-plan-3-physio-visit", size)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, clinic.massage)
    page.get_by_role("link", name="Care plans").click()
    page.get_by_role("link", name=f"Care plan for {clinic.patient}").click()
    expect(page.locator(".note--handoff")).to_contain_text(HANDOFF)
    typed_pain = "Pain now as the therapist recorded it, 0 to 10, lower is better"
    expect(page.get_by_role("img", name=typed_pain)).to_be_visible()
    expect(page.get_by_role("table", name=f"{typed_pain}: each session")).to_contain_text("Stairs without the rail")
    page.get_by_label("Handoff note", exact=True).fill("Worked the quads first; knee looked calmer after.")
    page.get_by_role("button", name="Save handoff note").click()
    expect(page.get_by_text("Your handoff note is saved; the other therapist is told.")).to_be_visible()
    expect(page.locator(".note--handoff")).to_have_count(2)
    assert plan_notices(live_app, "handoff_note") == both
    screenshot(page, "care-plan-4-massage-plan-page", size)
