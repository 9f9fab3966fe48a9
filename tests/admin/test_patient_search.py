"""Finding a patient from every admin page, and booking again for a known record without retyping."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, Patient
from tests.admin.test_phone_booking import admin, admin_user, clinic, screen
from tests.factories import AppointmentFactory, Clinic, PatientFactory, StaffUserFactory, local
from tests.staff_fixtures import signed_in

__all__ = ["admin", "admin_user", "clinic"]  # the fixtures, shared with the phone booking's tests


@pytest.fixture
def robin(clinic: Clinic) -> Patient:
    """Robin, with a visit to come and one in the past; and someone else."""
    robin = PatientFactory(name="Robin Caller", email="robin@example.com", phone="+14035550177")
    AppointmentFactory(patient=robin, service=clinic.physio, therapist=clinic.physiotherapists[0],
                       screening=clinic.screenings["physiotherapy"], starts_at=local(2026, 11, 2, 10))
    AppointmentFactory(patient=robin, service=clinic.massage, therapist=clinic.massage_therapists[0],
                       screening=clinic.screenings["massage"], starts_at=local(2026, 10, 1, 10), status="completed")
    PatientFactory(name="Sam Other", email="sam@example.com", phone="+15875550100")
    return robin


@pytest.mark.parametrize("terms", ["robin", "CALLER", "403-555-0177", "(403) 555 0177", "1 403 555 0177",
                                   "robin@example", "ROBIN@EXAMPLE.COM"])
def test_a_patient_is_found_by_name_phone_or_email_with_their_visits(admin: FlaskClient, robin: Patient,
                                                                     terms: str) -> None:
    page = admin.get("/admin/patients", query_string={"q": terms}).get_data(as_text=True)
    assert "1 record found" in page and "Sam Other" not in page
    assert f'href="/admin/patients/{robin.id}"' in page
    upcoming, past = page.split("Upcoming visits")[1].split("Past visits")
    assert "November 2" in upcoming and "Physiotherapy" in upcoming and "Booked" in upcoming
    assert "October 1" in past and "Completed" in past


def test_a_search_is_audited_without_what_was_typed(admin: FlaskClient, admin_user: object, robin: Patient) -> None:
    admin.get("/admin/patients", query_string={"q": "robin"})
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "patient_search"))
    assert (event.actor_id, event.action, event.detail) == (admin_user.id, "viewed", "1 records found")
    assert "robin" not in (event.detail or "").lower() and event.subject_id is None


@pytest.mark.parametrize(("terms", "error"), [("", "Type part of the patient"), ("r", "Type from 2 to 254"),
                                              ("x" * 255, "Type from 2 to 254"),
                                              ("%_", None), ("nobody", None)])
def test_a_bad_or_unmatched_search_says_so_and_keeps_the_terms(admin: FlaskClient, robin: Patient, terms: str,
                                                              error: str | None) -> None:
    response = admin.get("/admin/patients", query_string={"q": terms})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Robin Caller" not in page
    if error:
        assert "There is a problem" in page and error in page
    else:
        assert "No patient record matches" in page
    if terms:
        assert f'value="{terms}"' in page


def test_every_admin_page_has_the_search_box_and_a_therapist_gets_404(admin: FlaskClient,
                                                                      client: FlaskClient) -> None:
    for path in ("/admin/appointments", "/admin/settings", "/admin/audit", "/admin/book"):
        page = admin.get(path).get_data(as_text=True)
        assert re.search(r'<form class="staff-search" role="search" method="get" action="/admin/patients">', page)
    signed_in(client, StaffUserFactory())
    assert client.get("/admin/patients?q=robin").status_code == 404
    assert 'action="/admin/patients"' not in client.get("/staff/hours").get_data(as_text=True)


def test_the_patient_page_splits_visits_and_offers_to_book_again(admin: FlaskClient, robin: Patient) -> None:
    page = admin.get(f"/admin/patients/{robin.id}").get_data(as_text=True)
    upcoming, past = page.split("<h2>Upcoming visits</h2>")[1].split("<h2>Past visits</h2>")
    assert "November 2" in upcoming and "October 1" in past.split("Possibly the same person")[0]
    assert f'href="/admin/book?patient={robin.id}"' in page


def test_booking_again_fills_the_details_and_books_onto_the_same_record(admin: FlaskClient, clinic: Clinic,
                                                                          robin: Patient) -> None:
    response = admin.get(f"/admin/book?patient={robin.id}")
    assert response.status_code == 303 and response.location == "/admin/book?started=1"
    assert 'action="/admin/book"' in admin.get(response.location).get_data(as_text=True)  # the record still kept
    booking_page = screen(admin)
    query = f"service={clinic.physio.code}&therapist=any&start=2026-11-03T17:00:00Z"
    page = admin.get(f"{booking_page}/details?{query}").get_data(as_text=True)
    assert "record: the visit goes on it" in page and f'href="/admin/patients/{robin.id}">Robin Caller</a>' in page
    for name, value in (("name", "Robin Caller"), ("email", "robin@example.com"), ("phone", "+14035550177")):
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(value)}"', page)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
    response = admin.post(f"{booking_page}/details", data={
        "service": clinic.physio.code, "therapist": "any", "starts_at": "2026-11-03T17:00:00Z",
        "idempotency_key": key, "name": "Robin Caller", "email": "robin@example.com", "phone": "403 555 0177",
        "consent": "y"})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Patient)) == 2  # Robin and Sam: no new record
    visits = db.session.scalars(select(Appointment).where(Appointment.patient_id == robin.id)).all()
    assert len(visits) == 3
    assert "Booked for Robin Caller. Their confirmation email is on its way." in \
           admin.get(response.location).get_data(as_text=True)
    page = admin.get(f"/admin/patients/{robin.id}").get_data(as_text=True)
    assert "November 3" in page.split("<h2>Upcoming visits</h2>")[1].split("<h2>Past visits</h2>")[0]


def test_a_new_caller_is_not_linked_to_the_last_known_record(admin: FlaskClient, clinic: Clinic,
                                                             robin: Patient) -> None:
    admin.get(f"/admin/book?patient={robin.id}")
    admin.get("/admin/book")  # no screening under way: a fresh start, for a new caller
    booking_page = screen(admin)
    page = admin.get(f"{booking_page}/details?service={clinic.physio.code}&therapist=any"
                     "&start=2026-11-03T17:00:00Z").get_data(as_text=True)
    assert "record: the visit goes on it" not in page and "Robin Caller" not in page


def test_the_someone_else_link_books_a_new_record(admin: FlaskClient, clinic: Clinic, robin: Patient) -> None:
    admin.get(f"/admin/book?patient={robin.id}")
    booking_page = screen(admin)
    query = f"service={clinic.physio.code}&therapist=any&start=2026-11-03T17:00:00Z"
    page = admin.get(f"{booking_page}/details?{query}").get_data(as_text=True)
    link = re.search(r'href="([^"]*someone_else=1[^"]*)"', page).group(1).replace("&amp;", "&")
    response = admin.get(link)
    assert response.status_code == 303 and "someone_else" not in response.location
    page = admin.get(response.location).get_data(as_text=True)
    assert "record: the visit goes on it" not in page and 'value="Robin Caller"' not in page


@pytest.mark.parametrize("number", ["999999", "abc", "²", str(2**63), "9" * 5000])
def test_booking_again_for_an_unknown_record_is_not_found(admin: FlaskClient, clinic: Clinic, number: str) -> None:
    assert admin.get(f"/admin/book?patient={number}").status_code == 404


def test_the_desk_asks_a_known_callers_age_with_what_is_known_and_keeps_the_answer(
        admin: FlaskClient, clinic: Clinic, robin: Patient) -> None:
    robin.birth_date = date(2015, 6, 1)
    db.session.commit()
    admin.get(f"/admin/book?patient={robin.id}")
    booking_page = screen(admin)
    query = f"service={clinic.physio.code}&therapist=any&start=2026-11-03T17:00:00Z"
    page = admin.get(f"{booking_page}/details?{query}").get_data(as_text=True)
    assert "Is the patient under 18?" in page and re.search(r'checked[^>]*value="yes"|value="yes"[^>]*checked', page)
    assert 'value="2015-06-01"' in page
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
    response = admin.post(f"{booking_page}/details", data={
        "service": clinic.physio.code, "therapist": "any", "starts_at": "2026-11-03T17:00:00Z",
        "idempotency_key": key, "name": "Robin Caller", "email": "robin@example.com", "phone": "403 555 0177",
        "under_18": "yes", "birth_date": "2015-06-02", "consent": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get_one(Patient, robin.id).birth_date == date(2015, 6, 2)
