"""Booking a caller from an empty time of the calendar: that therapist and time chosen first, the same screening,
then straight to the details when the time still holds the visit, or that therapist's times of the day and why."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.forms.screening import QUESTION
from booking.models import Appointment, Patient
from tests.admin.test_phone_booking import NO_FLAGS, NOW, screen
from tests.factories import AppointmentFactory, Clinic, PatientFactory, TherapistFactory, local
from tests.staff_fixtures import clinic_with_admin

TEN = "2026-11-02T17:00:00Z"  # Monday November 2, 10:00 a.m. MST
CHOSEN = "Monday November 2 at 10:00 a.m. MST"

clinic, admin_user, admin = clinic_with_admin(NOW)


def start_from_calendar(admin: FlaskClient, therapist_id: int | str, start: str = TEN, extra: str = "") -> str:
    """Open the booking from an empty cell of the calendar; the first step's page."""
    response = admin.get(f"/admin/book?therapist={therapist_id}&start={start}{extra}")
    assert response.status_code == 303 and response.location == "/admin/book?started=1"
    return admin.get(response.location).get_data(as_text=True)



def chosen_therapist(page: str) -> str:
    """The therapist ticked on the times page."""
    return re.search(r'<input checked id="therapist-\d+" name="therapist" type="radio" value="([^"]+)"', page).group(1)


def test_the_chosen_time_goes_straight_to_the_details_and_books_there(admin: FlaskClient, clinic: Clinic) -> None:
    dana = clinic.physiotherapists[1]
    page = start_from_calendar(admin, dana.id)
    assert f"Booking with {dana.name}, {CHOSEN}" in page and QUESTION["concerns"]["text"] in page
    booking_page = screen(admin)
    page = admin.get(booking_page).get_data(as_text=True)
    assert f"Booking with {dana.name}, {CHOSEN}" in page and clinic.physio.name in page
    assert clinic.massage.name not in page  # the services Dana gives
    response = admin.get(f"{booking_page}?service={clinic.physio.code}")
    assert response.status_code == 303
    assert response.location == (f"{booking_page}/details?service={clinic.physio.code}&therapist={dana.id}"
                                 f"&start={TEN}")
    page = admin.get(response.location).get_data(as_text=True)
    assert "10:00 a.m. MST" in page and dana.name in page
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
    response = admin.post(f"{booking_page}/details", data={
        "service": clinic.physio.code, "therapist": str(dana.id), "starts_at": TEN, "idempotency_key": key,
        "name": "Robin Caller", "email": "", "phone": "403 555 0177", "consent": "y"})
    visit = db.session.scalar(select(Appointment))
    assert response.status_code == 303 and (visit.therapist_id, visit.starts_at) == (dana.id, local(2026, 11, 2, 10))
    assert "Booking with" not in admin.get("/admin/book").get_data(as_text=True)  # the next caller starts afresh


def test_a_time_taken_meanwhile_shows_that_therapists_times_of_the_day(admin: FlaskClient, clinic: Clinic) -> None:
    dana = clinic.physiotherapists[1]
    start_from_calendar(admin, dana.id)
    booking_page = screen(admin)
    AppointmentFactory(service=clinic.physio, therapist=dana, starts_at=local(2026, 11, 2, 9, 30))
    response = admin.get(f"{booking_page}?service={clinic.physio.code}")
    assert response.status_code == 303
    assert response.location == f"{booking_page}?service={clinic.physio.code}&therapist={dana.id}&date=2026-11-02"
    page = admin.get(response.location).get_data(as_text=True)
    assert f"{CHOSEN} is no longer open: {dana.name} has another visit then." in page
    assert chosen_therapist(page) == str(dana.id)
    starts = re.findall(r'name="start" value="([^"]+)"', page)
    assert TEN not in starts and "2026-11-02T17:30:00Z" in starts  # 10:30, once the other visit ends


def test_a_service_longer_than_the_gap_says_so(admin: FlaskClient, clinic: Clinic) -> None:
    dana = clinic.physiotherapists[1]
    AppointmentFactory(service=clinic.physio, therapist=dana, starts_at=local(2026, 11, 2, 10, 30))
    start_from_calendar(admin, dana.id)
    booking_page = screen(admin)
    response = admin.get(f"{booking_page}?service={clinic.physio.code}")
    page = admin.get(response.location).get_data(as_text=True)
    assert (f"{dana.name} is free from 10:00 a.m. MST only until 10:30 a.m. MST: a 60-minute visit does not fit."
            in page)
    assert "2026-11-02T16:30:00Z" in re.findall(r'name="start" value="([^"]+)"', page)  # 9:30 still fits


def test_a_red_flag_still_ends_it_with_the_advice(admin: FlaskClient, clinic: Clinic) -> None:
    start_from_calendar(admin, clinic.physiotherapists[1].id)
    emergency = next(o["code"] for o in QUESTION["red_flags"]["options"] if o["urgency"] == "emergency")
    page = admin.get(screen(admin, red_flag=emergency)).get_data(as_text=True)
    assert "Do not book" in page and "call 911" in page and "Booking with" not in page
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0


def test_a_therapist_of_another_kind_is_said_plainly_and_any_therapist_offered(admin: FlaskClient,
                                                                              clinic: Clinic) -> None:
    lee = clinic.massage_therapists[0]
    start_from_calendar(admin, lee.id)
    booking_page = screen(admin)
    page = admin.get(booking_page).get_data(as_text=True)
    assert (f"{lee.name} gives massage therapy, which this caller&#39;s screening does not recommend. Choose a "
            "service below, then any therapist who gives it.") in page
    assert f'value="{clinic.physio.code}"' in page and 'name="date" value="2026-11-02"' in page
    page = admin.get(f"{booking_page}?date=2026-11-02&service={clinic.physio.code}").get_data(as_text=True)
    assert chosen_therapist(page) == "any" and "2026-11-02T17:00:00Z" in page


def test_any_therapist_instead_lets_the_choice_go(admin: FlaskClient, clinic: Clinic) -> None:
    start_from_calendar(admin, clinic.physiotherapists[1].id)
    booking_page = screen(admin)
    response = admin.get(f"{booking_page}?any_therapist=1")
    assert response.status_code == 303 and response.location == booking_page
    assert "Booking with" not in admin.get(booking_page).get_data(as_text=True)
    response = admin.get(f"{booking_page}?service={clinic.physio.code}")
    assert response.status_code == 200 and chosen_therapist(response.get_data(as_text=True)) == "any"


@pytest.mark.parametrize(("therapist", "start", "message"), [
    ("999999", TEN, "That therapist is unknown or no longer takes bookings."),
    ("abc", TEN, "That therapist is unknown or no longer takes bookings."),
    (str(2**63), TEN, "That therapist is unknown or no longer takes bookings."),
    ("9" * 5000, TEN, "That therapist is unknown or no longer takes bookings."),
    ("inactive", TEN, "That therapist is unknown or no longer takes bookings."),
    ("dana", "tuesday", "The time chosen could not be read."),
    ("dana", "", "The time chosen could not be read."),
    ("dana", "2026-10-29T14:00:00Z", "Thursday October 29 at 8:00 a.m. MDT has passed."),
])
def test_a_bad_link_starts_the_booking_without_the_choice(admin: FlaskClient, clinic: Clinic, therapist: str,
                                                          start: str, message: str) -> None:
    ids = {"dana": str(clinic.physiotherapists[1].id),
           "inactive": str(TherapistFactory(active=False).id)}
    page = start_from_calendar(admin, ids.get(therapist, therapist), start)
    assert f"{message} The booking starts without a chosen therapist and time." in page
    assert "Booking with" not in page and QUESTION["concerns"]["text"] in page
    booking_page = screen(admin)
    assert "Booking with" not in admin.get(booking_page).get_data(as_text=True)
    assert admin.get(f"{booking_page}?service={clinic.physio.code}").status_code == 200


def test_a_known_patient_and_a_chosen_time_together(admin: FlaskClient, clinic: Clinic) -> None:
    robin = PatientFactory(name="Robin Caller", email="robin@example.com", phone="+14035550177")
    dana = clinic.physiotherapists[1]
    start_from_calendar(admin, dana.id, extra=f"&patient={robin.id}")
    booking_page = screen(admin)
    response = admin.get(f"{booking_page}?service={clinic.physio.code}")
    page = admin.get(response.location).get_data(as_text=True)
    assert "record: the visit goes on it" in page and 'value="Robin Caller"' in page and dana.name in page
    assert admin.get(f"/admin/book?therapist={dana.id}&start={TEN}&patient=999999").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Patient)) == 1


def test_a_fresh_start_forgets_the_choice(admin: FlaskClient, clinic: Clinic) -> None:
    start_from_calendar(admin, clinic.physiotherapists[1].id)
    assert "Booking with" not in admin.get("/admin/book").get_data(as_text=True)
    booking_page = screen(admin)
    assert "Booking with" not in admin.get(booking_page).get_data(as_text=True)


def test_the_choice_is_kept_through_the_screenings_steps(admin: FlaskClient, clinic: Clinic) -> None:
    dana = clinic.physiotherapists[1]
    start_from_calendar(admin, dana.id, start=(local(2026, 11, 2, 10) + timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%S%z"))
    admin.post("/admin/book", data={"concerns": ["chronic_pain"], "action": "continue"})
    page = admin.get("/admin/book/warning-signs").get_data(as_text=True)
    assert f"Booking with {dana.name}, Monday November 2 at 11:00 a.m. MST" in page
    for path in ("/admin/book", "/admin/book?started=1"):  # back to step 1 with the screening under way
        page = admin.get(path).get_data(as_text=True)
        assert f"Booking with {dana.name}" in page
        assert re.search(r'<input checked id="concerns-\d+" name="concerns" type="checkbox" value="chronic_pain">', page)


def test_a_therapist_not_trained_for_the_callers_cautions_is_said_plainly(admin: FlaskClient, clinic: Clinic) -> None:
    lee = clinic.massage_therapists[0]  # not trained in prenatal massage
    start_from_calendar(admin, lee.id)
    admin.post("/admin/book", data={"concerns": ["relaxation"], "action": "continue"})
    admin.post("/admin/book/warning-signs", data={**NO_FLAGS, "action": "continue"})
    admin.post("/admin/book/health", data={"precautions": ["pregnancy"], "action": "continue"})
    response = admin.post("/admin/book/details", data={"pain_level": "2", "symptom_weeks": "6",
                                                       "preference": "no_preference", "action": "continue"})
    page = admin.get(response.location).get_data(as_text=True)
    assert (f"{lee.name} is not trained in prenatal massage, which this caller&#39;s screening calls for. Choose a "
            "service below, then any therapist who gives it.") in page
    assert f'value="{clinic.massage.code}"' in page
