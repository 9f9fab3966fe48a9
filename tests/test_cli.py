"""flask seed-demo: the demo clinic and its busy calendar, loaded safely any number of times."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from booking.cli.demo import DEMO_ADMIN_EMAIL, THERAPISTS, VISITS
from booking.extensions import db
from booking.models import (
    Appointment,
    CarePlan,
    Measurement,
    Notification,
    Patient,
    Screening,
    Service,
    StaffUser,
    Therapist,
    TimeOff,
    VisitNote,
    VisitOutcome,
    WorkingHours,
)
from booking.scheduling import qualifications
from booking.services.care_plans import progress
from booking.services.care_plans import queue as plan_queue
from booking.services.staff_accounts.passwords import password_problem
from booking.services.therapists.hours import outside_hours
from booking.services.visits import partner
from booking.services.visits.availability import search_pairs, search_slots
from booking.services.visits.course import back_to_back
from tests.factories import CLINIC_ZONE, STAFF_PASSWORD, StaffUserFactory, TherapistFactory, local

TABLES = (Service, Therapist, WorkingHours, TimeOff, Patient, Screening, Appointment, StaffUser)
NOW = local(2026, 11, 30, 8)  # a Monday morning
COMING = [NOW.date() + timedelta(days=offset) for offset in range(14)]  # the coming two weeks, today first


@pytest.fixture
def runner(app: Flask) -> Iterator[FlaskCliRunner]:
    """A CLI runner, with the clock at Monday 2026-11-30 08:00 in Calgary."""
    with time_machine.travel(NOW, tick=False):
        yield app.test_cli_runner()


def counts() -> dict[str, int]:
    """How many rows each table of the demo has."""
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def test_seed_demo_loads_the_clinic_and_is_idempotent(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Services: 6 created" in first.output and "Therapists: 9 created" in first.output
    assert "Time off (Daniel Okafor): added (Thursday December 10 and the day after)." in first.output
    assert "Visits: 6 booked" in first.output and "Back-to-back pairs: 2 booked, 0 already there." in first.output
    assert "A care plan under way (Casey Nguyen): booked (9 visits, the first pair done, 2 questionnaires " \
           "answered)." in first.output
    assert "A care plan flagged for a look together (Robin Ellis): booked (9 visits), flagged: Not yet a " \
           "meaningful change after 4 sessions." in first.output
    filled = re.search(r"^The calendar: (\d+) visits in the coming two weeks; (\d+) in the last one "
                       r"\((\d+) completed, (\d+) no-shows, 2 cancelled\)\.$", first.output, flags=re.MULTILINE)
    assert filled, first.output
    coming, past, completed, missed = map(int, filled.groups())
    assert coming > 300 and past == completed + missed + 2 and completed > 5 * missed > 0
    loaded = counts()
    assert loaded["Appointment"] == 6 + 2 * 9 + 2 * 2 + coming + past
    assert loaded["Screening"] == loaded["Appointment"] - 2 * 8 - 2 + 3  # and three waiting patients' (not Casey)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "Services: 0 created, 6 updated" in second.output and "6 already there" in second.output
    assert "A care plan under way (Casey Nguyen): already there." in second.output
    assert "A care plan flagged for a look together (Robin Ellis): already there." in second.output
    assert "Time off (Daniel Okafor): already there." in second.output
    assert "Back-to-back pairs: 0 booked, 2 already there." in second.output
    assert "The calendar: already filled." in second.output
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
    named = [visit.email for visit in VISITS]
    visits = list(db.session.scalars(select(Appointment).join(Patient).where(Patient.email.in_(named))))
    assert len(visits) == len(VISITS)
    assert all(v.status == "booked" and v.screening.therapy_types and v.starts_at > NOW for v in visits)
    cautions = [c for v in visits for c in v.screening.recommendation["cautions"]]
    assert cautions, "a therapist of the demo sees a visit with a caution"


def therapists_minutes() -> tuple[float, float]:
    """The therapists' working time in the coming two weeks from now (their time off left out), and the time
    booked in it (the visits, their buffers not counted), in minutes."""
    working = booked = 0.0
    for therapist in db.session.scalars(select(Therapist)):
        away = [(gap.starts_at, gap.ends_at) for gap in db.session.scalars(
            select(TimeOff).where(TimeOff.therapist_id == therapist.id))]
        for day in COMING:
            for shift in (shift for shift in therapist.hours if shift.weekday == day.weekday()):
                start = max(datetime.combine(day, shift.start_time, CLINIC_ZONE), NOW)
                end = datetime.combine(day, shift.end_time, CLINIC_ZONE)
                working += minutes(start, end) - sum(minutes(max(start, gone), min(end, back)) for gone, back in away)
    for visit in coming_visits():
        booked += minutes(visit.starts_at, visit.ends_at)
    return working, booked


def minutes(start: datetime, end: datetime) -> float:
    """The minutes from start to end, none if it ends first."""
    return max((end - start).total_seconds() / 60, 0)


def coming_visits() -> list[Appointment]:
    """The booked visits from now to the end of the coming two weeks, in order of start."""
    end = datetime.combine(COMING[-1] + timedelta(days=1), time(), CLINIC_ZONE)
    return list(db.session.scalars(select(Appointment).where(
        Appointment.status == "booked", Appointment.starts_at >= NOW, Appointment.starts_at < end)
        .order_by(Appointment.starts_at)))


def test_the_demo_clinic_has_eight_therapists_or_more_with_their_own_hours_and_one_away(
        runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    therapists = list(db.session.scalars(select(Therapist)))
    assert len(therapists) >= 8 and {t.therapy_type for t in therapists} == {"physiotherapy", "massage"}
    weeks = {tuple((shift.weekday, shift.start_time, shift.end_time) for shift in t.hours) for t in therapists}
    assert len(weeks) == len(therapists), "no two therapists work the same weekly hours"
    away = db.session.scalars(select(TimeOff)).one()
    assert NOW < away.starts_at < away.ends_at <= datetime.combine(COMING[-1], time(), CLINIC_ZONE)
    assert all(outside_hours(t.id) == [] for t in therapists), "every visit to come is within its therapist's hours"


def test_the_demo_fills_half_to_three_quarters_of_the_coming_two_weeks_with_varied_visits(
        runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    working, booked = therapists_minutes()
    assert 0.5 <= booked / working <= 0.75
    visits = coming_visits()
    assert {visit.service.code for visit in visits} == {service.code for service in db.session.scalars(select(Service))}
    working_days = {visit.starts_at.astimezone(CLINIC_ZONE).date() for visit in visits}
    assert working_days == {day for day in COMING if day.weekday() != 6}, "every day the clinic is open is booked"
    cautious = [visit for visit in visits if visit.screening.caution_codes]
    assert len(cautious) >= 10
    assert all(qualifications.trained(v.service.therapy_type, v.screening.caution_codes, v.therapist.qualifications)
               for v in cautious), "a pregnant patient's massage is given by a therapist trained in it"
    for therapist_id in {visit.therapist_id for visit in visits}:
        own = [visit for visit in visits if visit.therapist_id == therapist_id]
        assert all(later.starts_at >= earlier.blocked_until for earlier, later in zip(own, own[1:], strict=False))


def test_the_demo_leaves_each_day_to_come_a_pair_time_and_an_hour_with_each_therapist(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    services = {service.code: service for service in db.session.scalars(select(Service))}
    hour_long = {"massage": services["massage-60"], "physiotherapy": services["physio-initial"]}
    for day in (day for day in COMING[1:] if day.weekday() != 6):
        assert search_pairs(hour_long["massage"], hour_long["physiotherapy"], day, day, first_therapist_id=None,
                            second_therapist_id=None), day
        for therapist in db.session.scalars(select(Therapist)):
            if any(shift.weekday == day.weekday() for shift in therapist.hours) and not away_on(therapist, day):
                assert search_slots(hour_long[therapist.therapy_type], day, day, therapist_id=therapist.id), (
                    therapist.name, day)


def away_on(therapist: Therapist, day: date) -> bool:
    """Whether the therapist has time off on the day."""
    midnight = datetime.combine(day, time(), CLINIC_ZONE)
    return db.session.scalar(select(TimeOff.id).where(
        TimeOff.therapist_id == therapist.id, TimeOff.starts_at < midnight + timedelta(days=1),
        TimeOff.ends_at > midnight)) is not None


def test_the_demo_has_back_to_back_pairs_in_the_coming_two_weeks(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    pairs = [(visit, partner(visit)) for visit in coming_visits() if visit.service.therapy_type == "massage"]
    pairs = [(massage, physio) for massage, physio in pairs if physio is not None]
    assert len(pairs) >= 3 and any(massage.care_plan_id for massage, _ in pairs)
    for massage, physio in pairs:
        assert physio.service.therapy_type == "physiotherapy" and massage.ends_at == physio.starts_at
        assert back_to_back(massage, physio) and massage.patient_id == physio.patient_id
    first_pair = min(massage.starts_at for massage, _ in pairs if massage.care_plan_id is None)
    assert first_pair.astimezone(CLINIC_ZONE).date() == NOW.date() + timedelta(days=1)


def test_the_demo_last_week_was_completed_missed_or_cancelled_by_realistic_patients(
        runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    over = list(db.session.scalars(select(Appointment).where(Appointment.ends_at <= NOW)))
    statuses = Counter(visit.status for visit in over if visit.care_plan_id is None)
    assert statuses["cancelled"] == 2 and statuses["completed"] > 5 * statuses["no_show"] > 0
    assert statuses["booked"] == 0, "only the care plan's session since is left to be marked"
    cancelled = [visit for visit in over if visit.status == "cancelled"]
    assert all(visit.cancellation_reason and visit.cancelled_at < visit.starts_at for visit in cancelled)
    last_week = {visit.starts_at.astimezone(CLINIC_ZONE).date() for visit in over if visit.care_plan_id is None}
    assert {NOW.date() - timedelta(days=days) for days in range(2, 8)} <= last_week, "Monday to Saturday"
    patients = list(db.session.scalars(select(Patient)))
    assert len({patient.name for patient in patients}) == len(patients) > 300
    assert all(re.fullmatch(r"[A-Z][\w'-]+( [A-Z][\w'-]+)+", patient.name) for patient in patients)
    assert all(re.fullmatch(r"\+1\d{3}55501\d\d", patient.phone) for patient in patients)
    emails = [patient.email for patient in patients if patient.email is not None]
    assert len(emails) > 0.9 * len(patients) and len(set(emails)) == len(emails)
    assert all(email.endswith(("@example.com", "@example.net", "@example.org")) for email in emails)
    returning = Counter(visit.patient_id for visit in db.session.scalars(select(Appointment)))
    assert sum(1 for count in returning.values() if count > 1) > 50, "many patients come back for a follow-up"


def test_the_demo_has_a_care_plan_under_way_for_its_therapists_to_work(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    plan = db.session.scalars(select(CarePlan).join(Patient, Patient.id == CarePlan.patient_id)
                              .where(Patient.name == "Casey Nguyen")).one()
    visits = db.session.scalars(select(Appointment).where(Appointment.care_plan_id == plan.id)
                                .order_by(Appointment.starts_at)).all()
    first_pair, rest = visits[:2], visits[2:]
    assert [visit.service.therapy_type for visit in first_pair] == ["massage", "physiotherapy"]
    assert first_pair[0].ends_at == first_pair[1].starts_at
    assert all(visit.status == "completed" for visit in first_pair) and all(v.status == "booked" for v in rest)
    assert [outcome.pain for outcome in db.session.scalars(select(VisitOutcome).order_by(VisitOutcome.id))] == [6, 5]
    assert [note.kind for note in db.session.scalars(select(VisitNote).order_by(VisitNote.id))] == [
        "handoff", "session"]
    assert rest[0].starts_at < NOW  # the physiotherapy since is over, left to be marked
    assert rest[1].starts_at > NOW
    assert db.session.scalar(select(func.count()).select_from(CarePlan)) == 2  # and Robin Ellis's, flagged
    assert plan.screening.pathway == "combined" and plan.status == "active"


def test_the_demo_leaves_morgan_frasers_booked_combined_screening_in_the_care_plan_queue(
        runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    waiting = plan_queue.queue(db.session.scalars(select(StaffUser).where(StaffUser.email == DEMO_ADMIN_EMAIL)).one())
    assert sorted(entry.patient.name for entry in waiting if entry.patient) == [
        "Morgan Fraser", "Nadia Haddad", "Owen Kowalchuk"]  # Morgan's visit, and the two pairs booked
    assert all(entry.booked_for is not None for entry in waiting)


def test_if_empty_leaves_a_clinic_with_therapists_alone(runner: FlaskCliRunner) -> None:
    TherapistFactory()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert counts()["Service"] == 0
    seeded = runner.invoke(args=["seed-demo"])
    assert "Therapists: 9 created" in seeded.output


def test_if_empty_loads_an_empty_clinic(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "Therapists: 9 created" in result.output


def demo_logins(output: str) -> dict[str, tuple[str, str]]:
    """The logins a seed report prints: email -> (role, password)."""
    found = re.findall(r"^  (admin|therapist) +(\S+@\S+) +(\S+)$", output, flags=re.MULTILINE)
    return {email: (role, password) for role, email, password in found}


def test_seed_demo_creates_the_staff_logins_and_prints_their_passwords_once(
        app: Flask, runner: FlaskCliRunner, caplog: pytest.LogCaptureFixture) -> None:
    first = runner.invoke(args=["seed-demo"])
    logins = demo_logins(first.output)
    assert sorted(role for role, _ in logins.values()) == ["admin"] + ["therapist"] * 9
    assert logins[DEMO_ADMIN_EMAIL][0] == "admin"
    users = {user.email: user for user in db.session.scalars(select(StaffUser))}
    assert set(users) == set(logins)
    assert {users[email].therapist.email for email, (role, _) in logins.items() if role == "therapist"} == \
        {demo.email for demo in THERAPISTS}
    passwords = [password for _, password in logins.values()]
    assert len(set(passwords)) == 10 and all(password_problem(password) is None for password in passwords)
    assert not [password for password in passwords if password in caplog.text]
    second = runner.invoke(args=["seed-demo"])
    assert demo_logins(second.output) == {} and "Staff logins: none created" in second.output
    assert not [password for password in passwords if password in second.output]
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 10


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


def test_the_demo_plans_hold_a_course_of_answers_one_improving_and_one_flagged(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    plans = {plan.patient.name: plan for plan in db.session.scalars(select(CarePlan))}
    casey = db.session.scalars(select(Measurement).where(Measurement.care_plan_id == plans["Casey Nguyen"].id)
                               .order_by(Measurement.number)).all()
    assert [each.answers for each in casey] == [{"nprs": 6, "psfs": [3, 2]}, {"nprs": 4, "psfs": [5, 5], "groc": 3}]
    assert casey[0].activities == ["Going down stairs", "Kneeling to garden"]
    found = progress.flags(plan.id for plan in plans.values())
    assert list(found) == [plans["Robin Ellis"].id]
    assert found[plans["Robin Ellis"].id].title == "Not yet a meaningful change after 4 sessions"
    told = db.session.scalars(select(Notification.therapist_id).where(Notification.event == "outcome_flagged")).all()
    assert sorted(told) == sorted(plans["Robin Ellis"].therapist_ids)
    runner.invoke(args=["seed-demo"])
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 7
