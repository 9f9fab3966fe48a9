"""The waitlist's calls as the admins work them: a freed time offered to a patient without email is listed on the
today page to call (name, phone, the time, service, therapist, until when it is held); "They want it" books it for
them and opens the visit; "Not wanted / no answer" passes it on; a missing or unknown answer is explained on the
call's page; an unknown call, or an emailed patient's offer, answers 404; a call that is over says what became of
it."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, StaffUser
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningStatus, WaitlistOffer
from tests.factories import Clinic, local
from tests.staff.therapist_pages import massage_therapist
from tests.staff_fixtures import clinic_with_admin, signed_in
from tests.waitlist.records import entry, offer, opening

NOW = local(2026, 12, 2, 9, 40)  # Wednesday morning in Calgary
THURSDAY_TEN = local(2026, 12, 3, 10)
clinic, admin_user, admin = clinic_with_admin(NOW)


def words(html: str) -> str:
    """The words of some HTML, the markup and the runs of white space gone."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def call(clinic: Clinic, *, email: str | None = None, name: str = "Sam Phone") -> WaitlistOffer:
    """A live offer of Thursday 10:00 with the first physiotherapist to a waiting patient (no email by default),
    made five minutes ago and held until 10:05 today."""
    waiter = entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - timedelta(days=3), name=name)
    waiter.patient.email = email
    freed = opening(clinic.physiotherapists[0], NOW - timedelta(minutes=5), OpeningStatus.OPEN,
                    starts_in=THURSDAY_TEN - NOW + timedelta(minutes=5))
    made = offer(freed, waiter, NOW - timedelta(minutes=5), OfferStatus.OFFERED)
    db.session.commit()
    return made


def test_the_today_page_lists_the_call_to_make(admin: FlaskClient, clinic: Clinic) -> None:
    made = call(clinic)
    call(clinic, email="mail@example.com", name="Has Email")  # claims through the emailed link: not to call
    page = words(admin.get("/admin/today").get_data(as_text=True))
    assert (f"Call to offer Freed times offered from the waitlist to patients without email: call them before the "
            f"hold ends. Call Sam Phone on {made.entry.patient.phone} : {clinic.physio.name} with "
            f"{clinic.physiotherapists[0].name} Thu Dec 3, 10:00 a.m. MST, held until 10:05 a.m.") in page
    assert "They want it : book it for Sam Phone" in page and "Not wanted / no answer from Sam Phone" in page
    assert "Has Email" not in page


def test_the_today_page_has_no_calls_section_without_calls(admin: FlaskClient, clinic: Clinic) -> None:
    assert "Call to offer" not in admin.get("/admin/today").get_data(as_text=True)


def test_they_want_it_books_the_time_for_the_caller_and_opens_the_visit(admin: FlaskClient, clinic: Clinic,
                                                                       admin_user: StaffUser) -> None:
    made = call(clinic)
    response = admin.post(f"/admin/waitlist/calls/{made.id}", data={"answer": "book", "next": "/admin/today"})
    visit = db.session.scalars(select(Appointment)).one()
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/appointments/{visit.id}"
    assert (visit.patient_id, visit.starts_at, visit.therapist_id) == (
        made.entry.patient_id, THURSDAY_TEN, clinic.physiotherapists[0].id)
    db.session.refresh(made)
    assert made.status == OfferStatus.CLAIMED and made.entry.status == EntryStatus.BOOKED
    shown = words(admin.get(response.headers["Location"]).get_data(as_text=True))
    assert (f"Booked for Sam Phone: Thursday December 3, 2026 at 10:00 a.m. MST, {clinic.physio.name} with "
            f"{clinic.physiotherapists[0].name}. They have no email: tell them the time now.") in shown


def test_not_wanted_passes_the_time_on_and_goes_back_where_it_was_answered(admin: FlaskClient,
                                                                          clinic: Clinic) -> None:
    made = call(clinic)
    response = admin.post(f"/admin/waitlist/calls/{made.id}", data={"answer": "declined", "next": "/admin/waitlist"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/waitlist"
    db.session.refresh(made)
    assert made.status == OfferStatus.EXPIRED and made.entry.status == EntryStatus.WAITING
    shown = words(admin.get("/admin/waitlist").get_data(as_text=True))
    assert "Noted: Sam Phone did not take Thursday December 3, 2026 at 10:00 a.m. MST" in shown
    assert "It is offered to the next on the list." in shown and "Call Sam Phone" not in shown
    history = words(admin.get("/admin/waitlist/openings").get_data(as_text=True))
    assert "Sam Phone , Dec 2, 9:35 a.m.: expired (9:40 a.m.)" in history


@pytest.mark.parametrize("answer", [None, "", "maybe"])
def test_a_missing_or_unknown_answer_is_explained_on_the_calls_page(admin: FlaskClient, clinic: Clinic,
                                                                     answer: str | None) -> None:
    made = call(clinic)
    response = admin.post(f"/admin/waitlist/calls/{made.id}", data={} if answer is None else {"answer": answer})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error: Call to offer a time" in page
    assert "Choose whether they want the time, or that they did not want it or did not answer." in page
    assert f'href="tel:{made.entry.patient.phone}"' in page
    db.session.refresh(made)
    assert made.status == OfferStatus.OFFERED


def test_the_calls_page_shows_the_time_and_until_when_it_is_held(admin: FlaskClient, clinic: Clinic) -> None:
    made = call(clinic)
    page = words(admin.get(f"/admin/waitlist/calls/{made.id}?next=/admin/waitlist").get_data(as_text=True))
    assert "Call to offer a time: Sam Phone" in page
    assert "held for them until Wednesday December 2, 2026 at 10:05 a.m. MST" in page
    assert (f"Service {clinic.physio.name} Date Thursday December 3, 2026 Time 10:00 a.m. MST to 11:00 a.m. MST "
            f"Therapist {clinic.physiotherapists[0].name}") in page
    assert 'name="next" type="hidden" value="/admin/waitlist"' in admin.get(
        f"/admin/waitlist/calls/{made.id}?next=/admin/waitlist").get_data(as_text=True)


def test_an_unknown_call_or_an_emailed_offer_is_404(admin: FlaskClient, clinic: Clinic) -> None:
    emailed = call(clinic, email="mail@example.com")
    assert admin.get(f"/admin/waitlist/calls/{uuid.uuid4()}").status_code == 404
    assert admin.get(f"/admin/waitlist/calls/{emailed.id}").status_code == 404
    assert admin.post(f"/admin/waitlist/calls/{emailed.id}", data={"answer": "book"}).status_code == 404
    assert admin.get("/admin/waitlist/calls/12").status_code == 404
    db.session.refresh(emailed)
    assert emailed.status == OfferStatus.OFFERED


def test_a_call_that_is_over_says_what_became_of_it(admin: FlaskClient, clinic: Clinic) -> None:
    made = call(clinic)
    made.expires_at = NOW - timedelta(minutes=1)
    db.session.commit()
    response = admin.get(f"/admin/waitlist/calls/{made.id}")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/today"
    response = admin.post(f"/admin/waitlist/calls/{made.id}", data={"answer": "book", "next": "//evil.example"})
    assert response.headers["Location"] == "/admin/today"  # only a path of this site is gone back to
    shown = words(admin.get("/admin/today").get_data(as_text=True))
    assert "The hold of that time for Sam Phone is over: it goes to the next on the list" in shown
    assert db.session.scalars(select(Appointment)).all() == []


def test_a_therapist_finds_no_calls_page(client: FlaskClient, clinic: Clinic) -> None:
    made = call(clinic)
    assert signed_in(client, massage_therapist()).get(f"/admin/waitlist/calls/{made.id}").status_code == 404
