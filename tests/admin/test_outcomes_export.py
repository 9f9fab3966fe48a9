"""The outcomes export: every plan's scores as CSV for the clinic's own audit, with no names, admins only, audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent
from booking.services.care_plans.export import COLUMNS, opaque_plan
from tests.factories import Clinic, StaffUserFactory
from tests.questionnaires.conftest import ALEX, TEN, book_visit, clinic, clock, link, plan_visits
from tests.questionnaires.test_link import FIRST
from tests.questionnaires.test_using_answers import answered_course
from tests.staff_fixtures import signed_in

__all__ = ["clinic", "clock"]


def test_an_admin_downloads_every_plans_scores_without_names(client: FlaskClient, clinic: Clinic,
                                                             clock: time_machine.Coordinates) -> None:
    visits = answered_course(client, clinic, clock)
    client.post(link(book_visit(clinic, TEN + timedelta(days=8))), data=FIRST)  # an assessment outside a plan
    signed_in(client, StaffUserFactory(admin=True))
    assert "Download every plan's outcomes" in client.get("/admin/care-plans").get_data(as_text=True)
    answer = client.get("/admin/outcomes.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="outcomes.csv"'
    text = answer.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    plan = str(opaque_plan(visits[0].care_plan_id))
    assert rows[0] == list(COLUMNS)
    assert rows[1:] == [
        [plan, "nprs", "", "1", "2026-12-02", "6"], [plan, "nprs", "", "2", "2026-12-09", "3"],
        [plan, "psfs", "", "1", "2026-12-02", "4"], [plan, "psfs", "", "2", "2026-12-09", "6.5"],
        [plan, "psfs", "1", "1", "2026-12-02", "3"], [plan, "psfs", "2", "1", "2026-12-02", "5"],
        [plan, "psfs", "1", "2", "2026-12-09", "6"], [plan, "psfs", "2", "2", "2026-12-09", "7"],
        [plan, "groc", "", "2", "2026-12-09", "4"]]
    assert plan != str(visits[0].care_plan_id)
    patient = visits[0].patient
    for private in (patient.name, patient.email, patient.phone, ALEX.name, "Climbing stairs", "Lifting my son"):
        assert private not in text
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "outcomes")).all()
    assert (event.action, event.detail) == ("exported", "9 rows")


def test_a_therapist_gets_404_and_no_link(client: FlaskClient, clinic: Clinic) -> None:
    plan_visits(clinic, TEN)
    signed_in(client, StaffUserFactory(therapist=clinic.massage_therapists[0]))
    assert client.get("/admin/outcomes.csv").status_code == 404
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "outcomes")).all() == []
