"""The patient's page: contact details, every visit (each linking to its page), outcomes, care plans, the
notifications sent to them (kinds, times and status, never what they said) and book-again; one record's only,
loaded in few queries, each outcome and screening shown audited."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, select

from booking.extensions import db
from booking.models import (
    Appointment,
    AuditEvent,
    CarePlan,
    Notification,
    NotificationKind,
    NotificationStatus,
    Patient,
    StaffUser,
    VisitOutcome,
)
from tests.factories import AppointmentFactory, Clinic, PatientFactory, ScreeningFactory, local
from tests.staff_fixtures import clinic_with_admin

NOW = local(2026, 11, 4, 12)

clinic, admin_user, admin = clinic_with_admin(NOW)


def history(clinic: Clinic, admin_user: StaffUser, name: str, note: str, goals: str, which: int = 0) -> Patient:
    """A record with a past visit and its outcome, a visit to come, a care plan and notifications about its visits
    (with the clinic's first therapist of each kind, or the second: ``which``)."""
    patient = PatientFactory(name=name, phone=f"+1403555010{which}")
    physio, massage = clinic.physiotherapists[which], clinic.massage_therapists[which]
    screening = ScreeningFactory(kind="combined")
    past = AppointmentFactory(patient=patient, service=clinic.physio, therapist=physio,
                              screening=screening, starts_at=local(2026, 10, 28, 9), status="completed")
    coming = AppointmentFactory(patient=patient, service=clinic.massage, therapist=massage,
                                screening=screening, starts_at=local(2026, 11, 10, 14))
    db.session.add_all([
        VisitOutcome(appointment_id=past.id, pain=6, function_note=note, recorded_by_id=admin_user.id),
        CarePlan(patient_id=patient.id, screening_id=screening.id, physiotherapist_id=physio.id,
                 massage_therapist_id=massage.id, physio_service_id=clinic.physio.id,
                 massage_service_id=clinic.massage.id, goals=goals, physio_sessions=2, physio_cadence_days=7,
                 massage_sessions=2, massage_cadence_days=7, tolerance_days=1, back_to_back=False,
                 starts_on=local(2026, 10, 28, 9).date(), created_by_id=admin_user.id),
        Notification(key=f"c:{past.id}", kind=NotificationKind.CONFIRMATION, appointment_id=past.id,
                     due_at=local(2026, 10, 20, 9), sent_at=local(2026, 10, 20, 9, 1), status=NotificationStatus.SENT),
        Notification(key=f"r:{coming.id}", kind=NotificationKind.REMINDER, appointment_id=coming.id,
                     due_at=local(2026, 11, 9, 14), status=NotificationStatus.PENDING, offset_minutes=1440),
        Notification(key=f"t:{coming.id}", kind=NotificationKind.THERAPIST_BOOKED, appointment_id=coming.id,
                     therapist_id=massage.id, due_at=local(2026, 11, 1, 9),
                     status=NotificationStatus.SENT, sent_at=local(2026, 11, 1, 9)),
    ])
    db.session.commit()
    return patient


def section(page: str, heading: str) -> str:
    """The part of the page under a heading, to the next one."""
    return page.split(f"<h2>{heading}</h2>")[1].split("<h2>")[0]


def test_every_section_shows_the_records_own(admin: FlaskClient, admin_user: StaffUser, clinic: Clinic) -> None:
    robin = history(clinic, admin_user, "Robin Caller", "Climbs stairs without the rail", "Walk the dog again")
    other = history(clinic, admin_user, "Sam Other", "Kneels to garden for ten minutes", "Garden again", 1)
    page = admin.get(f"/admin/patients/{robin.id}").get_data(as_text=True)
    past, coming = (db.session.scalars(select(Appointment).where(Appointment.patient_id == robin.id)
                                       .order_by(Appointment.starts_at)).all())
    assert f'<a href="tel:{robin.phone}">' in page and robin.email in page
    assert f'href="/admin/appointments/{coming.id}"' in section(page, "Upcoming visits")
    assert f'href="/admin/appointments/{past.id}"' in section(page, "Past visits")
    outcomes = section(page, "Outcomes")
    assert "Oct 28, 2026, 9:00 a.m. MDT" in outcomes and "<td data-label=\"Pain now (0 to 10)\">6</td>" in outcomes
    assert "Climbs stairs without the rail" in outcomes
    plan = db.session.scalar(select(CarePlan).where(CarePlan.patient_id == robin.id))
    plans = section(page, "Care plans")
    assert f'href="/admin/care-plans/{plan.id}">Care plan from October 28, 2026</a>' in plans and "Active" in plans
    assert "Walk the dog again" not in page  # the goals are on the plan's own page
    sent = section(page, "Notifications sent")
    rows = [re.sub(r"\s+", " ", row) for row in sent.split("<tr class=")[1:]]
    assert len(rows) == 2 and "Reminder" in rows[0] and "Waiting" in rows[0] and "Nov 9, 2026, 2:00 p.m. MST" in rows[0]
    assert "Confirmation" in rows[1] and "Sent" in rows[1] and "Oct 20, 2026, 9:01 a.m. MDT" in rows[1]
    assert "Therapist" not in sent  # the therapist's notice is not the patient's
    assert f'href="/admin/book?patient={robin.id}"' in page
    for theirs in ("Sam Other", "Kneels to garden", "Garden again", f"/admin/patients/{other.id}"):
        assert theirs not in page


def test_outcomes_and_screenings_shown_are_audited_in_few_queries(admin: FlaskClient, admin_user: StaffUser,
                                                                   clinic: Clinic) -> None:
    path = f"/admin/patients/{history(clinic, admin_user, 'Robin', 'Climbs stairs', 'Walk the dog again').id}"
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert admin.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The session and login; the visits with their therapists, services and screenings; the outcomes, plans,
    # notices, look-alike records and consents to messages; the person's access requests, and correction requests;
    # the clinic's settings; the retention: the records joined, the last service.
    assert len(reads) <= 17, "\n".join(read.split("\n")[1] for read in reads)
    [past] = db.session.scalars(select(VisitOutcome.appointment_id)).all()
    viewed = [(e.actor_id, e.subject_type, e.subject_id) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "viewed"))]
    screening = db.session.scalar(select(Appointment.screening_id).where(Appointment.id == past))
    assert sorted(viewed) == sorted([(admin_user.id, "appointment", str(past)),
                                     (admin_user.id, "screening", str(screening))])


def test_a_new_record_says_what_it_has_not_got(admin: FlaskClient) -> None:
    page = admin.get(f"/admin/patients/{PatientFactory().id}").get_data(as_text=True)
    for empty in ("No visits to come.", "No outcome recorded yet.", "No care plan.",
                  "Nothing has been sent to this patient."):
        assert empty in page


@pytest.mark.parametrize("enum", [NotificationKind, NotificationStatus])
def test_every_notification_kind_and_status_has_words(enum: type[NotificationKind] | type[NotificationStatus]) -> None:
    assert all(member.label[0].isupper() and "_" not in member.label for member in enum)
