"""Retention for admins: a legal hold put and lifted, a birth date given, each audited and shown on the patient's
page; the dry run listing who would go tonight and why, who is held and whose birth date is needed; the CLI's."""

from __future__ import annotations

from datetime import date
from itertools import count

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, Patient
from tests.factories import AppointmentFactory, Clinic, PatientFactory, local
from tests.staff_fixtures import clinic_with_admin

NOW = local(2026, 11, 4, 12)
_hours = count(8)

clinic, admin_user, admin = clinic_with_admin(NOW)


def served(clinic: Clinic, name: str, year: int, **details: object) -> Patient:
    """A patient whose last visit took place on November 1st of ``year`` (each at its own hour)."""
    patient = PatientFactory(name=name, **details)
    AppointmentFactory(patient=patient, service=clinic.physio, therapist=clinic.physiotherapists[0],
                       starts_at=local(year, 11, 1, next(_hours) % 24), status="completed")
    db.session.commit()
    return patient


def audited(action: str) -> list[tuple[str | None, str | None]]:
    """The subject ids and details of the audit rows of ``action``."""
    return [(subject, detail) for subject, detail in db.session.execute(
        select(AuditEvent.subject_id, AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_an_admin_puts_a_legal_hold_with_its_reason_and_lifts_it(admin: FlaskClient, clinic: Clinic) -> None:
    patient = served(clinic, "Dana Fox", 2012, adult_on=date(2012, 1, 1))
    page = admin.post(f"/admin/patients/{patient.id}/hold", data={"reason": "  lawsuit filed   2026-10-30 "},
                      follow_redirects=True).get_data(as_text=True)
    assert "The records are under a legal hold" in page and "Held since" in page and "lawsuit filed 2026-10-30" in page
    assert "Lift the legal hold" in page
    assert audited("held") == [(str(patient.id), "legal hold put")]
    page = admin.post(f"/admin/patients/{patient.id}/hold/lift", follow_redirects=True).get_data(as_text=True)
    assert "The legal hold is lifted." in page and "Put a legal hold" in page
    db.session.expire_all()
    assert db.session.get_one(Patient, patient.id).legal_hold_reason is None
    assert audited("released") == [(str(patient.id), "legal hold lifted")]


def test_a_hold_without_a_reason_is_refused_on_the_patients_page(admin: FlaskClient, clinic: Clinic) -> None:
    patient = served(clinic, "Dana Fox", 2012)
    response = admin.post(f"/admin/patients/{patient.id}/hold", data={"reason": "   "})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Dana Fox</h1>" in page
    assert "Enter why the records are held" in page and audited("held") == []
    long = "x" * 201
    page = admin.post(f"/admin/patients/{patient.id}/hold", data={"reason": long}).get_data(as_text=True)
    assert "Write at most 200 characters." in page and f'value="{long}"' in page


def test_an_admin_gives_a_birth_date_and_the_rule_follows(admin: FlaskClient, clinic: Clinic) -> None:
    patient = served(clinic, "Sam Lee", 2014)
    page = admin.get(f"/admin/patients/{patient.id}").get_data(as_text=True)
    assert "not until the birth date is known: birth date needed: could have been under 18 at the last service on " \
           "2014-11-01" in page
    page = admin.post(f"/admin/patients/{patient.id}/birth-date", data={"birth_date": "2000-05-20"},
                      follow_redirects=True).get_data(as_text=True)
    assert "The birth date is saved." in page
    assert "ten years after the 18th birthday on 2018-05-20, under 18 at the last service on 2014-11-01" in page
    assert audited("changed") == [(str(patient.id), "birth date")]


def test_a_birth_date_to_come_or_unreadable_is_refused_with_what_was_typed(admin: FlaskClient, clinic: Clinic) -> None:
    patient = served(clinic, "Sam Lee", 2014)
    page = admin.post(f"/admin/patients/{patient.id}/birth-date", data={"birth_date": "2030-01-01"}).get_data(as_text=True)
    assert "Enter a birth date in the past, like 2010-04-23." in page and 'value="2030-01-01"' in page
    page = admin.post(f"/admin/patients/{patient.id}/birth-date", data={"birth_date": "May 5"}).get_data(as_text=True)
    assert "Enter a date like 2026-11-02." in page and 'value="May 5"' in page
    db.session.expire_all()
    assert db.session.get_one(Patient, patient.id).birth_date is None and audited("changed") == []


def test_the_dry_run_lists_who_would_go_who_is_held_and_whose_birth_date_is_needed(
        admin: FlaskClient, clinic: Clinic) -> None:
    due = served(clinic, "Ada Gone", 2015, adult_on=date(2015, 1, 1))
    held = served(clinic, "Hal Held", 2015, adult_on=date(2015, 1, 1), legal_hold_reason="court order",
                  legal_hold_at=NOW)
    unknown = served(clinic, "Uma Unknown", 2015)
    kept = served(clinic, "Kit Kept", 2020, adult_on=date(2020, 1, 1))
    page = admin.get("/admin/privacy/retention").get_data(as_text=True)
    would, held_part, needed = (page.split("<h2>Kept under a legal hold</h2>")[0],
                                page.split("<h2>Kept under a legal hold</h2>")[1].split("<h2>Kept until")[0],
                                page.split("<h2>Kept until their birth date is known</h2>")[1])
    assert "Ada Gone" in would and "ten years after the last service on 2015-11-01" in would
    assert "Hal Held" in held_part and "court order" in held_part and "Hal Held" not in would
    assert "Uma Unknown" in needed and "birth date needed" in needed and "Kit Kept" not in page
    assert audited("viewed")[-1] == (None, "dry run: 1 due, 1 held, 1 birth dates needed")
    assert all(db.session.get(Patient, patient.id) for patient in (due, held, unknown, kept))


def test_the_cli_dry_run_names_records_by_id_and_destroys_nothing(app: Flask, clinic: Clinic) -> None:
    due = served(clinic, "Ada Gone", 2015, adult_on=date(2015, 1, 1))
    result = app.test_cli_runner().invoke(args=["privacy", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output == (f"Would destroy the records of patient {due.id}: ten years after the last service on "
                             "2015-11-01.\n")
    assert db.session.get(Patient, due.id) is not None
