"""The claim link's pages: the offered time and one button, the booking it makes, the kind pages after."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment
from booking.services.visits import derive_manage_token
from booking.services.waitlist.links import entry_url
from tests.factories import AppointmentFactory, Clinic, local
from tests.waitlist.claims.rows import Offered, offered, waiting

NOW = local(2026, 11, 30, 8)  # a Monday morning
TEN = local(2026, 12, 2, 10)  # the Wednesday after, 10:00


def single(clinic: Clinic, people: int = 1) -> Offered:
    """Physiotherapist 0's 10:00 on Wednesday offered to ``people`` waiting patients until 08:30."""
    entries = [waiting(clinic.screenings["physiotherapy"], clinic.physio, joined_at=NOW - timedelta(days=1))
               for _ in range(people)]
    return offered(clinic.physiotherapists[0], clinic.physio, TEN, entries, now=NOW)


def page(client: FlaskClient, token: str) -> str:
    """The claim page's text."""
    response = client.get(f"/waitlist/offers/{token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_the_page_shows_only_the_time_the_service_the_therapist_and_the_hold(client: FlaskClient,
                                                                             clinic: Clinic) -> None:
    made = single(clinic)
    entry = made.offers[0].entry

    text = page(client, made.tokens[0])

    assert "Wednesday December 2, 2026" in text and "10:00 a.m." in text
    assert clinic.physio.name in text and clinic.physiotherapists[0].name in text
    assert "held for you until" in text and "8:30 a.m." in text
    assert "Book this time" in text
    for private in (entry.patient.name, entry.patient.email, "pain", "Chronic"):
        assert private not in text


@time_machine.travel(NOW, tick=False)
def test_book_this_time_books_it_and_shows_the_confirmation(client: FlaskClient, clinic: Clinic) -> None:
    made = single(clinic)

    response = client.post(f"/waitlist/offers/{made.tokens[0]}")

    visit = db.session.scalars(select(Appointment)).one()
    assert response.status_code == 303
    assert response.location.endswith(f"/book/confirmed/{derive_manage_token(visit.id)}")
    assert "Your visit is booked" in client.get(response.location).get_data(as_text=True)
    again = client.get(f"/waitlist/offers/{made.tokens[0]}")  # the link, opened again, leads to the booking
    assert again.location.endswith(f"/book/confirmed/{derive_manage_token(visit.id)}")


@time_machine.travel(NOW, tick=False)
def test_a_pair_is_booked_by_one_button_and_both_visits_shown(client: FlaskClient, clinic: Clinic) -> None:
    entry = waiting(clinic.screenings["combined"], clinic.massage, pair_service=clinic.physio, joined_at=NOW)
    made = offered(clinic.massage_therapists[0], clinic.massage, TEN, [entry], now=NOW,
                   pair_therapist=clinic.physiotherapists[1])
    text = page(client, made.tokens[0])
    assert "Visit 1" in text and "Visit 2" in text
    assert clinic.massage_therapists[0].name in text and clinic.physiotherapists[1].name in text
    assert "11:00 a.m." in text  # the physiotherapy, right when the massage ends

    response = client.post(f"/waitlist/offers/{made.tokens[0]}")

    massage = db.session.scalars(select(Appointment).order_by(Appointment.starts_at)).first()
    assert massage is not None and response.status_code == 303
    assert response.location.endswith(f"/book/pair/{derive_manage_token(massage.id)}")
    assert len(db.session.scalars(select(Appointment)).all()) == 2


@time_machine.travel(NOW, tick=False)
def test_a_claim_after_the_first_gets_the_kind_taken_page_with_their_place(client: FlaskClient,
                                                                          clinic: Clinic) -> None:
    made = single(clinic, 2)
    client.post(f"/waitlist/offers/{made.tokens[0]}")

    response = client.post(f"/waitlist/offers/{made.tokens[1]}", follow_redirects=True)

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else just booked this time" in text and "You are still on the waitlist" in text
    assert entry_url(made.offers[1].entry) in text
    assert len(db.session.scalars(select(Appointment)).all()) == 1


@time_machine.travel(NOW, tick=False)
def test_a_time_booked_another_way_meanwhile_gets_the_taken_page_from_then_on(client: FlaskClient,
                                                                             clinic: Clinic) -> None:
    made = single(clinic)
    AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0], starts_at=TEN,
                       screening=clinic.screenings["physiotherapy"])

    posted = client.post(f"/waitlist/offers/{made.tokens[0]}", follow_redirects=True)

    assert "Someone else just booked this time" in posted.get_data(as_text=True)
    assert "Someone else just booked this time" in page(client, made.tokens[0])


def test_an_offer_whose_hold_passed_says_so_kindly(client: FlaskClient, clinic: Clinic) -> None:
    made = single(clinic)

    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        text = page(client, made.tokens[0])
        posted = client.post(f"/waitlist/offers/{made.tokens[0]}", follow_redirects=True)

    assert "no longer held for you" in text and "still on the waitlist" in text
    assert "Book this time" not in text
    assert "no longer held for you" in posted.get_data(as_text=True)
    assert db.session.scalars(select(Appointment)).all() == []


def test_an_unknown_token_or_a_visits_manage_token_is_not_found(client: FlaskClient, clinic: Clinic) -> None:
    made = single(clinic)
    for token in ("nope", made.tokens[0][:-2], derive_manage_token(made.offers[0].id)):
        assert client.get(f"/waitlist/offers/{token}").status_code == 404
        assert client.post(f"/waitlist/offers/{token}").status_code == 404
