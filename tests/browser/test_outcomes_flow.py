"""In Chromium: a patient of a care plan answers the PSFS on a phone through the emailed link (the activities named
at the first measurement), then the physiotherapist sees the answers and the change since the first on the visit
page, and the plan page charts each measure with its baseline and MCID band, a table beside each chart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from booking.extensions import db
from booking.models import AnsweredIn, CarePlan, ClinicSettings, Measurement, Questionnaire
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import LiveServer
from tests.browser.staff_pages import page_of_size, sign_in, snapshot
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ScreeningFactory,
    ServiceFactory,
    StaffUserFactory,
    TherapistFactory,
    open_every_day,
)
from tests.questionnaires.conftest import link

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Course:
    """The questions' link of the plan's next visit, that visit, the plan, and its physiotherapist's login."""

    link: str
    visit: str
    plan: int
    physio: str


@pytest.fixture
def course(live_app: LiveServer) -> Course:
    """A plan whose first (massage) session was answered a week ago (pain 7; stairs 3, lifting 4); its physiotherapy
    session is the day after tomorrow."""
    with live_app.app.app_context():
        if db.session.get(ClinicSettings, 1) is None:
            open_every_day()
        physio, massage = TherapistFactory(name="Paula Outcome"), TherapistFactory(name="Max Outcome",
                                                                                 therapy_type="massage")
        physio_service, massage_service = ServiceFactory(), ServiceFactory(massage=True)
        patient = PatientFactory(name="Robin Outcome")
        plan = CarePlan(patient_id=patient.id, screening_id=ScreeningFactory(kind="combined").id,
                        physiotherapist_id=physio.id, massage_therapist_id=massage.id,
                        physio_service_id=physio_service.id, massage_service_id=massage_service.id, goals="Stairs",
                        physio_sessions=2, physio_cadence_days=7, massage_sessions=2, massage_cadence_days=7,
                        tolerance_days=2, back_to_back=False, starts_on=date.today(),
                        created_by_id=StaffUserFactory(admin=True).id)
        db.session.add(plan)
        db.session.flush()
        now = datetime.now(UTC)
        first = AppointmentFactory(patient=patient, service=massage_service, therapist=massage, care_plan_id=plan.id,
                                   starts_at=now - timedelta(days=7), status="completed")
        questionnaire = Questionnaire(id=uuid.uuid4(), appointment_id=first.id, token_hash=uuid.uuid4().hex * 2,
                                      answered_at=now - timedelta(days=7, hours=1))
        db.session.add(questionnaire)
        db.session.flush()
        db.session.add(Measurement(questionnaire_id=questionnaire.id, patient_id=patient.id, care_plan_id=plan.id,
                                   number=1, answers={"nprs": 7, "psfs": [3, 4]},
                                   activities=["Climbing stairs", "Lifting my son"], answered_in=AnsweredIn.HOME,
                                   taken_at=now - timedelta(days=7, hours=1)))
        second = AppointmentFactory(patient=patient, service=physio_service, therapist=physio, care_plan_id=plan.id,
                                    starts_at=now + timedelta(days=2))
        db.session.commit()
        return Course(link(second), str(second.id), plan.id, StaffUserFactory(therapist=physio).email)


def test_a_psfs_answered_on_a_phone_reaches_the_visit_page_and_the_plan_chart(
        page: Page, course: Course, browser: Browser, browser_context_args: dict[str, Any]) -> None:
    patient = page  # a phone, 390 x 844
    patient.goto(course.link)
    expect(patient.get_by_role("heading", level=1)).to_have_text("A few questions before your visit")
    expect(patient.get_by_text("Climbing stairs").first).to_be_visible()
    patient.locator("#nprs-4").check()
    patient.locator("#rating_1-6").check()
    patient.locator("#rating_2-7").check()
    patient.locator("#groc-10").check()  # +3: somewhat better
    assert_accessible(patient)
    snapshot(patient, "outcomes-questions")
    patient.get_by_role("button", name="Send my answers").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Thank you")

    with page_of_size(browser, browser_context_args, "desktop") as therapist:
        sign_in(therapist, course.physio)
        therapist.goto(f"/staff/visits/{course.visit}")
        answers = therapist.locator("section.measured")
        expect(answers).to_contain_text(
            "NPRS 7 to 4, 3 points better than at the start: a meaningful improvement (the MCID is 2 points).")
        expect(answers).to_contain_text("PSFS 3.5 to 6.5, 3 points better than at the start: a meaningful improvement")
        expect(answers).to_contain_text('"Lifting my son": 7 of 10.')
        snapshot(therapist, "outcomes-visit")
        assert_accessible(therapist)

        therapist.goto(f"/staff/care-plans/{course.plan}")
        psfs = therapist.get_by_role("img", name="Patient-Specific Functional Scale (PSFS), 0 to 10, higher is better")
        expect(psfs).to_be_visible()
        expect(psfs.locator(".chart__band")).to_have_count(1)
        expect(psfs.locator("circle.chart__mark--physiotherapy")).to_have_count(1)
        expect(psfs.locator("rect.chart__mark--massage")).to_have_count(1)
        figure = therapist.locator("figure", has=psfs)
        expect(figure.locator("figcaption")).to_contain_text("PSFS 3.5 to 6.5 over 2 sessions.")
        expect(figure.locator("figcaption")).to_contain_text("Shaded: within 2 points (the MCID) of the baseline, 3.5")
        expect(psfs.locator(".chart__band-label")).to_have_text("MCID ±2")
        table = therapist.get_by_role("table", name="Patient-Specific Functional Scale (PSFS), 0 to 10, higher is "
                                                    "better: each session")
        expect(table.locator("tbody tr")).to_have_count(2)
        expect(table.locator("tbody tr").nth(1)).to_contain_text("6.5")
        snapshot(therapist, "outcomes-plan-chart")
        assert_accessible(therapist)
