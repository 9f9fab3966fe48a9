"""Who a booking belongs to: the rule for matching patients.

An email address typed into a form proves nothing: anyone can type anyone's.
So nothing a patient types changes what is stored for another booking or
another person, and an email never joins a booking to someone's history:

- Every booking made by a patient creates its own patient record, holding the
  name, email and phone given with that booking, and never changed by a later
  booking, whatever its email. A booking of several visits at once (a pair, a
  course of care) is one booking: one record holds all its visits, and that is
  how a replayed course finds them again.
- Two records are the same person only on proof: a staff member who has spoken
  to the patient links them, or (later) the patient proves control of the
  address by a link we email to it. Until then a staff page may list other
  bookings with the same email as "possibly the same person", never as the
  patient's own history.
"""

from __future__ import annotations

from booking.extensions import db
from booking.models import Patient
from booking.services.booking.requests import PatientDetails


def patient_for_booking(details: PatientDetails) -> Patient:
    """A new patient record with the details given with this booking (see the module docstring)."""
    patient = Patient(name=details.name, email=details.email, phone=details.phone)
    db.session.add(patient)
    return patient

