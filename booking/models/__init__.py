"""The models, one module per aggregate."""

from booking.models.accounts import LoginThrottle, PasswordReset, RecoveryCode, StaffRole, StaffSession, StaffUser
from booking.models.appointment import Appointment, AppointmentStatus
from booking.models.audit import AuditEvent
from booking.models.care_plans import CarePlan, CarePlanDismissal, CarePlanStatus
from booking.models.catalog import THERAPY_TYPES, Service
from booking.models.clinic import ContactMessage
from booking.models.notes import VisitNote, VisitOutcome
from booking.models.outbox import CarePlanEvent, Notification, NotificationKind, NotificationStatus
from booking.models.patient import Patient
from booking.models.privacy import AccessRequest, Correction, CorrectionDecision, CorrectionRequest, MessageConsent
from booking.models.questionnaires import AnsweredIn, Measurement, Questionnaire
from booking.models.screening import Screening, ScreeningDraft
from booking.models.settings import ClinicClosure, ClinicSettings, ReferenceVersion
from booking.models.staff import Therapist, TherapistQualification, TimeOff, WorkingHours
from booking.models.waitlist import (
    EntryStatus,
    OfferStatus,
    OpeningCause,
    OpeningStatus,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistOpening,
)

__all__ = [
    "THERAPY_TYPES",
    "AnsweredIn",
    "Appointment",
    "AuditEvent",
    "CarePlan",
    "CarePlanDismissal",
    "CarePlanEvent",
    "CarePlanStatus",
    "ClinicClosure",
    "ClinicSettings",
    "LoginThrottle",
    "Measurement",
    "PasswordReset",
    "RecoveryCode",
    "StaffRole",
    "StaffSession",
    "StaffUser",
    "VisitNote",
    "VisitOutcome",
    "AppointmentStatus",
    "ContactMessage",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "Patient",
    "Questionnaire",
    "ReferenceVersion",
    "Screening",
    "ScreeningDraft",
    "Service",
    "Therapist",
    "TherapistQualification",
    "TimeOff",
    "WorkingHours",
    "EntryStatus",
    "OfferStatus",
    "OpeningCause",
    "OpeningStatus",
    "WaitlistEntry",
    "WaitlistOffer",
    "WaitlistOpening",
    "AccessRequest",
    "Correction",
    "CorrectionDecision",
    "CorrectionRequest",
    "MessageConsent",
]
