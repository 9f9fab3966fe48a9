"""Managing a visit through its secret link: see it, download it, cancel it, move it."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import icalendar
import pytest
import time_machine
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import Appointment
from booking.services.visits import derive_manage_token
from booking.services.visits.availability import search_slots
from tests.appointments.conftest import NOW, radio_options, slot_buttons
from tests.factories import AppointmentFactory, Clinic, local

VISIT = local(2026, 11, 2, 10)  # Monday 10:00 MST, four days after NOW


@pytest.fixture
def visit(clinic: Clinic) -> Appointment:
    """A physiotherapy visit booked with the clinic's first physiotherapist."""
    return AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0],
                              screening=clinic.screenings["physiotherapy"], starts_at=VISIT)


def url(visit: Appointment, action: str = "") -> str:
    return f"/book/manage/{derive_manage_token(visit.id)}" + (f"/{action}" if action else "")


def reloaded(visit: Appointment) -> Appointment:
    db.session.expire_all()
    return db.session.get(Appointment, visit.id)


def test_the_manage_page_shows_the_visit(client: FlaskClient, visit: Appointment) -> None:
    page = client.get(url(visit)).get_data(as_text=True)
    assert "Monday November 2, 2026" in page and "10:00 a.m. MST" in page
    assert visit.therapist.name in page and "Physiotherapy assessment" in page
    assert "Booked" in page
    assert "until Sunday November 1, 2026 at 10:00 a.m. MST" in page
    assert f'href="{url(visit, "cancel")}"' in page and f'href="{url(visit, "reschedule")}"' in page


@pytest.mark.parametrize("action", ["", "calendar.ics", "cancel", "reschedule"])
def test_a_wrong_token_is_not_found(client: FlaskClient, visit: Appointment, action: str) -> None:
    assert client.get(f"/book/manage/not-the-token/{action}".rstrip("/")).status_code == 404
    assert client.get("/book/confirmed/not-the-token").status_code == 404
    if action in ("cancel", "reschedule"):
        assert client.post(f"/book/manage/not-the-token/{action}").status_code == 404


def test_cancel_before_the_cut_off(client: FlaskClient, visit: Appointment) -> None:
    page = client.get(url(visit, "cancel")).get_data(as_text=True)
    assert "Cancel this visit?" in page and "Yes, cancel my visit" in page
    response = client.post(url(visit, "cancel"), data={"reason": "Feeling better"})
    assert response.status_code == 303 and response.location == url(visit)
    assert reloaded(visit).status == "cancelled"
    assert reloaded(visit).cancellation_reason == "Feeling better"
    page = client.get(url(visit)).get_data(as_text=True)
    assert "Your visit is cancelled" in page and "Cancelled" in page
    assert f'href="/book/{visit.screening_id}"' in page and "Book again" in page
    assert "Cancel this visit" not in page
    ics = icalendar.Calendar.from_ical(client.get(url(visit, "calendar.ics")).data)
    assert str(ics.walk("VEVENT")[0]["status"]) == "CANCELLED"


def test_cancelling_twice_is_refused_politely(client: FlaskClient, visit: Appointment) -> None:
    client.post(url(visit, "cancel"))
    response = client.post(url(visit, "cancel"), follow_redirects=True)
    assert response.status_code == 200
    assert "was cancelled, so it cannot be changed online" in response.get_data(as_text=True)


def test_after_the_cut_off_the_page_asks_to_call(client: FlaskClient, visit: Appointment) -> None:
    with time_machine.travel(VISIT - timedelta(hours=23), tick=False):
        page = client.get(url(visit)).get_data(as_text=True)
        assert "to change this visit, please call us" in page
        assert 'href="tel:+14035550142"' in page
        assert "Cancel this visit" not in page and "Move to another time" not in page
        assert "<form" not in page
        for action in ("cancel", "reschedule"):
            response = client.get(url(visit, action), follow_redirects=True)
            assert "please call us at +1 403-555-0142" in response.get_data(as_text=True)

        forced = client.post(url(visit, "cancel"), data={"reason": "x"}, follow_redirects=True)
        assert forced.status_code == 200
        assert "Please call the clinic at +1 403-555-0142" in forced.get_data(as_text=True)
        moved = client.post(url(visit, "reschedule"), follow_redirects=False,
                            data={"starts_at": "2026-11-04T17:00:00Z"})
        assert moved.status_code == 303
        assert "Please call the clinic" in client.get(moved.location).get_data(as_text=True)
    assert reloaded(visit).status == "booked" and reloaded(visit).starts_at == VISIT


def test_reschedule_with_the_same_therapist_frees_the_old_time(client: FlaskClient, clinic: Clinic,
                                                               visit: Appointment) -> None:
    page = client.get(url(visit, "reschedule"), query_string={"date": "2026-11-03"}).get_data(as_text=True)
    assert "Open times on Tuesday November 3, 2026" in page
    times = dict((label, value) for value, label in slot_buttons(page))
    assert "2:00 p.m. MST" in times
    confirm = client.get(url(visit, "reschedule"), query_string={"start": times["2:00 p.m. MST"]})
    page = confirm.get_data(as_text=True)
    assert "Move your visit to Tuesday November 3, 2026 at 2:00 p.m. MST?" in page
    response = client.post(url(visit, "reschedule"), data={"starts_at": times["2:00 p.m. MST"]})
    assert response.status_code == 303 and response.location == url(visit)
    moved = reloaded(visit)
    assert moved.starts_at == local(2026, 11, 3, 14) and moved.therapist_id == clinic.physiotherapists[0].id
    assert "Your visit is moved to Tuesday November 3, 2026 at 2:00 p.m. MST" in client.get(url(visit)).get_data(
        as_text=True)
    day = VISIT.date()
    free = search_slots(clinic.physio, day, day, therapist_id=clinic.physiotherapists[0].id)
    assert VISIT in [slot.starts_at for slot in free]


def test_reschedule_to_a_time_taken_meanwhile_answers_409_with_fresh_times(client: FlaskClient, clinic: Clinic,
                                                                          visit: Appointment) -> None:
    wanted = local(2026, 11, 3, 14)
    AppointmentFactory(service=clinic.physio, therapist=visit.therapist, starts_at=wanted)
    response = client.post(url(visit, "reschedule"), data={"starts_at": wanted.astimezone(UTC).isoformat()})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "That time was just taken" in page
    options = radio_options(page, "starts_at")
    assert ("2026-11-03T22:00:00Z", "Tuesday November 3 at 3:00 p.m. MST") in options
    assert reloaded(visit).starts_at == VISIT


def test_rescheduling_offers_times_that_overlap_the_visit_being_moved(client: FlaskClient, clinic: Clinic,
                                                                      visit: Appointment) -> None:
    page = client.get(url(visit, "reschedule"), query_string={"date": "2026-11-02"}).get_data(as_text=True)
    times = [label for _, label in slot_buttons(page)]
    assert "10:15 a.m. MST" in times  # inside the visit's own hour: free once the visit moves
    booking = client.get(f"/book/{clinic.screenings['physiotherapy'].id}/times",
                         query_string={"service": clinic.physio.code, "therapist": visit.therapist_id,
                                       "date": "2026-11-02"}).get_data(as_text=True)
    assert "10:15 a.m. MST" not in [label for _, label in slot_buttons(booking)]


def test_the_picker_is_the_same_component_in_booking_and_rescheduling(client: FlaskClient, clinic: Clinic,
                                                                      visit: Appointment) -> None:
    booking = client.get(f"/book/{clinic.screenings['physiotherapy'].id}/times",
                         query_string={"service": clinic.physio.code, "therapist": visit.therapist_id,
                                       "date": "2026-11-03"}).get_data(as_text=True)
    moving = client.get(url(visit, "reschedule"), query_string={"date": "2026-11-03"}).get_data(as_text=True)
    assert slot_buttons(booking) == slot_buttons(moving)
    assert 'class="day-form"' in booking and 'class="day-form"' in moving
    assert re.search(r'name="therapist"', booking) and not re.search(r'name="therapist"', moving)


def test_the_deadline_is_exact(client: FlaskClient, visit: Appointment) -> None:
    deadline = VISIT - timedelta(hours=24)
    with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
        assert "Cancel this visit" in client.get(url(visit)).get_data(as_text=True)
    with time_machine.travel(deadline, tick=False):
        assert "Cancel this visit" not in client.get(url(visit)).get_data(as_text=True)
    assert deadline > NOW


def test_a_visit_booked_inside_the_cut_off_is_confirmed_with_the_phone(client: FlaskClient, clinic: Clinic) -> None:
    soon = AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0],
                              screening=clinic.screenings["physiotherapy"], starts_at=local(2026, 10, 29, 15))
    page = client.get(f"/book/confirmed/{derive_manage_token(soon.id)}").get_data(as_text=True)
    assert "Your visit is booked" in page
    assert "to change it, please call us" in page and "online until" not in page


def test_the_confirmation_of_a_cancelled_visit_leads_to_the_manage_page(client: FlaskClient,
                                                                      visit: Appointment) -> None:
    client.post(url(visit, "cancel"))
    response = client.get(f"/book/confirmed/{derive_manage_token(visit.id)}")
    assert response.status_code == 302 and response.location == url(visit)
