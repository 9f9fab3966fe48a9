"""How long each kind of text may be: the one home of every limit, used by the forms, the API, the services
and the columns' sizes.

A limit that sizes a column names that column; changing it needs a migration. Limits of different
things have different names even when their values agree, so that one can change without the other.
"""

from __future__ import annotations

# People and places: patients, therapists, services, the clinic and whoever writes to it.
NAME_LENGTH = 120
EMAIL_LENGTH = 254  # the longest address the email standard allows
PHONE_LENGTH = 32
ADDRESS_LENGTH = 200  # ClinicSettings.address

# Codes.
SERVICE_CODE_LENGTH = 40  # Service.code
SIGN_IN_CODE_LENGTH = 20  # a two-factor or recovery code typed at sign-in (never stored as typed)
KEY_LENGTH = 200  # an Idempotency-Key (Appointment.idempotency_key)

# Reasons and labels.
CANCELLATION_REASON_LENGTH = 500  # Appointment.cancellation_reason
DISMISSAL_REASON_LENGTH = 500  # CarePlanDismissal.reason
TIME_OFF_REASON_LENGTH = 200  # TimeOff.reason
CLOSURE_LABEL_LENGTH = 80  # ClinicClosure.label

# Longer text (Text columns: the limit is the clinic's, not the database's).
DESCRIPTION_LENGTH = 2000  # a service's description, a therapist's bio, the visit instructions
GOALS_LENGTH = 2000  # a care plan's goals
MESSAGE_MIN_LENGTH, MESSAGE_LENGTH = 10, 2000  # a message through the contact form
NOTE_LENGTH = 5000  # a visit's note
FUNCTION_NOTE_LENGTH = 200  # VisitOutcome.function_note
ACTIVITY_LENGTH = 80  # one activity a patient names in a questionnaire (Measurement.activities)

# The audit log.
AUDIT_WORD_LENGTH = 40  # AuditEvent.action and AuditEvent.subject_type
AUDIT_DETAIL_LENGTH = 200  # AuditEvent.detail
