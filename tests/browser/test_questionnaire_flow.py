"""A patient answers the questions before a visit on a phone: errors first, then the answers, then thanks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from booking.extensions import db
from booking.models import Measurement, Service
from booking.models.base import utcnow
from tests.browser.conftest import LiveServer
from tests.browser.test_booking_flow import demo_clinic, screenshot
from tests.factories import AppointmentFactory
from tests.questionnaires.conftest import link

__all__ = ["demo_clinic"]


@pytest.fixture
def questions_path(live_app: LiveServer, demo_clinic: None) -> str:
    """The link of the questions before a physiotherapy assessment the day after tomorrow."""
    with live_app.app.app_context():
        assessment = db.session.scalars(select(Service).where(Service.code == "physio-initial")).one()
        return link(AppointmentFactory(service=assessment, starts_at=utcnow() + timedelta(days=2)))


def test_a_patient_answers_on_a_phone_and_is_thanked(page: Page, live_app: LiveServer, questions_path: str) -> None:
    patient = page  # its form with errors answers 400, as every form's does
    patient.goto(questions_path)
    expect(patient.get_by_role("heading", level=1)).to_have_text("A few questions before your visit")
    patient.get_by_label("Activity 1").fill("Climbing stairs")
    patient.locator("#rating_1-3").check()
    patient.get_by_label("Activity 2").fill("Lifting my son")
    screenshot(patient, "questionnaire-phone")
    with patient.expect_response(lambda answer: answer.status == 400):
        patient.get_by_role("button", name="Send my answers").click()
    summary = patient.get_by_role("alert")
    expect(summary).to_contain_text("Choose your pain right now, from 0 to 10.")
    expect(summary).to_contain_text('Choose how able you are today to do "Lifting my son", from 0 to 10.')
    expect(patient.get_by_label("Activity 1")).to_have_value("Climbing stairs")
    expect(patient.locator("#rating_1-3")).to_be_checked()
    patient.locator("#nprs-6").check()
    patient.locator("#rating_2-5").check()
    patient.get_by_role("button", name="Send my answers").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Thank you")
    with live_app.app.app_context():
        measurement = db.session.scalars(select(Measurement).order_by(Measurement.id.desc())).first()  # the demo's too
        assert measurement is not None
        assert (measurement.answers, measurement.activities) == (
            {"nprs": 6, "psfs": [3, 5]}, ["Climbing stairs", "Lifting my son"])
