"""The answers at work: the therapist's visit page shows the latest with the change since the first, and the plan
page charts each measure over the course with its baseline and MCID band."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, StaffUser
from booking.services.visits import derive_manage_token
from tests.factories import AppointmentFactory, Clinic, PatientFactory, StaffUserFactory
from tests.questionnaires.conftest import TEN, book_visit, link, plan_visits
from tests.questionnaires.test_link import FIRST
from tests.staff_fixtures import signed_in

LATER = {"nprs": "3", "rating_1": "6", "rating_2": "7", "groc": "4"}


def answered_course(client: FlaskClient, clinic: Clinic, clock: time_machine.Coordinates) -> list[Appointment]:
    """Three visits of a plan: the first two answered (pain 6 then 3; stairs 3 then 6, lifting 5 then 7)."""
    visits = plan_visits(clinic, TEN, TEN + timedelta(days=7), TEN + timedelta(days=14))
    client.post(link(visits[0]), data=FIRST)
    clock.move_to(TEN + timedelta(days=7))
    client.post(link(visits[1]), data=LATER)
    return visits


def therapist_of(visit: Appointment) -> StaffUser:
    return StaffUserFactory(therapist=visit.therapist)


def test_the_visit_page_shows_the_latest_answers_and_the_change_since_the_first(
        client: FlaskClient, clinic: Clinic, clock: time_machine.Coordinates) -> None:
    visits = answered_course(client, clinic, clock)
    signed_in(client, therapist_of(visits[1]))
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
    text = client.get(f"/staff/visits/{visits[1].id}").get_data(as_text=True)
    assert "Latest answers, and the change since the first" in text
    assert ("NPRS 6 to 3, 3 points better than at the start: a meaningful improvement (the MCID is 2 points)."
            in text)
    assert "PSFS 4 to 6.5, 2.5 points better than at the start: a meaningful improvement" in text
    assert ("PSFS &#34;Lifting my son&#34; 5 to 7, 2 points better than at the start: not yet a meaningful change "
            "(the MCID for one item is 3 points).") in text
    assert "GROC +4" in text and "verdict" not in text.lower()
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [(event.action, event.subject_id, event.detail) for event in viewed] == [
        ("viewed", str(visits[1].id), "screening, answers and notes")]
    # The next visit, not yet answered for, shows the latest answers before it.
    assert "NPRS 6 to 3" in client.get(f"/staff/visits/{visits[2].id}").get_data(as_text=True)


def test_a_first_measurement_is_the_baseline_and_an_unanswered_visit_shows_none(
        client: FlaskClient, clinic: Clinic) -> None:
    visit = book_visit(clinic)
    signed_in(client, therapist_of(visit))
    assert "Latest answers" not in client.get(f"/staff/visits/{visit.id}").get_data(as_text=True)
    client.post(link(visit), data=FIRST)
    text = client.get(f"/staff/visits/{visit.id}").get_data(as_text=True)
    assert "The first measurement: the baseline." in text and "No change yet: rated once." in text


def test_the_plan_page_charts_each_measure_with_its_baseline_and_band(
        client: FlaskClient, clinic: Clinic, clock: time_machine.Coordinates) -> None:
    visits = answered_course(client, clinic, clock)
    signed_in(client, therapist_of(visits[0]))
    text = client.get(f"/staff/care-plans/{visits[0].care_plan_id}").get_data(as_text=True)
    for code in ("nprs", "psfs", "groc"):
        assert f'aria-labelledby="chart-{code}-title chart-{code}-desc"' in text
    assert text.count('class="chart__band"') == 3 and text.count('class="chart__baseline"') == 3
    assert "Shaded: within 2 points (the MCID) of the baseline, 6 (the line across): not yet a meaningful change." in text
    assert "Session 2, Dec 9, Massage therapy: NPRS 3" in text
    assert '<td data-label="Score">6.5</td>' in text  # the PSFS mean in the table beside its chart


def test_the_patient_reads_their_own_progress_in_plain_words_with_the_same_charts(
        client: FlaskClient, clinic: Clinic, clock: time_machine.Coordinates) -> None:
    visits = answered_course(client, clinic, clock)
    text = client.get(f"/book/manage/{derive_manage_token(visits[2].id)}").get_data(as_text=True)
    assert "Your progress" in text
    assert "Your pain is 3 points lower than when you started." in text
    assert "Your activities score is 2.5 points higher than when you started." in text
    assert "Your pain, 0 to 10, lower is better" in text and text.count('class="chart__band"') == 3
    assert "Shaded: within 2 points of where you started, 6" in text
    assert "MCID" not in text and "NPRS" not in text  # plain words, no jargon
    # Another patient's visit shows nothing of this course.
    other = AppointmentFactory(patient=PatientFactory(), service=clinic.massage, therapist=clinic.massage_therapists[0],
                               starts_at=TEN + timedelta(days=15))
    assert "Your progress" not in client.get(f"/book/manage/{derive_manage_token(other.id)}").get_data(as_text=True)


def test_after_the_first_answers_the_patient_is_told_the_next_are_compared(client: FlaskClient,
                                                                          clinic: Clinic) -> None:
    visits = plan_visits(clinic, TEN, TEN + timedelta(days=7))
    client.post(link(visits[0]), data=FIRST)
    text = client.get(f"/book/manage/{derive_manage_token(visits[1].id)}").get_data(as_text=True)
    assert "Your pain: your first answer is in (6). We will compare your next answers with it." in text
