"""flask seed-demo: the demo clinic, loaded safely any number of times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Appointment, Patient, Screening, Service, Therapist, WorkingHours
from tests.factories import TherapistFactory, local

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
    loaded = counts()
    assert loaded["Appointment"] == loaded["Screening"] == loaded["Patient"] == 6
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "Services: 0 created, 6 updated" in second.output and "6 already there" in second.output
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
    visits = list(db.session.scalars(select(Appointment)))
    assert all(v.status == "booked" and v.screening.therapy_types for v in visits)
    assert all(v.starts_at > local(2026, 11, 30, 8) for v in visits)


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
