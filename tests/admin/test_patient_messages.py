"""The patient's page shows their reminders and consents; an admin records or withdraws a consent and turns
reminders back on at the patient's request, each audited; bad input is re-shown with what was typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, MessageConsent, Patient, StaffUser
from booking.services.privacy import consent
from tests.factories import PatientFactory, StaffUserFactory, local
from tests.staff_fixtures import clinic_with_admin, signed_in

NOW = local(2026, 11, 4, 12)

clinic, admin_user, admin = clinic_with_admin(NOW)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    """The clock, frozen at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield


def audit_actions(patient: Patient) -> list[str]:
    """The audit log's actions on the patient, oldest first."""
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_type == "patient", AuditEvent.subject_id == str(patient.id)).order_by(AuditEvent.id)))


def test_an_admin_records_a_consent_and_withdraws_it_and_the_page_shows_both(admin: FlaskClient,
                                                                             admin_user: StaffUser) -> None:
    patient = PatientFactory(name="Alex Morgan")
    page = admin.get(f"/admin/patients/{patient.id}").text
    assert "Reminders are on" in page and "No consent recorded" in page

    form = admin.get(f"/admin/patients/{patient.id}/consents/new").text
    assert "I agree to receive emails with news from the clinic" in form and 'value="2026-11-04"' in form
    done = admin.post(f"/admin/patients/{patient.id}/consents/new", data={
        "purpose": "news", "wording": "Yes to the clinic's news by email.", "how": "in writing",
        "given_on": "2026-11-02"}, follow_redirects=True)
    assert "The consent to news from the clinic is recorded." in done.text
    assert "Yes to the clinic&#39;s news by email." in done.text and "November 2, 2026" in done.text
    assert "in writing" in done.text and admin_user.email in done.text
    [given] = db.session.scalars(select(MessageConsent)).all()
    assert (given.patient_id, given.purpose, given.how, given.withdrawn_at) == (patient.id, "news", "in writing", None)
    assert consent.live(patient, "news")

    withdrawn = admin.post(f"/admin/patients/{patient.id}/consents/{given.id}/withdraw", follow_redirects=True)
    assert "is withdrawn" in withdrawn.text and "Withdrawn on November 4, 2026" in withdrawn.text
    assert not consent.live(patient, "news")
    assert audit_actions(patient)[-2:] == ["consent recorded", "consent withdrawn"]


def test_a_consent_form_with_mistakes_is_shown_again_with_what_was_typed(admin: FlaskClient) -> None:
    patient = PatientFactory()
    page = admin.post(f"/admin/patients/{patient.id}/consents/new", data={
        "purpose": "news", "wording": "Yes to news, said at the desk.", "given_on": "2026-11-05"})
    assert page.status_code == 200
    assert "Choose how the patient gave their consent." in page.text
    assert "Enter today&#39;s date or an earlier one" in page.text
    assert "Yes to news, said at the desk." in page.text
    blank = admin.post(f"/admin/patients/{patient.id}/consents/new", data={
        "purpose": "spam", "wording": "  ", "how": "pigeon", "given_on": "soon"})
    for message in ("Choose the messages the patient agreed to.", "Write the words the patient agreed to.",
                    "Choose how the patient gave their consent.", "Enter a date like 2026-11-02."):
        assert message in blank.text
    assert db.session.scalars(select(MessageConsent)).all() == []


def test_another_patients_consent_cannot_be_withdrawn_through_this_page(admin: FlaskClient,
                                                                        admin_user: StaffUser) -> None:
    patient, other = PatientFactory(), PatientFactory()
    theirs = consent.record(other, "news", "Yes.", "phone", NOW.date(), admin_user)
    assert admin.post(f"/admin/patients/{patient.id}/consents/{theirs.id}/withdraw").status_code == 404
    assert consent.live(other, "news")


def test_an_admin_turns_stopped_reminders_back_on_audited(admin: FlaskClient) -> None:
    patient = PatientFactory(reminders_stopped_at=local(2026, 11, 1, 9))
    page = admin.get(f"/admin/patients/{patient.id}").text
    assert "Reminders are <strong>stopped</strong>" in page and "November 1, 2026" in page
    done = admin.post(f"/admin/patients/{patient.id}/reminders", follow_redirects=True)
    assert f"Reminders are on again for {patient.name}." in done.text
    db.session.expire_all()
    assert db.session.get(Patient, patient.id).reminders_stopped_at is None
    assert audit_actions(patient)[-1] == "reminders turned back on"


def test_a_therapist_reaches_none_of_it(client: FlaskClient, admin_user: StaffUser) -> None:
    patient = PatientFactory(reminders_stopped_at=NOW)
    therapist = StaffUserFactory()
    signed_in(client, therapist)
    assert client.get(f"/admin/patients/{patient.id}/consents/new").status_code == 404
    assert client.post(f"/admin/patients/{patient.id}/reminders").status_code == 404
    db.session.expire_all()
    assert db.session.get(Patient, patient.id).reminders_stopped_at == NOW
