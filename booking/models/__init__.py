"""The models, one module per aggregate."""

from booking.models.appointment import Appointment, AppointmentStatus
from booking.models.catalog import THERAPY_LABELS, THERAPY_TYPES, Service
from booking.models.clinic import ContactMessage
from booking.models.outbox import Notification, NotificationStatus
from booking.models.patient import Patient
from booking.models.screening import Screening, ScreeningDraft
from booking.models.staff import Therapist, TimeOff, WorkingHours

__all__ = [
    "THERAPY_LABELS",
    "THERAPY_TYPES",
    "Appointment",
    "AppointmentStatus",
    "ContactMessage",
    "Notification",
    "NotificationStatus",
    "Patient",
    "Screening",
    "ScreeningDraft",
    "Service",
    "Therapist",
    "TimeOff",
    "WorkingHours",
]
