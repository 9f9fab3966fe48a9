"""A visit's links stop working ``link_days_after_visit`` days after it ends: the manage page, the confirmation,
the calendar file, a pair's page and calendar file, and the questionnaire then answer a clear 410 page."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, ClinicSettings
from booking.services.questionnaires import questionnaire_for, questionnaire_token
from booking.services.visits import derive_manage_token
from tests.appointments.conftest import NOW
from tests.factories import AppointmentFactory, Clinic, PatientFactory, local

EXPIRED = "This link has expired"


def at(when: datetime) -> time_machine.travel:
    """The clock moved to ``when`` (from the frozen NOW of ``clinic``)."""
    return time_machine.travel(when, tick=False)


def pair(clinic: Clinic) -> tuple[Appointment, Appointment]:
    """A massage at 10:00 on Friday 30 October and the physiotherapy right after it, booked together."""
    patient, screening = PatientFactory(), clinic.screenings["combined"]
    massage = AppointmentFactory(patient=patient, screening=screening, service=clinic.massage,
                                 therapist=clinic.massage_therapists[0], starts_at=local(2026, 10, 30, 10))
    physio = AppointmentFactory(patient=patient, screening=screening, service=clinic.physio,
                                therapist=clinic.physiotherapists[0], starts_at=massage.ends_at)
    return massage, physio


def links_of(visit: Appointment) -> list[str]:
    """Every link that opens the visit without signing in: its manage link's pages and its questions."""
    token = derive_manage_token(visit.id)
    questionnaire = questionnaire_for(visit)
    db.session.commit()
    return [f"/book/manage/{token}", f"/book/confirmed/{token}", f"/book/manage/{token}/calendar.ics",
            f"/book/pair/{token}", f"/book/pair/{token}/calendar.ics", f"/q/{questionnaire_token(questionnaire)}"]


def test_the_links_work_until_thirty_days_after_the_visit_then_say_how_to_reach_the_clinic(
        client: FlaskClient, clinic: Clinic) -> None:
    massage, _ = pair(clinic)
    links = links_of(massage)
    with at(massage.ends_at + timedelta(days=30) - timedelta(seconds=1)):
        assert [client.get(link).status_code for link in links] == [200, 200, 200, 200, 200, 200]
    with at(massage.ends_at + timedelta(days=30)):
        answers = [client.get(link) for link in links]
    for link, response in zip(links, answers, strict=True):
        page = response.get_data(as_text=True)
        assert response.status_code == 410, link
        assert EXPIRED in page and "work until 30 days after the visit" in page
        assert "+1 403-555-0142" in page and "101 Riverfront Avenue SW, Calgary" in page
        assert clinic.massage_therapists[0].name not in page and massage.patient.name not in page


def test_an_expired_link_refuses_a_change_and_an_answer_too(client: FlaskClient, clinic: Clinic) -> None:
    massage, physio = pair(clinic)
    manage, _, _, _, _, questions = links_of(physio)
    with at(physio.ends_at + timedelta(days=31)):
        for path in (f"{manage}/cancel", f"{manage}/reschedule", questions):
            assert client.post(path, data={"nprs": "3"}).status_code == 410, path
    db.session.expire_all()
    assert (massage.status, physio.status, questionnaire_for(physio).answered_at) == ("booked", "booked", None)


def test_the_days_are_the_clinics_setting(client: FlaskClient, clinic: Clinic) -> None:
    db.session.scalars(select(ClinicSettings)).one().link_days_after_visit = 7
    db.session.commit()
    visit = AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0],
                               starts_at=local(2026, 10, 30, 10))
    manage = f"/book/manage/{derive_manage_token(visit.id)}"
    with at(visit.ends_at + timedelta(days=6)):
        assert client.get(manage).status_code == 200
    with at(visit.ends_at + timedelta(days=7)):
        expired = client.get(manage)
    assert expired.status_code == 410 and "work until 7 days after the visit" in expired.get_data(as_text=True)


def test_a_wrong_token_is_still_not_found_after_any_time(client: FlaskClient, clinic: Clinic) -> None:
    with at(NOW + timedelta(days=400)):
        assert client.get("/book/manage/not-a-token").status_code == 404
        assert client.get("/q/not-a-token").status_code == 404
