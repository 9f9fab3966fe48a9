"""Every route of the app, walked as five people, answers what ONE explicit table says.

The people: an anonymous visitor, a patient holding the visit's manage link (nothing
staff in their session; a Bearer token on the API), therapist A (whose records fill
every path), therapist B and an admin. A route missing from ROUTES fails the test, so
a new route is added to the table on purpose. The walk also proves that every view of
health information writes an audit row, that no health information reaches a log line
(every logger at DEBUG), and that every staff page carries the security headers.
Runs on both databases; each person walks a world of their own.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from booking.extensions import db
from booking.logs import redact
from booking.models import (
    AccessRequest,
    Appointment,
    AuditEvent,
    ClinicClosure,
    ContactMessage,
    CorrectionRequest,
    Notification,
    PasswordReset,
    StaffUser,
    TimeOff,
    VisitNote,
)
from booking.models.waitlist import OfferStatus, OpeningStatus
from booking.routing import QUESTIONS
from booking.services.staff_accounts.password_resets import reset_token
from booking.services.therapists.feed import feed_token
from booking.services.visits import derive_manage_token
from tests.factories import StaffUserFactory, WorkingHoursFactory, local, open_every_day
from tests.staff.therapist_pages import CAUTION_ANSWERS, CAUTION_TEXT, massage_therapist, visit
from tests.staff_fixtures import signed_in
from tests.waitlist.records import entry, offer, opening

NOW = local(2026, 11, 30, 12)  # Monday noon in Calgary: A's caution visit began two hours ago
NOTE_BODY = "Left trapezius guarded; patient reports bruising after the last session"
PEOPLE = ("anonymous", "patient", "therapist_a", "therapist_b", "admin")

# The answers, by person: (anonymous, patient, therapist A, therapist B, admin).
# LOGIN: a redirect to /staff/login; an int: that status; "→/path": a redirect there (ids and tokens
# shown as <id> and <token>, no query string; {patient}, {service} and {therapist}: those of A's visit).
LOGIN = "login"
ROUTES: dict[tuple[str, str], tuple[Any, Any, Any, Any, Any]] = {
    # Public pages.
    ('GET', '/'): (200, 200, 200, 200, 200),
    ('POST', '/'): (200, 200, 200, 200, 200),
    # /admin/ and /staff/: the signed-in person's own first page, whatever their role.
    ('GET', '/admin/'): (LOGIN, LOGIN, '→/staff/schedule', '→/staff/schedule', '→/admin/today'),
    ('GET', '/staff/'): (LOGIN, LOGIN, '→/staff/schedule', '→/staff/schedule', '→/admin/today'),
    # The admins' pages: admins only; therapists get 404 (a page that does not exist for them).
    ('GET', '/admin/appointments'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/appointments/<uuid:appointment_id>'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/appointments/<uuid:appointment_id>/cancel'): (LOGIN, LOGIN, 404, 404, '→/admin/appointments/<id>'),
    ('POST', '/admin/appointments/<uuid:appointment_id>/outcome'): (LOGIN, LOGIN, 404, 404, 400),
    # Checking A's patient in (A's visit is today): back to the visit's page, to the notice saying so.
    ('POST', '/admin/appointments/<uuid:appointment_id>/check-in'): (LOGIN, LOGIN, 404, 404,
                                                                    '→/admin/appointments/<id>#notice'),
    ('GET', '/admin/appointments/<uuid:appointment_id>/reschedule'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/appointments/<uuid:appointment_id>/reschedule'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/audit'): (LOGIN, LOGIN, 404, 404, 200),
    # The calendar: a week needs its therapist (?therapist=), which the walk does not send.
    ('GET', '/admin/calendar'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/calendar/week'): (LOGIN, LOGIN, 404, 404, 400),
    # Care plans: A's visit's screening is not combined and no plan has A's patient's id: 404 even for an admin.
    ('GET', '/admin/care-plans'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/care-plans/<int:id>'): (LOGIN, LOGIN, 404, 404, 404),
    ('POST', '/admin/care-plans/<int:id>'): (LOGIN, LOGIN, 404, 404, 404),
    ('POST', '/admin/care-plans/<int:id>/book'): (LOGIN, LOGIN, 404, 404, 404),
    ('GET', '/admin/care-plans/<int:id>/waitlist'): (LOGIN, LOGIN, 404, 404, 404),
    ('POST', '/admin/care-plans/<int:id>/waitlist'): (LOGIN, LOGIN, 404, 404, 404),
    ('GET', '/admin/care-plans/new/<uuid:screening_id>'): (LOGIN, LOGIN, 404, 404, 404),
    ('POST', '/admin/care-plans/new/<uuid:screening_id>'): (LOGIN, LOGIN, 404, 404, 404),
    ('POST', '/admin/care-plans/new/<uuid:screening_id>/dismiss'): (LOGIN, LOGIN, 404, 404, 404),
    ('GET', '/admin/book'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/closures'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/closures'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/closures/<int:closure_id>/remove'): (LOGIN, LOGIN, 404, 404, '→/admin/closures'),
    ('POST', '/admin/book'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/book/<uuid:screening_id>'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/book/<uuid:screening_id>/details'): (LOGIN, LOGIN, 404, 404, '→/admin/book/<id>'),
    ('POST', '/admin/book/<uuid:screening_id>/details'): (LOGIN, LOGIN, 404, 404, '→/admin/book/<id>'),
    ('GET', '/admin/book/<uuid:screening_id>/waitlist'): (LOGIN, LOGIN, 404, 404, '→/admin/book/<id>'),
    ('POST', '/admin/book/<uuid:screening_id>/waitlist'): (LOGIN, LOGIN, 404, 404, '→/admin/book/<id>'),
    ('GET', '/admin/book/details'): (LOGIN, LOGIN, 404, 404, '→/admin/book'),
    ('POST', '/admin/book/details'): (LOGIN, LOGIN, 404, 404, '→/admin/book'),
    ('GET', '/admin/book/health'): (LOGIN, LOGIN, 404, 404, '→/admin/book'),
    ('POST', '/admin/book/health'): (LOGIN, LOGIN, 404, 404, '→/admin/book'),
    ('GET', '/admin/book/warning-signs'): (LOGIN, LOGIN, 404, 404, '→/admin/book'),
    ('POST', '/admin/book/warning-signs'): (LOGIN, LOGIN, 404, 404, '→/admin/book'),
    ('GET', '/admin/inbox'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/inbox/<int:message_id>'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/inbox/<int:message_id>/handled'): (LOGIN, LOGIN, 404, 404, '→/admin/inbox'),
    ('GET', '/admin/notifications'): (LOGIN, LOGIN, 404, 404, 200),
    # The outcomes export (no names): admins only.
    ('GET', '/admin/outcomes.csv'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/notifications/<int:notification_id>/retry'): (LOGIN, LOGIN, 404, 404, '→/admin/notifications'),
    ('GET', '/admin/patients'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/patients/<int:id>'): (LOGIN, LOGIN, 404, 404, 200),
    # Access requests: recording one (an empty form is re-shown, 400), answering it, its export (health: audited).
    ('GET', '/admin/patients/<int:id>/access-requests/new'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/patients/<int:id>/access-requests/new'): (LOGIN, LOGIN, 404, 404, 400),
    ('POST', '/admin/patients/<int:id>/access-requests/<int:request_id>/answer'): (
        LOGIN, LOGIN, 404, 404, '→/admin/patients/{patient}/access-requests/{access_request}/export'),
    ('GET', '/admin/patients/<int:id>/access-requests/<int:request_id>/export'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/patients/<int:id>/access-requests/<int:request_id>/export.json'): (LOGIN, LOGIN, 404, 404, 200),
    # Correction requests: an empty form is re-shown with its errors.
    ('GET', '/admin/patients/<int:id>/corrections/new'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/patients/<int:id>/corrections/new'): (LOGIN, LOGIN, 404, 404, 400),
    ('GET', '/admin/patients/<int:id>/corrections/<int:correction_id>'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/patients/<int:id>/corrections/<int:correction_id>/details'): (LOGIN, LOGIN, 404, 404, 400),
    ('POST', '/admin/patients/<int:id>/corrections/<int:correction_id>/refuse'): (LOGIN, LOGIN, 404, 404, 400),
    ('POST', '/admin/patients/<int:id>/corrections/<int:correction_id>/text'): (LOGIN, LOGIN, 404, 404, 400),
    # Joining a record with itself is refused: back to the record.
    ('GET', '/admin/patients/<int:id>/join/<int:other_id>'): (LOGIN, LOGIN, 404, 404, '→/admin/patients/{patient}'),
    ('POST', '/admin/patients/<int:id>/join/<int:other_id>'): (LOGIN, LOGIN, 404, 404, '→/admin/patients/{patient}'),
    # Retention: an empty hold or birth date re-shows the patient's page with the error; lifting no hold says so.
    ('POST', '/admin/patients/<int:id>/hold'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/patients/<int:id>/hold/lift'): (LOGIN, LOGIN, 404, 404, '→/admin/patients/{patient}#retention'),
    ('POST', '/admin/patients/<int:id>/birth-date'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/privacy/retention'): (LOGIN, LOGIN, 404, 404, 200),
    # A patient's consents and reminders: no consent has the id the walk uses (404); an empty form is re-shown.
    ('GET', '/admin/patients/<int:id>/consents/new'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/patients/<int:id>/consents/new'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/patients/<int:id>/consents/<int:consent_id>/withdraw'): (LOGIN, LOGIN, 404, 404, 404),
    ('POST', '/admin/patients/<int:id>/reminders'): (LOGIN, LOGIN, 404, 404, '→/admin/patients/{patient}#messages'),
    ('GET', '/admin/services'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/services/<int:service_id>'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/services/<int:service_id>'): (LOGIN, LOGIN, 404, 404, '→/admin/services/{service}'),
    ('POST', '/admin/services/<int:service_id>/deactivate'): (LOGIN, LOGIN, 404, 404, '→/admin/services/{service}'),
    ('POST', '/admin/services/<int:service_id>/reactivate'): (LOGIN, LOGIN, 404, 404, '→/admin/services/{service}'),
    ('GET', '/admin/services/new'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/services/new'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/settings'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/settings'): (LOGIN, LOGIN, 404, 404, 200),
    # Staff logins: the admin deactivates and reactivates therapist B's login (B's own walk is in another world).
    ('GET', '/admin/staff-logins'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/staff-logins/<int:user_id>/deactivate'): (LOGIN, LOGIN, 404, 404, '→/admin/staff-logins'),
    ('POST', '/admin/staff-logins/<int:user_id>/reactivate'): (LOGIN, LOGIN, 404, 404, '→/admin/staff-logins'),
    ('GET', '/admin/therapists'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/therapists/<int:therapist_id>'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/therapists/<int:therapist_id>'): (LOGIN, LOGIN, 404, 404, '→/admin/therapists/{therapist}'),
    ('POST', '/admin/therapists/<int:therapist_id>/deactivate'): (LOGIN, LOGIN, 404, 404, '→/admin/therapists/{therapist}'),
    ('POST', '/admin/therapists/<int:therapist_id>/login'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/therapists/<int:therapist_id>/reactivate'): (LOGIN, LOGIN, 404, 404, '→/admin/therapists/{therapist}'),
    ('GET', '/admin/therapists/new'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/today'): (LOGIN, LOGIN, 404, 404, 200),
    # The waitlist: a patient waits for A's visit's massage; the admin's empty offer is explained, then the place
    # is removed.
    ('GET', '/admin/waitlist'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/waitlist/openings'): (LOGIN, LOGIN, 404, 404, 200),
    ('GET', '/admin/waitlist/<int:entry_id>/offer'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/waitlist/<int:entry_id>/offer'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/waitlist/<int:entry_id>/remove'): (LOGIN, LOGIN, 404, 404, '→/admin/waitlist'),
    # A freed time offered to a caller without email, to phone: the admin's empty answer is explained.
    ('GET', '/admin/waitlist/calls/<uuid:offer_id>'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/waitlist/calls/<uuid:offer_id>'): (LOGIN, LOGIN, 404, 404, 200),
    ('POST', '/admin/therapists/new'): (LOGIN, LOGIN, 404, 404, 200),
    # The API: the manage token in a Bearer header opens a visit; a staff cookie opens nothing.
    ('POST', '/api/v1/appointments'): (422, 422, 422, 422, 422),
    ('GET', '/api/v1/appointments/<appointment_id>'): (404, 200, 404, 404, 404),
    ('POST', '/api/v1/appointments/<appointment_id>/cancel'): (404, 200, 404, 404, 404),
    ('POST', '/api/v1/appointments/<appointment_id>/reschedule'): (404, 422, 404, 404, 404),
    ('GET', '/api/v1/openapi.json'): (200, 200, 200, 200, 200),
    ('GET', '/api/v1/screening/questions'): (200, 200, 200, 200, 200),
    ('POST', '/api/v1/screenings'): (422, 422, 422, 422, 422),
    ('GET', '/api/v1/services'): (200, 200, 200, 200, 200),
    ('GET', '/api/v1/slots'): (422, 422, 422, 422, 422),
    ('GET', '/api/v1/therapists'): (200, 200, 200, 200, 200),
    # The patients' pages (and /healthz): a screening id or a manage token in the path is the key, for its holder.
    ('GET', '/book/<uuid:screening_id>'): (200, 200, 200, 200, 200),
    ('GET', '/book/<uuid:screening_id>/pair'): ('→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>'),
    ('GET', '/book/<uuid:screening_id>/pair/details'): ('→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>'),
    ('POST', '/book/<uuid:screening_id>/pair/details'): ('→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>'),
    ('GET', '/book/<uuid:screening_id>/pair/times'): ('→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>'),
    # A back-to-back pair's pages open by its massage visit's token (A's visit has no partner).
    ('GET', '/book/pair/<token>'): ('→/book/manage/<token>',) * 5,  # the token's visit is in no pair
    ('GET', '/book/pair/<token>/calendar.ics'): ('→/book/manage/<token>',) * 5,
    ('GET', '/book/<uuid:screening_id>/details'): ('→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>'),
    ('POST', '/book/<uuid:screening_id>/details'): ('→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>'),
    ('GET', '/book/<uuid:screening_id>/times'): ('→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>', '→/book/<id>'),
    ('GET', '/book/<uuid:screening_id>/waitlist'): ('→/book/<id>',) * 5,
    ('POST', '/book/<uuid:screening_id>/waitlist'): ('→/book/<id>',) * 5,
    # A place on the waitlist: only its own token opens it (the manage token of A's visit opens none).
    ('GET', '/waitlist/<token>'): (404,) * 5,
    ('GET', '/waitlist/<token>/leave'): (404,) * 5,
    ('POST', '/waitlist/<token>/leave'): (404,) * 5,
    ('GET', '/book/confirmed/<token>'): (200, 200, 200, 200, 200),
    ('GET', '/book/find'): (200, 200, 200, 200, 200),
    ('POST', '/book/find'): (200, 200, 200, 200, 200),
    ('GET', '/book/find/sent'): (200, 200, 200, 200, 200),
    ('GET', '/book/manage/<token>'): (200, 200, 200, 200, 200),
    ('GET', '/book/manage/<token>/calendar.ics'): (200, 200, 200, 200, 200),
    ('GET', '/book/manage/<token>/cancel'): ('→/book/manage/<token>', '→/book/manage/<token>', '→/book/manage/<token>', '→/book/manage/<token>', '→/book/manage/<token>'),
    ('POST', '/book/manage/<token>/cancel'): ('→/book/manage/<token>', '→/book/manage/<token>', '→/book/manage/<token>', '→/book/manage/<token>', '→/book/manage/<token>'),
    ('GET', '/book/manage/<token>/reschedule'): ('→/book/manage/<token>', '→/book/manage/<token>', '→/book/manage/<token>', '→/book/manage/<token>', '→/book/manage/<token>'),
    ('POST', '/book/manage/<token>/reschedule'): (200, 200, 200, 200, 200),
    ('GET', '/book/privacy'): (200, 200, 200, 200, 200),
    # Stopping reminders: only the link's own token opens the page (the manage token of A's visit opens none).
    ('GET', '/stop-reminders/<uuid:record_id>/<token>'): (404,) * 5,
    ('POST', '/stop-reminders/<uuid:record_id>/<token>'): (404,) * 5,
    ('GET', '/healthz'): (200, 200, 200, 200, 200),
    ('GET', '/screening/'): (200, 200, 200, 200, 200),
    ('POST', '/screening/'): (200, 200, 200, 200, 200),
    ('GET', '/screening/<uuid:screening_id>'): (200, 200, 200, 200, 200),
    # Asking for a care plan: only for a combined screening (A's visit's is not one).
    ('POST', '/screening/<uuid:screening_id>/care-plan'): (404, 404, 404, 404, 404),
    ('GET', '/screening/details'): ('→/screening/', '→/screening/', '→/screening/', '→/screening/', '→/screening/'),
    ('POST', '/screening/details'): ('→/screening/', '→/screening/', '→/screening/', '→/screening/', '→/screening/'),
    ('GET', '/screening/health'): ('→/screening/', '→/screening/', '→/screening/', '→/screening/', '→/screening/'),
    ('POST', '/screening/health'): ('→/screening/', '→/screening/', '→/screening/', '→/screening/', '→/screening/'),
    ('GET', '/screening/warning-signs'): ('→/screening/', '→/screening/', '→/screening/', '→/screening/', '→/screening/'),
    ('POST', '/screening/warning-signs'): ('→/screening/', '→/screening/', '→/screening/', '→/screening/', '→/screening/'),
    # The staff pages: sign-in and its steps open to all; the rest needs a session (and the right role).
    ('GET', '/staff/account'): (LOGIN, LOGIN, 200, 200, 200),
    ('POST', '/staff/account/password'): (LOGIN, LOGIN, 200, 200, 200),
    ('POST', '/staff/account/two-factor/remove'): (LOGIN, LOGIN, 200, 200, 404),
    ('GET', '/staff/calendar-feed'): (LOGIN, LOGIN, 200, 200, 404),
    ('POST', '/staff/calendar-feed/revoke'): (LOGIN, LOGIN, '→/staff/calendar-feed', '→/staff/calendar-feed', 404),
    ('POST', '/staff/calendar-feed/names'): (LOGIN, LOGIN, '→/staff/calendar-feed', '→/staff/calendar-feed', 404),
    ('GET', '/staff/feed/<int:therapist_id>/<token>.ics'): (200, 200, 200, 200, 200),
    ('GET', '/staff/forgot-password'): (200, 200, 200, 200, 200),
    ('POST', '/staff/forgot-password'): (200, 200, 200, 200, 200),
    # The plan pages: no plan has the id the walk uses, so even an admin or a therapist gets 404.
    ('GET', '/staff/care-plans'): (LOGIN, LOGIN, 200, 200, 404),
    ('GET', '/staff/care-plans/<int:id>'): (LOGIN, LOGIN, 404, 404, 404),
    ('POST', '/staff/care-plans/<int:id>/handoff'): (LOGIN, LOGIN, 404, 404, 404),
    ('GET', '/staff/hours'): (LOGIN, LOGIN, 200, 200, 404),
    ('POST', '/staff/hours/shifts'): (LOGIN, LOGIN, 400, 400, 404),
    ('GET', '/staff/hours/shifts/<int:shift_id>'): (LOGIN, LOGIN, 200, 404, 404),
    ('POST', '/staff/hours/shifts/<int:shift_id>'): (LOGIN, LOGIN, 400, 404, 404),
    ('POST', '/staff/hours/shifts/<int:shift_id>/remove'): (LOGIN, LOGIN, '→/staff/hours', 404, 404),
    ('POST', '/staff/hours/time-off'): (LOGIN, LOGIN, 400, 400, 404),
    ('POST', '/staff/hours/time-off/<int:time_off_id>/remove'): (LOGIN, LOGIN, '→/staff/hours', 404, 404),
    ('GET', '/staff/login'): (200, 200, 200, 200, 200),
    ('POST', '/staff/login'): (200, 200, 200, 200, 200),
    ('POST', '/staff/logout'): (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    ('GET', '/staff/reset-password/<token>'): (200, 200, 200, 200, 200),
    ('POST', '/staff/reset-password/<token>'): (200, 200, 200, 200, 200),
    ('GET', '/staff/schedule'): (LOGIN, LOGIN, 200, 200, 404),
    ('GET', '/staff/second-factor'): (LOGIN, LOGIN, '→/staff/schedule', '→/staff/schedule', '→/admin/today'),
    ('POST', '/staff/second-factor'): (LOGIN, LOGIN, '→/staff/schedule', '→/staff/schedule', '→/admin/today'),
    ('GET', '/staff/two-factor'): (LOGIN, LOGIN, 200, 200, '→/staff/account'),
    ('POST', '/staff/two-factor'): (LOGIN, LOGIN, 200, 200, '→/staff/account'),
    ('GET', '/staff/visits/<uuid:visit_id>'): (LOGIN, LOGIN, 200, 404, 200),
    ('POST', '/staff/visits/<uuid:visit_id>/notes'): (LOGIN, LOGIN, 400, 404, 404),
    ('POST', '/staff/visits/<uuid:visit_id>/outcome'): (LOGIN, LOGIN, 400, 404, 400),
    ('POST', '/staff/visits/<uuid:visit_id>/pain'): (LOGIN, LOGIN, 400, 404, 404),
    # A's visit (a massage of no care plan) has no questions: 404 even for A (tests/questionnaires walk the rest).
    ('GET', '/staff/visits/<uuid:visit_id>/questions'): (LOGIN, LOGIN, 404, 404, 404),
    ('POST', '/staff/visits/<uuid:visit_id>/questions'): (LOGIN, LOGIN, 404, 404, 404),
    # The questions before a visit: the manage token opens no questionnaire.
    ('GET', '/q/<token>'): (404, 404, 404, 404, 404),
    ('POST', '/q/<token>'): (404, 404, 404, 404, 404),
    # A waitlist offer's claim link: the manage token opens no offer.
    ('GET', '/waitlist/offers/<token>'): (404, 404, 404, 404, 404),
    ('POST', '/waitlist/offers/<token>'): (404, 404, 404, 404, 404),
}
# The staff and admin endpoints whose answer shows A's visit's health information (its caution or note), by
# person; each such answer must write an audit row. (A patient's own pages show their screening unaudited.)
SHOWS_HEALTH = {
    "therapist_a": {"staff.visit", "staff.add_note", "staff.mark_visit",
                    "staff.record_outcome_at_visit"},
    "admin": {"staff.visit", "staff.mark_visit", "admin.patient", "admin.visit", "admin.caller_visit",
              "admin.mark_visit", "admin.access_export", "admin.access_export_json", "admin.correction_request",
              "admin.correct_details", "admin.correct_text", "admin.refuse_correction",
              "admin.put_hold", "admin.set_birth_date"},
}
# Routes that would change the visit the others read (cancelling it): each request gets a new visit of A's.
CHANGES_THE_VISIT = {"/admin/appointments/<uuid:appointment_id>/cancel", "/book/manage/<token>/cancel",
                     "/api/v1/appointments/<appointment_id>/cancel"}


@dataclass
class World:
    """Therapist A's records (which fill every path), therapist B and an admin."""

    therapist_a: StaffUser
    therapist_b: StaffUser
    admin: StaffUser
    visit: Appointment
    shift_id: int
    time_off_id: int
    message_id: int
    notification_id: int
    reset_id: uuid.UUID
    closure_id: int
    entry_id: int
    offer_id: uuid.UUID
    correction_id: int
    extra_visits: list[Appointment] = field(default_factory=list)

    def new_visit(self) -> Appointment:
        """Another booked visit of A's, tomorrow, for a route that cancels it."""
        made = visit(self.therapist_a, NOW + timedelta(days=1, hours=2 * len(self.extra_visits)), caution=True,
                     service=self.visit.service)
        self.extra_visits.append(made)
        return made

    def arguments(self, rule: Rule) -> dict[str, str]:
        """A real value for each of the rule's path arguments, all of therapist A's records."""
        target = self.new_visit() if rule.rule in CHANGES_THE_VISIT else self.visit
        therapist = db.session.get(type(self.therapist_a.therapist), self.therapist_a.therapist_id)
        return {
            "appointment_id": str(target.id), "visit_id": str(target.id), "token": derive_manage_token(target.id),
            "screening_id": str(target.screening_id), "id": str(target.patient_id), "other_id": str(target.patient_id),
            "therapist_id": str(self.therapist_a.therapist_id), "service_id": str(target.service_id),
            "shift_id": str(self.shift_id), "time_off_id": str(self.time_off_id),
            "message_id": str(self.message_id), "notification_id": str(self.notification_id),
            "user_id": str(self.therapist_b.id),
            "closure_id": str(self.closure_id), "entry_id": str(self.entry_id), "offer_id": str(self.offer_id),
            "filename": "css/site.css", "correction_id": str(self.correction_id),
            "record_id": str(target.id), "consent_id": "1",
            **({"token": feed_token(therapist)} if rule.endpoint == "staff.feed" else {}),
            **({"token": reset_token(self.reset_id)} if rule.endpoint == "staff.reset_password" else {}),
            **({"request_id": str(access_request_of(target.patient_id))} if "access-requests" in rule.rule else {}),
        }


def access_request_of(patient_id: int) -> int:
    """The id of the access request of A's patient."""
    return db.session.scalars(select(AccessRequest.id).where(AccessRequest.patient_id == patient_id)).one()


def build_world() -> World:
    """A clinic open every day; A's visit today with a blood-thinner caution and a session note, and the rest."""
    open_every_day()
    therapist_a, therapist_b = massage_therapist(), massage_therapist()
    admin = StaffUserFactory(admin=True)
    seen = visit(therapist_a, NOW - timedelta(hours=2), caution=True, name="Avery Singh")
    db.session.add(VisitNote(appointment_id=seen.id, author_id=therapist_a.id, kind="session", body=NOTE_BODY,
                             created_at=NOW - timedelta(hours=1)))
    shift = WorkingHoursFactory(therapist=therapist_a.therapist, weekday=6, start_time=local(2026, 1, 1, 6).time(),
                                end_time=local(2026, 1, 1, 7).time())
    time_off = TimeOff(therapist_id=therapist_a.therapist_id, starts_at=NOW + timedelta(days=60),
                       ends_at=NOW + timedelta(days=61), reason="Course")
    message = ContactMessage(name="Avery Singh", email="avery@example.com", message="Do you offer evening visits?")
    db.session.add_all([time_off, message])
    db.session.flush()
    notification = Notification(key=f"confirmation:{seen.id}", kind="confirmation", appointment_id=seen.id,
                                due_at=NOW - timedelta(hours=3), status="failed", attempts=5, last_error="550")
    reset = PasswordReset(id=uuid.uuid4(), user_id=therapist_a.id, created_at=NOW, expires_at=NOW + timedelta(minutes=30))
    closure = ClinicClosure(day=(NOW + timedelta(days=90)).date(), label="Holiday")
    waiting = entry(seen.service, seen.screening, NOW - timedelta(days=2), name="Avery Singh")
    caller = entry(seen.service, seen.screening, NOW - timedelta(days=3), name="Robin Caller")
    caller.patient.email = None
    freed = opening(therapist_a.therapist, NOW - timedelta(minutes=5), OpeningStatus.OPEN)
    call = offer(freed, caller, NOW - timedelta(minutes=5), OfferStatus.OFFERED)
    asked = AccessRequest(patient_id=seen.patient_id, received_on=NOW.date(), identified_by="Licence seen",
                          due_on=NOW.date() + timedelta(days=30), recorded_by_id=admin.id)
    correction = CorrectionRequest(patient_id=seen.patient_id, received_on=NOW.date(), asked="Correct my phone",
                                   due_on=NOW.date(), recorded_by_id=admin.id)
    db.session.add_all([notification, reset, closure, asked, correction])
    db.session.commit()
    return World(therapist_a, therapist_b, admin, seen, shift.id, time_off.id, message.id, notification.id, reset.id,
                 closure.id, waiting.id, call.id, correction.id)


def build(rule: Rule, arguments: dict[str, str]) -> str:
    """The rule's path with these arguments in place."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda match: arguments[match.group(1)], rule.rule)


def walked_rules(app: Flask) -> list[tuple[str, Rule]]:
    """Every (method, rule) of the app but static files, GETs first, then POSTs, each in path order."""
    pairs = [(method, rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(pairs, key=lambda pair: (pair[0] != "GET", pair[1].rule))


def answer(response: TestResponse) -> Any:
    """The answer as the table writes it."""
    if response.status_code in (301, 302, 303, 307):
        target = response.headers["Location"].removeprefix("http://localhost")
        return LOGIN if target.startswith("/staff/login") else "→" + redact(target)
    return response.status_code


def send(client: FlaskClient, world: World, person: str, method: str, rule: Rule) -> TestResponse:
    """One request of this person to this route, filled with A's records (a fresh staff session each time)."""
    arguments = world.arguments(rule)
    headers = {}
    user = {"therapist_a": world.therapist_a, "therapist_b": world.therapist_b, "admin": world.admin}.get(person)
    if user is not None:
        signed_in(client, user)
    if person == "patient" and rule.rule.startswith("/api/"):
        headers["Authorization"] = f"Bearer {arguments['token']}"
    body = {"json": {}} if rule.rule.startswith("/api/") and method == "POST" else {"data": {}}
    return client.open(build(rule, arguments), method=method, headers=headers, **body)


def health_texts(world: World) -> list[str]:
    """The health information of A's visit: its answer codes, their words, its caution and its note."""
    codes = [code for value in CAUTION_ANSWERS.values() for code in value]
    words = [option["text"] for question in QUESTIONS for option in question.get("options", [])
             if option["code"] in codes]
    return [*codes, *words, CAUTION_TEXT, NOTE_BODY]


def shows_health(response: TestResponse) -> bool:
    """Whether a page shows A's visit's caution or note (the question's own words are on every screening form)."""
    page = response.get_data(as_text=True)
    return CAUTION_TEXT in page or NOTE_BODY in page


def audit_count() -> int:
    """How many audit rows exist."""
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.fixture
def every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog capturing every logger of the process at DEBUG."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.mark.parametrize("person", PEOPLE)
def test_every_route_answers_each_person_as_the_table_says(app: Flask, person: str,
                                                           every_logger_at_debug: pytest.LogCaptureFixture) -> None:
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        client = app.test_client()
        column = PEOPLE.index(person)
        ids = {"patient": world.visit.patient_id, "service": world.visit.service_id,
               "therapist": world.therapist_a.therapist_id, "access_request": access_request_of(world.visit.patient_id)}
        problems, missing, shown = [], [], set()
        for method, rule in walked_rules(app):
            before = audit_count()
            response = send(client, world, person, method, rule)
            got = answer(response)
            if (method, rule.rule) not in ROUTES:
                missing.append(f"({method!r}, {rule.rule!r}): {person} got {got!r}")
                continue
            expected = ROUTES[(method, rule.rule)][column]
            if isinstance(expected, str):
                expected = expected.format(**ids)
            if got != expected:
                problems.append(f"{method} {rule.rule}: expected {expected!r}, got {got!r}")
            if rule.rule.startswith(("/staff/", "/admin/")) and rule.endpoint != "staff.feed":
                problems.extend(f"{method} {rule.rule}: {problem}" for problem in header_problems(response))
                if shows_health(response):
                    shown.add(rule.endpoint)
                    if audit_count() <= before:
                        problems.append(f"{method} {rule.rule}: showed health information without an audit row")
    assert missing == [], "routes missing from ROUTES (add each on purpose):\n" + "\n".join(missing)
    assert shown == SHOWS_HEALTH.get(person, set())
    stale = set(ROUTES) - {(method, rule.rule) for method, rule in walked_rules(app)}
    assert stale == set(), f"ROUTES lists routes the app no longer has: {sorted(stale)}"
    assert problems == [], "\n".join(problems)
    logged = every_logger_at_debug.text
    assert logged, "the walk logged nothing: the capture is not working"
    leaked = [text for text in health_texts(world) if text in logged]
    assert leaked == [], f"health information in the logs: {leaked}"


def header_problems(response: TestResponse) -> list[str]:
    """What is missing of the staff pages' security headers (never cached, never framed)."""
    headers = response.headers
    wanted = {
        "Cache-Control: no-store": "no-store" in headers.get("Cache-Control", ""),
        "CSP frame-ancestors 'none'": "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""),
        "X-Frame-Options: DENY": headers.get("X-Frame-Options") == "DENY",
        "X-Content-Type-Options: nosniff": headers.get("X-Content-Type-Options") == "nosniff",
        "Referrer-Policy: no-referrer": headers.get("Referrer-Policy") == "no-referrer",
    }
    return [f"missing {name}" for name, present in wanted.items() if not present]
