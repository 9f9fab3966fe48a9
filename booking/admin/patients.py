"""A patient's history, for admins: that record's own visits and screenings, never joined by an email.

As booking.services.booking.patients states, a typed email proves nothing: the
history is the bookings of this patient record only. Other records with the
same email are listed apart, as possibly the same person (unverified), and are
never merged into it. Each screening shown is a view of health information and
is audited.
"""

from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.admin import bp
from booking.admin.appointments import STATUS_LABELS
from booking.extensions import db
from booking.models import Appointment, Patient
from booking.services import audit
from booking.services.availability import storable_id
from booking.services.screenings import staff_recommendation
from booking.staff.access import staff_required


@bp.route("/patients/<int:id>")
@staff_required("admin")
def patient(id: int) -> str:  # noqa: A002  (the endpoint's argument, as the staff navigation names it)
    """One patient record: its details, its own visits with their screenings, and look-alike records apart."""
    record = db.session.get(Patient, id) if storable_id(id) else None
    if record is None:
        abort(404)
    visits = list(db.session.scalars(
        select(Appointment).where(Appointment.patient_id == record.id)
        .options(selectinload(Appointment.screening), selectinload(Appointment.therapist),
                 selectinload(Appointment.service))
        .order_by(Appointment.starts_at.desc())))
    same_email = list(db.session.scalars(
        select(Patient).where(Patient.email == record.email, Patient.id != record.id).order_by(Patient.id)))
    for screening_id in dict.fromkeys(visit.screening_id for visit in visits):
        audit.record("viewed", "screening", screening_id, f"history of patient {record.id}")
    db.session.commit()
    return render_template("staff/admin/patient.html", patient=record, visits=visits, same_email=same_email,
                           statuses=STATUS_LABELS, recommendation_of=staff_recommendation)
