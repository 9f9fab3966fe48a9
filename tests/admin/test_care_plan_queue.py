"""Who enters the admins' "needs a care plan" queue: a combined screening whose patient asked for a plan or booked
with it, never one only made (as anyone can through the API); and the queue says why each entry is there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_appointments_api import booking
from tests.factories import ANSWERS, Clinic, StaffUserFactory, local, small_clinic
from tests.staff_fixtures import signed_in

NOW = local(2026, 11, 30, 8)  # a Monday morning
EMPTY = "No screening is waiting for a care plan."


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic with a screening of each kind, at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield small_clinic()


def queue_page(app: Flask) -> str:
    """The admins' care-plan page, as a fresh admin sees it."""
    return signed_in(app.test_client(), StaffUserFactory(admin=True)).get("/admin/care-plans").get_data(as_text=True)


def test_combined_screenings_made_through_the_api_do_not_fill_the_queue(app: Flask, client: FlaskClient,
                                                                          clinic: Clinic) -> None:
    for _ in range(5):
        made = client.post("/api/v1/screenings", json=ANSWERS["combined"])
        assert made.status_code == 201 and made.json["pathway"] == "combined"
    assert EMPTY in queue_page(app)


def test_asking_for_a_plan_on_the_result_page_puts_the_screening_in_the_queue_with_why(
        app: Flask, client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["combined"]
    result = client.get(f"/screening/{screening.id}").get_data(as_text=True)
    assert "Ask the clinic to plan my care" in result
    asked = client.post(f"/screening/{screening.id}/care-plan", follow_redirects=True)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and asked.request.path == f"/screening/{screening.id}"
    assert "Thank you: the clinic will plan your physiotherapy and massage together." in page
    assert "You asked the clinic to plan your care on Monday November 30, 2026 at 8:00 a.m. MST." in page
    assert "Ask the clinic to plan my care" not in page
    queue = queue_page(app)
    assert f"/admin/care-plans/new/{screening.id}" in queue
    assert "Asked for a care plan on Monday November 30, 2026 at 8:00 a.m. MST" in queue
    assert "Not booked yet" in queue


def test_asking_again_keeps_the_first_request(app: Flask, client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["combined"]
    client.post(f"/screening/{screening.id}/care-plan")
    with time_machine.travel(local(2026, 12, 1, 9), tick=False):
        client.post(f"/screening/{screening.id}/care-plan")
    assert "Asked for a care plan on Monday November 30, 2026" in queue_page(app)


@pytest.mark.parametrize("kind", ["physiotherapy", "massage", "refer_out"])
def test_only_a_combined_screening_can_ask_for_a_plan(client: FlaskClient, clinic: Clinic, kind: str) -> None:
    screening = clinic.screenings[kind]
    assert "Ask the clinic to plan my care" not in client.get(f"/screening/{screening.id}").get_data(as_text=True)
    assert client.post(f"/screening/{screening.id}/care-plan").status_code == 404


def test_asking_for_an_unknown_screening_is_404(client: FlaskClient, clinic: Clinic) -> None:
    assert client.post("/screening/00000000-0000-4000-8000-000000000000/care-plan").status_code == 404
    assert client.get(f"/screening/{clinic.screenings['combined'].id}/care-plan").status_code == 405


def test_booking_a_visit_with_a_combined_screening_puts_it_in_the_queue_with_why(
        app: Flask, client: FlaskClient, clinic: Clinic) -> None:
    body = {**booking(clinic), "screening_id": str(clinic.screenings["combined"].id)}
    assert client.post("/api/v1/appointments", json=body).status_code == 201
    queue = queue_page(app)
    assert f"/admin/care-plans/new/{clinic.screenings['combined'].id}" in queue
    assert "Booked a visit for Wednesday December 2, 2026 at 10:00 a.m. MST" in queue
    assert "Alex Morgan" in queue


def test_the_queue_names_its_last_column(app: Flask, client: FlaskClient, clinic: Clinic) -> None:
    client.post(f"/screening/{clinic.screenings['combined'].id}/care-plan")
    queue = queue_page(app)
    assert '<th scope="col"></th>' not in queue
    assert '<th scope="col"><span class="visually-hidden">Next step</span></th>' in queue
