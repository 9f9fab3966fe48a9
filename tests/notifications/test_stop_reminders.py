"""One click stops reminders, and only reminders: the link in every patient email, its page, the RFC 8058 headers."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, Patient
from booking.services import patient_records
from booking.services.privacy.reminders import stop_url
from booking.services.visits import manage_token, reschedule
from tests.factories import Clinic, PatientFactory, StaffUserFactory
from tests.notifications.conftest import ALEX, NOW, TEN, book_visit, deliver_due, notifications
from tests.notifications.test_courses import text_of
from tests.notifications.test_email_wording import CLINIC, html_of
from tests.smtp import SmtpServer
from tests.waitlist.records import entry

PUBLIC = "https://book.bowriver.example"
STOP_LINK = re.compile(re.escape(PUBLIC) + r"/stop-reminders/[0-9a-f-]{36}/[\w-]+")


@pytest.fixture(autouse=True)
def public(app: Flask) -> None:
    """Links under an https address, as in production (RFC 8058's one click needs one)."""
    app.config["PUBLIC_BASE_URL"] = PUBLIC


def stop_link(mail: object) -> str:
    """The "Stop reminders" link of an email's plain text."""
    found = STOP_LINK.search(text_of(mail))
    assert found, "the email has no Stop reminders link"
    return found.group()


def patient_of(email: str) -> Patient:
    """The patient record with this email, as stored now."""
    db.session.expire_all()
    return db.session.scalars(select(Patient).where(Patient.email == email)).one()


def subjects(smtp: SmtpServer) -> list[str]:
    """What the emails to Alex were, without their times and the clinic's name, in the order sent."""
    return [mail["Subject"].split(" – ")[0] for mail in smtp.sink.to(ALEX.email)]


def test_every_patient_email_names_the_clinic_and_carries_the_stop_link_and_no_staff_email_does(
        clinic: Clinic, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    visit = book_visit(clinic)
    for moment in (NOW, TEN - timedelta(hours=24), TEN - timedelta(hours=2)):
        clock.move_to(moment)
        deliver_due()
    assert subjects(smtp) == ["Your visit is booked", "Reminder: your visit", "A few questions before your visit",
                              "Reminder: your visit"]
    for mail in smtp.sink.to(ALEX.email):
        link = stop_link(mail)
        assert f'<a href="{link}">Stop reminders</a>' in html_of(mail)
        assert CLINIC in text_of(mail) and CLINIC.replace("&", "&amp;") in html_of(mail)
    [therapist_notice] = smtp.sink.to(visit.therapist.email)
    assert "stop-reminders" not in text_of(therapist_notice) and "stop-reminders" not in html_of(therapist_notice)
    assert therapist_notice["List-Unsubscribe"] is None


def test_a_one_click_stop_stops_the_reminders_and_nothing_else(app: Flask, clinic: Clinic, smtp: SmtpServer,
                                                              clock: time_machine.Coordinates) -> None:
    visit = book_visit(clinic)
    deliver_due()
    path = stop_link(smtp.sink.to(ALEX.email)[0]).removeprefix(PUBLIC)
    client = app.test_client()

    page = client.get(path)
    assert page.status_code == 200 and "Stop reminders?" in page.text
    assert page.text.count('type="submit"') == 1
    assert patient_of(ALEX.email).reminders_stopped_at is None  # opening the link (a mail scanner) stops nothing

    done = client.post(path)
    assert done.status_code == 200 and "Reminders are stopped" in done.text
    assert patient_of(ALEX.email).reminders_stopped_at == NOW
    assert client.get(path).text.count('type="submit"') == 0  # already stopped: nothing left to press

    reschedule(visit, TEN + timedelta(hours=2))
    clock.move_to(TEN + timedelta(minutes=90))
    deliver_due()
    assert subjects(smtp) == ["Your visit is booked", "Your visit has moved", "A few questions before your visit"]
    reminders = notifications(kind="reminder", version=visit.sequence)  # the new time's reminders
    assert reminders and {(n.status, n.last_error) for n in reminders} == {("skipped", "the patient stopped reminders")}
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reminders stopped")).all()
    assert (event.subject_type, event.subject_id, event.actor_id) == ("patient", str(visit.patient_id), None)


def test_a_reminder_carries_the_one_click_headers_and_a_mail_client_can_post_them(
        app: Flask, clinic: Clinic, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    book_visit(clinic)
    deliver_due()
    clock.move_to(TEN - timedelta(hours=24))
    deliver_due()
    confirmation, reminder = smtp.sink.to(ALEX.email)
    link = stop_link(reminder)
    assert reminder["List-Unsubscribe"] == f"<{link}>"
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert confirmation["List-Unsubscribe"] is None and confirmation["List-Unsubscribe-Post"] is None

    app.config["WTF_CSRF_ENABLED"] = True  # a mail client sends no cookie and no form token: the link is the key
    clicked = app.test_client().post(link.removeprefix(PUBLIC), data="List-Unsubscribe=One-Click",
                                     content_type="application/x-www-form-urlencoded")
    assert clicked.status_code == 200
    clock.move_to(TEN - timedelta(hours=2))
    deliver_due()
    assert subjects(smtp) == ["Your visit is booked", "Reminder: your visit", "A few questions before your visit"]


def test_only_the_links_own_token_stops_anything(app: Flask, clinic: Clinic) -> None:
    visit = book_visit(clinic)
    client = app.test_client()
    _, _, record_id, token = stop_url(visit.id).removeprefix(PUBLIC).split("/")
    altered = token[:-1] + ("B" if token.endswith("A") else "A")
    other = book_visit(clinic, TEN + timedelta(days=1), patient=replace(ALEX, email="sam@example.com"))
    for path in (f"/stop-reminders/{record_id}/{manage_token(visit)}", f"/stop-reminders/{record_id}/{altered}",
                 f"/stop-reminders/{other.id}/{token}"):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert {patient.reminders_stopped_at for patient in db.session.scalars(select(Patient))} == {None}


def test_a_waitlist_emails_link_stops_the_reminders_of_the_person_it_was_joined_into(app: Flask, clinic: Clinic) -> None:
    place = entry(clinic.massage, clinic.screenings["massage"], NOW)
    kept = PatientFactory()
    patient_records.join(kept, place.patient, StaffUserFactory(admin=True))
    response = app.test_client().post(stop_url(place.link_id).removeprefix(PUBLIC))
    assert response.status_code == 200
    db.session.expire_all()
    assert (db.session.get(Patient, kept.id).reminders_stopped_at, place.patient.reminders_stopped_at) == (NOW, None)


def test_a_stop_survives_a_join_of_records(clinic: Clinic) -> None:
    visit = book_visit(clinic)
    stopped = visit.patient
    stopped.reminders_stopped_at = NOW
    kept = PatientFactory()
    db.session.commit()
    patient_records.join(kept, stopped, StaffUserFactory(admin=True))
    assert db.session.get(Patient, kept.id).reminders_stopped_at == NOW

