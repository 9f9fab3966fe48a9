"""flask seed-demo: the demo clinic, loaded safely any number of times."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time

import pytest
import time_machine
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from booking.cli.demo import DEMO_ADMIN_EMAIL, THERAPISTS
from booking.extensions import db
from booking.models import (
    Appointment,
    CarePlan,
    Patient,
    Screening,
    Service,
    StaffUser,
    Therapist,
    VisitNote,
    VisitOutcome,
    WorkingHours,
)
from booking.services.care_plans import queue as plan_queue
from booking.services.staff_accounts.passwords import password_problem
from tests.factories import STAFF_PASSWORD, StaffUserFactory, TherapistFactory, local

TABLES = (Service, Therapist, WorkingHours, Patient, Screening, Appointment)


@pytest.fixture
def runner(app: Flask) -> Iterator[FlaskCliRunner]:
    """A CLI runner, with the clock at Monday 2026-11-30 08:00 in Calgary."""
    with time_machine.travel(local(2026, 11, 30, 8), tick=False):
        yield app.test_cli_runner()


def counts() -> dict[str, int]:
    """How many rows each table of the demo has."""
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def test_seed_demo_loads_the_clinic_and_is_idempotent(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Services: 6 created" in first.output and "Visits: 6 booked" in first.output
    assert "A care plan under way (Casey Nguyen): booked (9 visits, the first pair done)." in first.output
    loaded = counts()
    assert loaded["Screening"] == loaded["Patient"] == 7 and loaded["Appointment"] == 6 + 9
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "Services: 0 created, 6 updated" in second.output and "6 already there" in second.output
    assert "A care plan under way (Casey Nguyen): already there." in second.output
    assert counts() == loaded


def test_the_demo_clinic_has_what_the_booking_flow_needs(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    kinds = [t.therapy_type for t in db.session.scalars(select(Therapist))]
    assert kinds.count("physiotherapy") >= 3 and kinds.count("massage") >= 3
    services = {s.code: s for s in db.session.scalars(select(Service))}
    assert services["physio-initial"].duration_minutes == 60
    assert sorted(s.duration_minutes for s in services.values() if s.therapy_type == "massage") == [30, 60, 90]
    shifts = list(db.session.scalars(select(WorkingHours)))
    assert any(s.weekday == 5 for s in shifts) and any(s.end_time == time(20) for s in shifts if s.weekday < 5)
    visits = list(db.session.scalars(select(Appointment).where(Appointment.care_plan_id.is_(None))))
    assert all(v.status == "booked" and v.screening.therapy_types for v in visits)
    assert all(v.starts_at > local(2026, 11, 30, 8) for v in visits)
    cautions = [c for v in visits for c in v.screening.recommendation["cautions"]]
    assert cautions, "a therapist of the demo sees a visit with a caution"


def test_the_demo_has_a_care_plan_under_way_for_its_therapists_to_work(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    plan = db.session.scalars(select(CarePlan)).one()
    visits = db.session.scalars(select(Appointment).where(Appointment.care_plan_id == plan.id)
                                .order_by(Appointment.starts_at)).all()
    first_pair, rest = visits[:2], visits[2:]
    assert [visit.service.therapy_type for visit in first_pair] == ["massage", "physiotherapy"]
    assert first_pair[0].ends_at == first_pair[1].starts_at
    assert all(visit.status == "completed" for visit in first_pair) and all(v.status == "booked" for v in rest)
    assert [outcome.pain for outcome in db.session.scalars(select(VisitOutcome).order_by(VisitOutcome.id))] == [6, 5]
    assert [note.kind for note in db.session.scalars(select(VisitNote).order_by(VisitNote.id))] == [
        "handoff", "session"]
    assert rest[0].starts_at < local(2026, 11, 30, 8)  # the physiotherapy since is over, left to be marked
    assert rest[1].starts_at > local(2026, 11, 30, 8)
    assert db.session.scalar(select(func.count()).select_from(CarePlan)) == 1
    assert plan.screening.pathway == "combined" and plan.status == "active"


def test_the_demo_leaves_morgan_frasers_booked_combined_screening_in_the_care_plan_queue(
        runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    waiting = plan_queue.queue(db.session.scalars(select(StaffUser).where(StaffUser.email == DEMO_ADMIN_EMAIL)).one())
    assert [entry.patient.name for entry in waiting if entry.patient] == ["Morgan Fraser"]
    assert waiting[0].booked_for is not None


def test_if_empty_leaves_a_clinic_with_therapists_alone(runner: FlaskCliRunner) -> None:
    TherapistFactory()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert counts()["Service"] == 0
    seeded = runner.invoke(args=["seed-demo"])
    assert "Therapists: 6 created" in seeded.output


def test_if_empty_loads_an_empty_clinic(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "Therapists: 6 created" in result.output


def demo_logins(output: str) -> dict[str, tuple[str, str]]:
    """The logins a seed report prints: email -> (role, password)."""
    found = re.findall(r"^  (admin|therapist) +(\S+@\S+) +(\S+)$", output, flags=re.MULTILINE)
    return {email: (role, password) for role, email, password in found}


def test_seed_demo_creates_the_staff_logins_and_prints_their_passwords_once(
        app: Flask, runner: FlaskCliRunner, caplog: pytest.LogCaptureFixture) -> None:
    first = runner.invoke(args=["seed-demo"])
    logins = demo_logins(first.output)
    assert sorted(role for role, _ in logins.values()) == ["admin"] + ["therapist"] * 6
    assert logins[DEMO_ADMIN_EMAIL][0] == "admin"
    users = {user.email: user for user in db.session.scalars(select(StaffUser))}
    assert set(users) == set(logins)
    assert {users[email].therapist.email for email, (role, _) in logins.items() if role == "therapist"} == \
        {demo.email for demo in THERAPISTS}
    passwords = [password for _, password in logins.values()]
    assert len(set(passwords)) == 7 and all(password_problem(password) is None for password in passwords)
    assert not [password for password in passwords if password in caplog.text]
    second = runner.invoke(args=["seed-demo"])
    assert demo_logins(second.output) == {} and "Staff logins: none created" in second.output
    assert not [password for password in passwords if password in second.output]
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 7


def test_the_demo_admin_signs_in_and_must_set_up_two_factor_first(app: Flask, runner: FlaskCliRunner) -> None:
    _role, password = demo_logins(runner.invoke(args=["seed-demo"]).output)[DEMO_ADMIN_EMAIL]
    client = app.test_client()
    signed = client.post("/staff/login", data={"email": DEMO_ADMIN_EMAIL, "password": password})
    assert signed.headers["Location"] == "/staff/two-factor"
    assert client.get("/staff/account").headers["Location"] == "/staff/two-factor"


def create_staff(runner: FlaskCliRunner, *options: str, password: str = STAFF_PASSWORD) -> Result:
    """Run create-staff with the password on standard input."""
    return runner.invoke(args=["create-staff", *options], input=password + "\n")


def test_create_staff_makes_an_admin_and_a_therapist_login_from_standard_input(app: Flask,
                                                                              runner: FlaskCliRunner) -> None:
    therapist = TherapistFactory()
    admin = create_staff(runner, "--role", "admin", "--email", "Boss@Clinic.example")
    assert admin.exit_code == 0, admin.output
    assert "Created the admin login boss@clinic.example" in admin.output and "two-factor" in admin.output
    assert STAFF_PASSWORD not in admin.output
    linked = create_staff(runner, "--role", "therapist", "--email", "t@clinic.example",
                          "--therapist-id", str(therapist.id))
    assert linked.exit_code == 0, linked.output
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "t@clinic.example"))
    assert user.therapist_id == therapist.id and user.role == "therapist"
    client = app.test_client()
    assert client.post("/staff/login", data={"email": "t@clinic.example",
                                             "password": STAFF_PASSWORD}).status_code == 302


@pytest.mark.parametrize(("options", "password", "error"), [
    (("--role", "therapist", "--email", "a@clinic.example", "--therapist-id", "999"), STAFF_PASSWORD,
     "No therapist has the id 999."),
    (("--role", "therapist", "--email", "a@clinic.example", "--therapist-id", "99999999999"), STAFF_PASSWORD,
     "No therapist has the id 99999999999."),
    (("--role", "admin", "--email", "a@clinic.example", "--therapist-id", "{linked}"), STAFF_PASSWORD,
     "An admin login is not linked to a therapist"),
    (("--role", "therapist", "--email", "a@clinic.example", "--therapist-id", "{linked}"), STAFF_PASSWORD,
     "already has a staff login"),
    (("--role", "therapist", "--email", "a@clinic.example"), STAFF_PASSWORD, "needs the id of the therapist"),
    (("--role", "admin", "--email", "a@clinic.example"), "too short", "at least 12 characters"),
    (("--role", "admin", "--email", "a@clinic.example"), "1qaz2wsx3edc", "too common"),
    (("--role", "admin", "--email", "taken@clinic.example"), STAFF_PASSWORD, "already exists"),
    (("--role", "admin", "--email", "not an email"), STAFF_PASSWORD, "email"),
    (("--role", "boss", "--email", "a@clinic.example"), STAFF_PASSWORD, "'boss' is not one of"),
])
def test_create_staff_explains_what_is_wrong(runner: FlaskCliRunner, options: tuple[str, ...], password: str,
                                             error: str) -> None:
    taken = StaffUserFactory(email="taken@clinic.example")
    arguments = [option.format(linked=taken.therapist_id) for option in options]
    result = create_staff(runner, *arguments, password=password)
    assert result.exit_code != 0 and error in result.output, result.output
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 1
