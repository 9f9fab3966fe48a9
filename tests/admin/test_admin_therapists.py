"""/admin/therapists: listing, adding, editing, deactivating and reactivating therapists, and linking their login."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, StaffUser, Therapist
from booking.services.staff_accounts import sessions
from tests.factories import AppointmentFactory, Clinic, PatientFactory, StaffUserFactory, TherapistFactory, local
from tests.staff_fixtures import clinic_with_admin, signed_in

NOW = local(2026, 12, 14, 8)  # a Monday
DETAILS = {"name": "Jordan Lee", "therapy_type": "massage", "email": "Jordan.Lee@Clinic.Example",
           "bio": "Deep tissue and sports massage."}


clinic, admin_user, admin = clinic_with_admin(NOW)  # the clock on a Monday morning


def audited() -> list[tuple[str, str | None, str | None]]:
    """(action, subject id, detail) of the therapists' audit events, oldest first."""
    return [(e.action, e.subject_id, e.detail) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "therapist").order_by(AuditEvent.id))]


def visit(therapist: Therapist, clinic: Clinic, days: int, patient: str = "Avery Singh") -> Appointment:
    """A booked visit with the therapist, ``days`` from now at 10:00 clinic time."""
    service = clinic.physio if therapist.therapy_type == "physiotherapy" else clinic.massage
    return AppointmentFactory(therapist=therapist, service=service, patient=PatientFactory(name=patient),
                              starts_at=NOW.replace(hour=10) + timedelta(days=days))


def test_a_therapist_gets_404_on_every_therapist_page(client: FlaskClient, clinic: Clinic) -> None:
    other = clinic.physiotherapists[1]
    with time_machine.travel(NOW, tick=False):
        signed_in(client, StaffUserFactory(therapist=clinic.physiotherapists[0]))
        for url in ("/admin/therapists", "/admin/therapists/new", f"/admin/therapists/{other.id}"):
            assert client.get(url).status_code == 404, url
        for action in ("deactivate", "reactivate", "login"):
            assert client.post(f"/admin/therapists/{other.id}/{action}").status_code == 404, action
        assert client.post(f"/admin/therapists/{other.id}", data=DETAILS).status_code == 404
    assert db.session.get(Therapist, other.id).active and db.session.get(Therapist, other.id).name != "Jordan Lee"


def test_the_list_shows_active_and_inactive_therapists(admin: FlaskClient, clinic: Clinic) -> None:
    TherapistFactory(name="Zoe Retired", active=False)
    page = admin.get("/admin/therapists").get_data(as_text=True)
    for therapist in clinic.physiotherapists + clinic.massage_therapists:
        assert f">{therapist.name}</a>" in page
    assert re.search(r"Zoe Retired.*?Inactive", page, re.S)
    assert "Massage therapy" in page and "Physiotherapy" in page


def test_an_admin_adds_a_therapist(admin: FlaskClient) -> None:
    response = admin.post("/admin/therapists/new", data=DETAILS, follow_redirects=True)
    assert "Jordan Lee was added" in response.get_data(as_text=True)
    therapist = db.session.scalar(select(Therapist).where(Therapist.name == "Jordan Lee"))
    assert (therapist.therapy_type, therapist.email, therapist.bio, therapist.active) == (
        "massage", "jordan.lee@clinic.example", "Deep tissue and sports massage.", True)
    assert audited() == [("created", str(therapist.id), None)]


def test_editing_saves_and_audits_the_fields_changed(admin: FlaskClient, clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    page = admin.get(f"/admin/therapists/{therapist.id}").get_data(as_text=True)
    assert f'value="{therapist.name}"' in page and f'value="{therapist.email}"' in page
    response = admin.post(f"/admin/therapists/{therapist.id}", follow_redirects=True, data={
        "name": therapist.name, "therapy_type": "physiotherapy", "email": "", "bio": "Knees and backs."})
    assert "Saved: email, bio." in response.get_data(as_text=True)
    db.session.expire_all()
    assert (therapist.email, therapist.bio) == (None, "Knees and backs.")
    assert audited() == [("changed", str(therapist.id), "email, bio")]


def test_a_line_break_in_a_therapists_name_is_refused_and_the_rest_kept(admin: FlaskClient, clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    name = therapist.name
    response = admin.post(f"/admin/therapists/{therapist.id}", data={
        "name": "Priya\nRaman", "therapy_type": "physiotherapy", "email": "priya.new@clinic.example",
        "bio": "Knees and backs.\nAnd shoulders."})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter this on one line, without line breaks or other control characters." in page
    assert 'value="priya.new@clinic.example"' in page and "Knees and backs.\nAnd shoulders." in page
    db.session.expire_all()
    assert (therapist.name, therapist.email) == (name, clinic.physiotherapists[0].email) and audited() == []


def test_a_bio_keeps_its_line_breaks(admin: FlaskClient, clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    admin.post(f"/admin/therapists/{therapist.id}", data={
        "name": therapist.name, "therapy_type": "physiotherapy", "email": "", "bio": "Knees.\nBacks."})
    db.session.expire_all()
    assert therapist.bio == "Knees.\nBacks."


def test_the_therapy_type_cannot_change_while_visits_are_booked(admin: FlaskClient, clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    visit(therapist, clinic, 2, patient="Avery Singh")
    past = visit(therapist, clinic, -3, patient="Past Patient")
    response = admin.post(f"/admin/therapists/{therapist.id}", data={**DETAILS, "name": therapist.name})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<a href="#therapy_type-0">The therapy type cannot change while [^<]* has booked visits to come \(1\)', page)
    assert "Avery Singh" in page and "Wednesday December 16, 2026 at 10:00 a.m. MST" in page
    assert "Past Patient" not in page and past.status == "booked"
    assert 'value="Deep tissue and sports massage."' in page or "Deep tissue and sports massage.</textarea>" in page
    db.session.expire_all()
    assert therapist.therapy_type == "physiotherapy" and therapist.bio != DETAILS["bio"]
    assert audited() == []


def test_the_therapy_type_changes_when_nothing_is_booked(admin: FlaskClient, clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    visit(therapist, clinic, -3)
    admin.post(f"/admin/therapists/{therapist.id}", data={**DETAILS, "name": therapist.name})
    db.session.expire_all()
    assert therapist.therapy_type == "massage"
    assert audited() == [("changed", str(therapist.id), "therapy type, email, bio")]


def test_a_deactivated_therapist_is_not_offered_and_their_visits_are_listed(admin: FlaskClient,
                                                                           clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    booked = visit(therapist, clinic, 1, patient="Avery Singh")
    response = admin.post(f"/admin/therapists/{therapist.id}/deactivate", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "is no longer offered for booking" in page
    assert "1 visit still booked with" in page and "Avery Singh" in page
    listed = [t["id"] for t in admin.get("/api/v1/therapists?therapy_type=physiotherapy").json["therapists"]]
    assert listed == [clinic.physiotherapists[1].id]
    query = f"/api/v1/slots?service={clinic.physio.code}&from=2026-12-16&to=2026-12-16"
    assert {slot["therapist_id"] for slot in admin.get(query).json["slots"]} == {clinic.physiotherapists[1].id}
    assert "therapist_id" in admin.get(f"{query}&therapist_id={therapist.id}").json["errors"]
    db.session.expire_all()
    assert db.session.get(Appointment, booked.id).status == "booked"
    admin.post(f"/admin/therapists/{therapist.id}/reactivate")
    listed = [t["id"] for t in admin.get("/api/v1/therapists?therapy_type=physiotherapy").json["therapists"]]
    assert therapist.id in listed
    assert audited() == [("changed", str(therapist.id), "deactivated"), ("changed", str(therapist.id), "reactivated")]


def test_the_linked_login_is_shown(admin: FlaskClient, clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    StaffUserFactory(email="sam@clinic.example", therapist=therapist)
    page = admin.get(f"/admin/therapists/{therapist.id}").get_data(as_text=True)
    assert "signs in as <strong>sam@clinic.example</strong>" in page
    assert 'name="user"' not in page


def test_a_free_login_is_linked_and_its_sessions_end(admin: FlaskClient, clinic: Clinic, app: Flask) -> None:
    old_record = TherapistFactory(name="Sam (old record)", active=False)
    login = StaffUserFactory(email="sam@clinic.example", therapist=old_record)
    StaffUserFactory(email="busy@clinic.example", therapist=clinic.physiotherapists[1])
    token = sessions.start_session(login, verified=True)
    therapist = clinic.physiotherapists[0]
    page = admin.get(f"/admin/therapists/{therapist.id}").get_data(as_text=True)
    assert "sam@clinic.example" in page and "busy@clinic.example" not in page
    response = admin.post(f"/admin/therapists/{therapist.id}/login", data={"user": str(login.id)},
                          follow_redirects=True)
    assert "sam@clinic.example now signs in as" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StaffUser, login.id).therapist_id == therapist.id
    assert sessions.session_for(token) is None
    assert audited() == [("changed", str(therapist.id), f"staff user {login.id} linked")]


def test_a_login_that_is_not_free_is_refused(admin: FlaskClient, clinic: Clinic) -> None:
    busy = StaffUserFactory(email="busy@clinic.example", therapist=clinic.physiotherapists[1])
    therapist = clinic.physiotherapists[0]
    page = admin.post(f"/admin/therapists/{therapist.id}/login", data={"user": str(busy.id)}).get_data(as_text=True)
    assert "There is a problem" in page and "Choose one of the logins listed." in page
    assert "no therapist login is free to link" in page
    db.session.expire_all()
    assert busy.therapist_id == clinic.physiotherapists[1].id


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Enter the therapist"),
    ({"therapy_type": "chiropractic"}, "therapy_type-0", "Choose physiotherapy or massage therapy."),
    ({"email": "jordan.example.com"}, "email", "An email address needs an @"),
    ({"bio": "x" * 2001}, "bio", "Write at most 2,000 characters."),
])
def test_bad_details_are_refused_clearly_and_nothing_typed_is_lost(
        admin: FlaskClient, changes: dict[str, str], field: str, message: str) -> None:
    typed = {**DETAILS, **changes}
    page = admin.post("/admin/therapists/new", data=typed).get_data(as_text=True)
    assert "There is a problem" in page
    assert re.search(rf'<a href="#{field}">[^<]*{re.escape(message)}', page), page
    for name in ("name", "email"):
        assert f'value="{typed[name]}"' in page or not typed[name]
    assert typed["bio"] + "</textarea>" in page
    assert db.session.scalar(select(Therapist).where(Therapist.bio == typed["bio"])) is None


def test_an_unknown_therapist_is_404(admin: FlaskClient) -> None:
    assert admin.get("/admin/therapists/999").status_code == 404
    assert admin.get(f"/admin/therapists/{2**63}").status_code == 404
    assert admin.post("/admin/therapists/999/deactivate").status_code == 404


def test_every_input_is_labelled(admin: FlaskClient, clinic: Clinic) -> None:
    StaffUserFactory(therapist=TherapistFactory(name="Sam (old record)", active=False))
    for url in ("/admin/therapists/new", f"/admin/therapists/{clinic.physiotherapists[0].id}"):
        page = admin.get(url).get_data(as_text=True)
        ids = re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page)
        assert len(ids) >= 5
        for field_id in ids:
            assert f'for="{field_id}"' in page, field_id
