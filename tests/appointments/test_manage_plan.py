"""The manage page of a visit booked with others: a care plan's sessions, a back-to-back pair, cancelling both."""

from __future__ import annotations

import re
from datetime import UTC, date, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.clinic.times import local_time
from booking.clinic.validators import UNSTORABLE_MESSAGE
from booking.extensions import db
from booking.models import Appointment, Notification, StaffUser
from booking.services import patient_records
from booking.services.care_plans import course as plan_course
from booking.services.care_plans import plans as care_plans
from booking.services.care_plans.plans import PlanDetails
from booking.services.visits import PatientDetails, cancel, derive_manage_token
from tests.appointments.conftest import input_value, slot_buttons
from tests.factories import AppointmentFactory, Clinic, PatientFactory, StaffUserFactory, local
from tests.test_hostile_input import HOSTILE_TEXT

MASSAGE_AT = local(2026, 11, 2, 9)  # Monday 9:00 MST; the physiotherapy follows at 10:00
GOALS = "Walk without a limp"


def url(visit: Appointment, action: str = "") -> str:
    return f"/book/manage/{derive_manage_token(visit.id)}" + (f"/{action}" if action else "")


def status(visit: Appointment) -> str:
    db.session.expire_all()
    return db.session.get(Appointment, visit.id).status


def session_cancelled() -> list[tuple[int, str]]:
    """(therapist, key) of each collaborative-care "session_cancelled" notice written."""
    rows = db.session.scalars(select(Notification).where(Notification.kind == "care_plan",
                                                         Notification.event == "session_cancelled"))
    return sorted((row.therapist_id, row.key) for row in rows)


def links(page: str) -> set[str]:
    return set(re.findall(r'href="(/book/manage/[^"]+)"', page))


@pytest.fixture
def pair(clinic: Clinic) -> tuple[Appointment, Appointment]:
    """A patient's back-to-back pair booked in the patient flow: massage, then physiotherapy right after it."""
    patient = PatientFactory(email="avery@example.com")
    massage = AppointmentFactory(patient=patient, service=clinic.massage, therapist=clinic.massage_therapists[0],
                                 screening=clinic.screenings["combined"], starts_at=MASSAGE_AT)
    physio = AppointmentFactory(patient=patient, service=clinic.physio, therapist=clinic.physiotherapists[0],
                                screening=clinic.screenings["combined"], starts_at=massage.ends_at)
    return massage, physio


@pytest.fixture
def admin(clinic: Clinic) -> StaffUser:
    return StaffUserFactory(admin=True)


@pytest.fixture
def course(clinic: Clinic, admin: StaffUser) -> list[Appointment]:
    """A care plan's course booked by the care-plan service: three weekly pairs from Monday, in order."""
    details = PlanDetails(physiotherapist_id=clinic.physiotherapists[0].id,
                          massage_therapist_id=clinic.massage_therapists[0].id, physio_service_id=clinic.physio.id,
                          massage_service_id=clinic.massage.id, goals=GOALS, physio_sessions=3,
                          physio_cadence_days=7, massage_sessions=3, massage_cadence_days=7, tolerance_days=1,
                          back_to_back=True, starts_on=date(2026, 11, 2))
    plan = care_plans.create_plan(clinic.screenings["combined"], details, admin)
    patient = PatientDetails(name="Alex Morgan", email="alex@example.com", phone="403-555-0101")
    booked = plan_course.book_plan(plan, plan_course.propose(plan), patient, admin)
    return sorted((item.appointment for item in booked), key=lambda visit: visit.starts_at)


def test_the_plan_s_other_sessions_are_listed_each_with_its_own_links(client: FlaskClient,
                                                                      course: list[Appointment]) -> None:
    first, *others = course
    page = client.get(url(first)).get_data(as_text=True)
    assert "Your care plan's other sessions" in page
    for visit in others:
        assert {url(visit), url(visit, "cancel"), url(visit, "reschedule")} <= links(page)
        assert local_time(visit.starts_at) in page
    assert GOALS not in page
    last = client.get(url(others[-1])).get_data(as_text=True)
    assert local_time(others[-1].starts_at, "day") in last and url(first) in links(last)
    cancel_page = client.get(url(others[-1], "cancel")).get_data(as_text=True)
    assert "Cancel both visits" in cancel_page
    assert f"Massage therapy (60 minutes) on {local_time(others[-2].starts_at)}" in cancel_page


def test_a_cancelled_session_is_no_longer_listed(client: FlaskClient, course: list[Appointment]) -> None:
    client.post(url(course[3], "cancel"))
    assert url(course[3]) not in links(client.get(url(course[0])).get_data(as_text=True))


def test_the_partner_of_a_pair_is_shown_without_a_plan(client: FlaskClient,
                                                       pair: tuple[Appointment, Appointment]) -> None:
    massage, physio = pair
    page = client.get(url(massage)).get_data(as_text=True)
    assert "Booked with this visit" in page and "Your care plan" not in page
    assert {url(physio), url(physio, "cancel"), url(physio, "reschedule")} <= links(page)
    assert "Monday November 2, 2026 at 10:00 a.m. MST" in page


def test_another_person_s_visits_are_never_shown(client: FlaskClient, clinic: Clinic,
                                                 course: list[Appointment]) -> None:
    first = course[0]
    # Another booking with the same email, right after the first session, and a visit naming the same plan.
    stranger = PatientFactory(email="alex@example.com")
    after = AppointmentFactory(patient=stranger, service=clinic.physio, therapist=clinic.physiotherapists[1],
                               starts_at=first.ends_at)
    planned = AppointmentFactory(patient=stranger, service=clinic.massage, therapist=clinic.massage_therapists[1],
                                 starts_at=local(2026, 11, 4, 9), care_plan_id=first.care_plan_id)
    single = AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[1],
                                starts_at=local(2026, 11, 3, 9))
    AppointmentFactory(service=clinic.massage, therapist=clinic.massage_therapists[1], starts_at=single.ends_at)
    page = client.get(url(first)).get_data(as_text=True)
    assert url(after) not in links(page) and url(planned) not in links(page)
    assert clinic.physiotherapists[1].name not in page and clinic.massage_therapists[1].name not in page
    alone = client.get(url(single)).get_data(as_text=True)
    assert "Booked with this visit" not in alone
    assert 'name="scope"' not in client.get(url(single, "cancel")).get_data(as_text=True)
    refused = client.post(url(single, "cancel"), data={"scope": "both"}).get_data(as_text=True)
    assert "Nothing was cancelled. No other visit is booked right before or after this one" in refused
    assert status(single) == "booked"


def test_moving_one_visit_of_a_pair_never_overlaps_its_partner(client: FlaskClient,
                                                               pair: tuple[Appointment, Appointment]) -> None:
    massage, physio = pair
    page = client.get(url(massage, "reschedule"), query_string={"date": "2026-11-02"}).get_data(as_text=True)
    assert "This visit is booked right before your Physiotherapy assessment on Monday November 2, 2026 at 10:00" \
        in " ".join(page.split())
    offered = [label for _, label in slot_buttons(page)]
    assert "8:00 a.m. MST" in offered and "11:00 a.m. MST" in offered  # ending as it starts, starting as it ends
    assert not [label for label in offered if label.startswith(("9:15", "9:30", "9:45", "10:"))]
    overlapping = local(2026, 11, 2, 9, 30).astimezone(UTC).isoformat()
    refused = client.post(url(massage, "reschedule"), data={"starts_at": overlapping})
    assert refused.status_code == 200
    assert ("That time overlaps the other visit booked with this one (Physiotherapy assessment, Monday November "
            "2, 2026 at 10:00 a.m. MST)") in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, massage.id).starts_at == MASSAGE_AT


def test_cancelling_only_this_visit_leaves_its_partner_booked(client: FlaskClient,
                                                             pair: tuple[Appointment, Appointment]) -> None:
    massage, physio = pair
    page = client.get(url(physio, "cancel")).get_data(as_text=True)
    assert "Cancel only this visit" in page and "Cancel both visits" in page
    assert "Your other visit: Massage therapy (60 minutes) on Monday November 2, 2026 at 9:00 a.m. MST" in page
    assert re.search(r'<input checked[^>]*value="this"', page)
    response = client.post(url(physio, "cancel"), data={"scope": "this", "reason": "Busy"})
    assert response.status_code == 303
    assert (status(physio), status(massage)) == ("cancelled", "booked")
    assert "Your visit is cancelled" in client.get(url(physio)).get_data(as_text=True)
    assert 'name="scope"' not in client.get(url(massage, "cancel")).get_data(as_text=True)


def test_cancelling_both_visits_cancels_the_pair(client: FlaskClient, pair: tuple[Appointment, Appointment]) -> None:
    massage, physio = pair
    response = client.post(url(massage, "cancel"), data={"scope": "both", "reason": "Moving away"})
    assert response.status_code == 303 and response.location == url(massage)
    assert (status(massage), status(physio)) == ("cancelled", "cancelled")
    assert db.session.get(Appointment, physio.id).cancellation_reason == "Moving away"
    assert "Both visits are cancelled" in client.get(url(massage)).get_data(as_text=True)
    assert session_cancelled() == []  # not a care plan's visits
    again = client.post(url(massage, "cancel"), data={"scope": "both", "reason": "Moving away"})  # sent twice
    assert again.status_code == 303 and "This visit was cancelled" in client.get(url(massage)).get_data(as_text=True)


def test_a_partner_past_the_cut_off_stays_and_is_explained(client: FlaskClient,
                                                          pair: tuple[Appointment, Appointment]) -> None:
    massage, physio = pair
    # The massage is 23½ hours away (past its cut-off), the physiotherapy 24½ hours.
    with time_machine.travel(MASSAGE_AT - timedelta(hours=23, minutes=30), tick=False):
        page = client.get(url(physio, "cancel")).get_data(as_text=True)
        assert 'name="scope"' not in page and "Your other visit stays booked" in page
        assert "this page cancels only\n          this visit" in page and 'href="tel:+14035550142"' in page
        manage = client.get(url(physio)).get_data(as_text=True)
        assert url(massage, "cancel") not in links(manage) and "please call us at" in manage
        refused = client.post(url(physio, "cancel"), data={"scope": "both", "reason": "Busy"})
        text = refused.get_data(as_text=True)
        assert refused.status_code == 200
        assert ("Nothing was cancelled. Your other visit (Massage therapy (60 minutes), Monday November 2, 2026 at "
                "9:00 a.m. MST) starts in less than 24 hours") in text
        assert input_value(text, "scope") is None and "Busy</textarea>" in text
        assert (status(physio), status(massage)) == ("booked", "booked")
        assert client.post(url(physio, "cancel"), data={"reason": "Busy"}).status_code == 303
    assert (status(physio), status(massage)) == ("cancelled", "booked")


def test_two_records_joined_make_no_pair_of_visits_booked_apart(client: FlaskClient, clinic: Clinic,
                                                                 admin: StaffUser) -> None:
    # One person booked a massage online, and later by phone a physiotherapy right after it: two bookings.
    online = PatientFactory(name="Avery Lee", email="avery@example.com", phone="+14035550111")
    by_phone = PatientFactory(name="Avery Lee", email=None, phone="+14035550111")
    massage = AppointmentFactory(patient=online, service=clinic.massage, therapist=clinic.massage_therapists[0],
                                 screening=clinic.screenings["massage"], starts_at=MASSAGE_AT)
    physio = AppointmentFactory(patient=by_phone, service=clinic.physio, therapist=clinic.physiotherapists[0],
                                screening=clinic.screenings["physiotherapy"], starts_at=massage.ends_at)
    patient_records.join(online, by_phone, admin)
    page = client.get(url(massage)).get_data(as_text=True)
    assert "Booked with this visit" not in page and url(physio) not in links(page)
    assert 'name="scope"' not in client.get(url(massage, "cancel")).get_data(as_text=True)
    refused = client.post(url(massage, "cancel"), data={"scope": "both"}).get_data(as_text=True)
    assert "Nothing was cancelled. No other visit is booked right before or after this one" in refused
    assert (status(massage), status(physio)) == ("booked", "booked")


def test_a_partner_cancelled_meanwhile_cancels_nothing(client: FlaskClient,
                                                       pair: tuple[Appointment, Appointment]) -> None:
    massage, physio = pair
    assert "Cancel both visits" in client.get(url(massage, "cancel")).get_data(as_text=True)
    client.post(url(physio, "cancel"))
    page = client.post(url(massage, "cancel"), data={"scope": "both"}).get_data(as_text=True)
    assert "Nothing was cancelled" in page
    assert status(massage) == "booked"


def test_the_choice_is_kept_when_the_form_is_shown_again(client: FlaskClient,
                                                        pair: tuple[Appointment, Appointment]) -> None:
    massage, physio = pair
    response = client.post(url(massage, "cancel"), data={"scope": "both", "reason": "x" * 501})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Write at most 500 characters." in page
    assert re.search(r'<input checked[^>]*value="both"', page) and "x" * 501 in page
    assert (status(massage), status(physio)) == ("booked", "booked")


@pytest.mark.parametrize("value", [value for value in HOSTILE_TEXT if value not in ("", " ")])
def test_hostile_choices_are_refused_clearly(client: FlaskClient, pair: tuple[Appointment, Appointment],
                                            value: str) -> None:
    massage, physio = pair
    response = client.post(url(massage, "cancel"), data={"scope": value, "reason": "Busy"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose whether to cancel only this visit or both visits." in page or UNSTORABLE_MESSAGE in page
    assert (status(massage), status(physio)) == ("booked", "booked")


def test_a_cancelled_plan_session_tells_both_therapists(client: FlaskClient, clinic: Clinic, admin: StaffUser,
                                                       course: list[Appointment]) -> None:
    therapists = sorted([clinic.physiotherapists[0].id, clinic.massage_therapists[0].id])
    plan_id = course[0].care_plan_id
    client.post(url(course[2], "cancel"), data={"reason": "Away that week"})
    assert session_cancelled() == sorted(
        (therapist, f"care-plan:{plan_id}:session_cancelled:{course[2].id}:{therapist}") for therapist in therapists)
    cancel(db.session.get(Appointment, course[5].id), by_staff=admin)  # staff, whatever the cut-off
    assert [therapist for therapist, key in session_cancelled() if str(course[5].id) in key] == therapists
    client.post(url(course[0], "cancel"), data={"scope": "both"})
    assert [status(visit) for visit in course] == ["cancelled", "cancelled", "cancelled", "booked", "booked",
                                                   "cancelled"]
    assert len(session_cancelled()) == 8
    rows = db.session.scalars(select(Notification).where(Notification.event == "session_cancelled"))
    assert all(GOALS not in str(vars(row)) and "Away" not in str(vars(row)) for row in rows)
