"""An admin moving a visit to another time or therapist: the therapist choice, the one-step confirmation a drag on
the calendar lands on (``?therapist=<id>&start=<time>``), the refusals in words, and the cut-off recorded."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from html import unescape

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.clinic.times import local_time
from booking.extensions import db
from booking.forms.visits import format_start
from booking.models import Appointment, AuditEvent, Screening, StaffUser, Therapist, TherapistQualification
from booking.services.visits import derive_manage_token
from tests.appointments.conftest import radio_options, slot_buttons
from tests.factories import AppointmentFactory, Clinic, ScreeningFactory, TherapistFactory, local
from tests.staff_fixtures import clinic_with_admin

NOW = local(2026, 10, 29, 9)  # Thursday
MONDAY_TEN = local(2026, 11, 2, 10)
PREGNANT = {"concerns": ["relaxation"], "precautions": ["pregnancy"]}

clinic, admin_user, admin = clinic_with_admin(NOW)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def text(page: str) -> str:
    """What a reader reads: the page without its tags, its spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def checked_therapist(page: str) -> str | None:
    """The value of the therapist radio button checked."""
    found = re.search(r'<input checked[^>]*name="therapist"[^>]*value="([^"]*)"', page)
    return found.group(1) if found else None


def physio_visit(clinic: Clinic, starts_at: datetime = MONDAY_TEN, **fields: object) -> Appointment:
    return AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0],
                              screening=clinic.screenings["physiotherapy"], starts_at=starts_at, **fields)


def move_page(admin: FlaskClient, visit: Appointment, therapist: object = None,
              start: datetime | None = None, **query: str) -> tuple[int, str]:
    args = {**query, **({"therapist": str(therapist)} if therapist is not None else {}),
            **({"start": format_start(start)} if start else {})}
    response = admin.get(f"/admin/appointments/{visit.id}/reschedule", query_string=args)
    return response.status_code, response.get_data(as_text=True)


def move(admin: FlaskClient, visit: Appointment, therapist: Therapist, start: datetime) -> FlaskClient:
    return admin.post(f"/admin/appointments/{visit.id}/reschedule",
                      data={"therapist": str(therapist.id), "starts_at": format_start(start)})


def stored(visit: Appointment) -> Appointment:
    db.session.expire_all()
    return db.session.get(Appointment, visit.id)


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def confirmation(visit: Appointment, to: Therapist, start: datetime) -> str:
    return (f"Move {visit.patient.name}'s {visit.service.name} from {local_time(visit.starts_at)} with "
            f"{visit.therapist.name} to {local_time(start)} with {to.name}?")


def test_the_admin_chooses_among_the_visits_therapist_and_the_others_of_its_kind(admin: FlaskClient,
                                                                                 clinic: Clinic) -> None:
    own, other = clinic.physiotherapists
    TherapistFactory(active=False)
    visit = physio_visit(clinic)
    status, page = move_page(admin, visit, date="2026-11-02")
    assert status == 200
    assert radio_options(page, "therapist") == [(str(own.id), f"{own.name} (now)"), (str(other.id), other.name)]
    assert format_start(MONDAY_TEN) in [value for value, _ in slot_buttons(page)]  # its own time counts as free
    assert checked_therapist(page) == str(own.id)
    status, page = move_page(admin, visit, other.id, date="2026-11-02")
    assert checked_therapist(page) == str(other.id)
    assert f"therapist={other.id}" in page  # the other days keep the therapist chosen


def test_a_move_with_the_same_therapist_is_confirmed_then_made(admin: FlaskClient, admin_user: StaffUser,
                                                               clinic: Clinic) -> None:
    visit = physio_visit(clinic)
    new = MONDAY_TEN + timedelta(hours=3)
    status, page = move_page(admin, visit, visit.therapist_id, new)
    assert status == 200 and confirmation(visit, visit.therapist, new) in text(page)
    assert "Yes, move the visit" in page and 'name="start"' not in page  # one step: no picker
    response = move(admin, visit, visit.therapist, new)
    assert response.status_code == 303 and response.location == f"/admin/appointments/{visit.id}"
    assert (stored(visit).starts_at, stored(visit).therapist_id) == (new, clinic.physiotherapists[0].id)
    [event] = audit_rows("rescheduled")
    assert (event.actor_id, event.detail) == (admin_user.id, None)  # outside the cut-off: nothing more to say
    assert f"The visit is moved to {local_time(new)} with {visit.therapist.name}." in text(
        admin.get(response.location).get_data(as_text=True))


def test_a_visit_dragged_to_another_therapist_is_confirmed_in_one_step(admin: FlaskClient, clinic: Clinic) -> None:
    visit = physio_visit(clinic)
    other = clinic.physiotherapists[1]
    new = MONDAY_TEN + timedelta(hours=1)
    status, page = move_page(admin, visit, other.id, new)
    assert status == 200 and confirmation(visit, other, new) in text(page)
    assert re.search(rf'<input[^>]*name="therapist"[^>]*value="{other.id}"', page)
    assert f'href="/admin/appointments/{visit.id}/reschedule?therapist={other.id}"' in page  # choose another time
    response = move(admin, visit, other, new)
    assert response.status_code == 303
    assert (stored(visit).starts_at, stored(visit).therapist_id) == (new, other.id)
    assert f"with {other.name}" in text(admin.get(response.location).get_data(as_text=True))


def test_the_same_time_with_another_therapist_is_a_move_too(admin: FlaskClient, clinic: Clinic) -> None:
    visit = physio_visit(clinic)
    other = clinic.physiotherapists[1]
    status, page = move_page(admin, visit, other.id, MONDAY_TEN)
    assert status == 200 and confirmation(visit, other, MONDAY_TEN) in text(page)
    assert move(admin, visit, other, MONDAY_TEN).status_code == 303
    assert stored(visit).therapist_id == other.id


@pytest.mark.parametrize("kind", ["massage", "unknown", "inactive", "garbage", "huge"])
def test_a_therapist_who_cannot_take_the_visit_is_refused_in_words(admin: FlaskClient, clinic: Clinic,
                                                                    kind: str) -> None:
    visit = physio_visit(clinic)
    masseur = clinic.massage_therapists[0]
    asked = {"massage": masseur.id, "unknown": 987654, "inactive": TherapistFactory(active=False).id,
             "garbage": "dana", "huge": "9" * 30}[kind]
    expected = (f"{masseur.name} does not give physiotherapy. Choose another therapist." if kind == "massage"
                else "Choose one of our therapists.")
    status, page = move_page(admin, visit, asked, MONDAY_TEN + timedelta(hours=1))
    assert status == 200 and expected in text(page) and "first available" not in text(page)
    assert "Yes, move the visit" not in page
    assert checked_therapist(page) == str(visit.therapist_id)  # the visit's own therapist stands
    response = admin.post(f"/admin/appointments/{visit.id}/reschedule",
                          data={"therapist": str(asked), "starts_at": format_start(MONDAY_TEN + timedelta(hours=1))})
    assert response.status_code == 200 and expected in text(response.get_data(as_text=True))
    assert (stored(visit).starts_at, stored(visit).therapist_id) == (MONDAY_TEN, clinic.physiotherapists[0].id)


@pytest.fixture
def pregnant() -> Screening:
    return ScreeningFactory(answers=PREGNANT)


def test_a_caution_rules_out_an_untrained_therapist(admin: FlaskClient, clinic: Clinic, pregnant: Screening) -> None:
    first, second = clinic.massage_therapists
    first.trained.append(TherapistQualification(code="prenatal_massage"))
    db.session.commit()
    visit = AppointmentFactory(service=clinic.massage, therapist=first, screening=pregnant, starts_at=MONDAY_TEN)
    status, page = move_page(admin, visit, date="2026-11-02")
    assert [label for _, label in radio_options(page, "therapist")] == [f"{first.name} (now)"]  # not offered
    new = MONDAY_TEN + timedelta(hours=2)
    status, page = move_page(admin, visit, second.id, new)
    assert (f"This visit needs a therapist trained in prenatal massage, and {second.name} is not. "
            "Choose another therapist.") in text(page)
    assert "Yes, move the visit" not in page
    assert move(admin, visit, second, new).status_code == 200
    assert stored(visit).therapist_id == first.id
    second.trained.append(TherapistQualification(code="prenatal_massage"))
    db.session.commit()
    status, page = move_page(admin, visit, second.id, new)
    assert confirmation(visit, second, new) in text(page)
    assert move(admin, visit, second, new).status_code == 303
    assert (stored(visit).therapist_id, stored(visit).starts_at) == (second.id, new)


def test_a_time_taken_with_the_other_therapist_is_explained_with_nearby_times(admin: FlaskClient,
                                                                              clinic: Clinic) -> None:
    visit = physio_visit(clinic)
    other = clinic.physiotherapists[1]
    taken = AppointmentFactory(service=clinic.physio, therapist=other, starts_at=MONDAY_TEN + timedelta(hours=2))
    status, page = move_page(admin, visit, other.id, taken.starts_at)
    assert status == 200 and "Yes, move the visit" not in page
    assert (f"{local_time(taken.starts_at)} is not an open time for this visit with {other.name}. "
            "Choose one of these open times, or another day below.") in text(page)
    offered = [value for value, _ in radio_options(page, "starts_at")]
    assert format_start(taken.starts_at + timedelta(hours=1)) in offered  # right after the visit taken
    assert format_start(taken.starts_at) not in offered
    assert re.search(rf'<input[^>]*name="therapist"[^>]*value="{other.id}"', page)  # the choice goes with them
    response = move(admin, visit, other, taken.starts_at)  # a stale confirmation: the time was taken meanwhile
    assert response.status_code == 409 and "just taken" in response.get_data(as_text=True)
    assert (stored(visit).starts_at, stored(visit).therapist_id) == (MONDAY_TEN, clinic.physiotherapists[0].id)


def test_the_pairs_partner_is_never_overlapped(admin: FlaskClient, clinic: Clinic) -> None:
    visit = physio_visit(clinic)
    AppointmentFactory(service=clinic.massage, therapist=clinic.massage_therapists[0], patient=visit.patient,
                       screening=visit.screening, starts_at=MONDAY_TEN + timedelta(hours=1))
    other = clinic.physiotherapists[1]
    overlapping = MONDAY_TEN + timedelta(minutes=30)
    status, page = move_page(admin, visit, other.id, overlapping)
    assert "times that would overlap it are not offered" in text(page)
    assert f"{local_time(overlapping)} is not an open time for this visit with {other.name}." in text(page)
    assert format_start(overlapping) not in [value for value, _ in radio_options(page, "starts_at")]
    response = move(admin, visit, other, overlapping)
    assert response.status_code == 200
    assert "That time overlaps the other visit booked with this one" in text(response.get_data(as_text=True))
    assert stored(visit).starts_at == MONDAY_TEN


def test_an_admins_move_inside_the_cut_off_is_told_and_recorded(admin: FlaskClient, admin_user: StaffUser,
                                                                clinic: Clinic) -> None:
    visit = physio_visit(clinic, NOW + timedelta(hours=5))
    new, other = NOW + timedelta(hours=7), clinic.physiotherapists[1]
    told = f"{visit.patient.name} is inside the cut-off"
    assert told in text(admin.get(f"/admin/appointments/{visit.id}").get_data(as_text=True))
    status, page = move_page(admin, visit, other.id, new)
    assert told in text(page) and confirmation(visit, other, new) in text(page)
    assert move(admin, visit, other, new).status_code == 303
    [event] = audit_rows("rescheduled")
    assert (event.actor_id, event.detail) == (admin_user.id, "inside the patients' cut-off (24 hours before the visit)")


def test_an_admins_cancellation_inside_the_cut_off_is_recorded(admin: FlaskClient, clinic: Clinic) -> None:
    inside, outside = physio_visit(clinic, NOW + timedelta(hours=5)), physio_visit(clinic)
    for visit in (inside, outside):
        assert admin.post(f"/admin/appointments/{visit.id}/cancel", data={"reason": ""}).status_code == 303
    details = {uuid.UUID(event.subject_id): event.detail for event in audit_rows("cancelled")}
    assert details == {inside.id: "inside the patients' cut-off (24 hours before the visit)", outside.id: None}
    assert "is inside the cut-off" not in text(admin.get(f"/admin/appointments/{outside.id}").get_data(as_text=True))


def test_the_patients_own_page_offers_no_other_therapist(client: FlaskClient, clinic: Clinic) -> None:
    visit = physio_visit(clinic)
    other, new = clinic.physiotherapists[1], MONDAY_TEN + timedelta(hours=1)
    page = client.get(f"/book/manage/{derive_manage_token(visit.id)}/reschedule",
                      query_string={"therapist": str(other.id), "start": format_start(new)}).get_data(as_text=True)
    assert f"Move your visit to {local_time(new)}?" in text(page) and other.name not in page
    assert radio_options(page, "therapist") == [] and 'name="therapist"' not in page
    response = client.post(f"/book/manage/{derive_manage_token(visit.id)}/reschedule",
                           data={"therapist": str(other.id), "starts_at": format_start(new)})
    assert response.status_code == 303
    assert (stored(visit).starts_at, stored(visit).therapist_id) == (new, clinic.physiotherapists[0].id)


def test_a_grid_page_loads_the_drag_script_from_our_static_files(app: Flask) -> None:
    with app.test_request_context():
        macro = app.jinja_env.get_template("macros/calendar_script.html").module.calendar_script
        assert str(macro()).strip() == '<script src="/static/js/calendar.js" defer></script>'
    script = app.test_client().get("/static/js/calendar.js")
    assert script.status_code == 200 and "javascript" in script.content_type
    assert '"/reschedule"' in script.get_data(as_text=True)
