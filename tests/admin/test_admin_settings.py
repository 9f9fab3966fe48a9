"""/admin/settings: the clinic's name, contact details, opening hours and booking rules, one source for all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.clinic.settings import WEEKDAYS
from booking.extensions import db
from booking.models import Appointment, AuditEvent, ClinicClosure, ClinicSettings
from booking.models.settings import DEFAULT_VISIT_INSTRUCTIONS
from tests.factories import AppointmentFactory, Clinic, PatientFactory, StaffUserFactory, local, small_clinic
from tests.staff_fixtures import signed_in
from tests.together import at_once

NOW = local(2026, 12, 14, 8)  # a Monday
SATURDAY, MONDAY = "2026-12-19", "2026-12-21"
CHRISTMAS_EVE, CHRISTMAS = "2026-12-24", "2026-12-25"


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic (open 07:00-21:00 every day), with the clock on a Monday morning."""
    with time_machine.travel(NOW, tick=False):
        yield small_clinic()


def form_data(**changes: Any) -> dict[str, Any]:
    """The settings form as small_clinic() stores them, with ``changes``."""
    data: dict[str, Any] = {"name": "Bow River Physiotherapy & Massage", "phone": "+1 403-555-0142",
                            "address": "101 Riverfront Avenue SW, Calgary, AB T2P 0A1",
                            "cancel_cutoff_hours": "24", "min_notice_minutes": "120", "reminder_offsets": "1440, 120",
                            "visit_instructions": DEFAULT_VISIT_INSTRUCTIONS, "questionnaire_time": "18:00",
                            "flag_after_sessions": "4", "waitlist_offers_at_once": "1", "waitlist_claim_minutes": "30",
                            "request_days": "30", "retention_years": "10", "unbooked_screening_days": "90",
                            "contact_message_days": "365", "link_days_after_visit": "30"}
    for day in WEEKDAYS:
        key = day.lower()
        data |= {f"{key}_open": "y", f"{key}_opens": "07:00", f"{key}_closes": "21:00"}
    data |= changes
    return {key: value for key, value in data.items() if value is not None}


def audit_details() -> list[str | None]:
    """The details of the settings changes audited, oldest first."""
    return list(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.subject_type == "settings")
                                   .order_by(AuditEvent.id)))


def slots(client: FlaskClient, day: str) -> list[str]:
    """The local start times offered for the physiotherapy service on a day."""
    found = client.get(f"/api/v1/slots?service=physio-60&from={day}&to={day}").json["slots"]
    return sorted({slot["starts_at"][11:16] for slot in found})


def test_a_therapist_cannot_open_the_settings(client: FlaskClient, clinic: Clinic) -> None:
    signed_in(client, StaffUserFactory())
    assert client.get("/admin/settings").status_code == 404
    assert client.post("/admin/settings", data=form_data(name="Taken over")).status_code == 404
    assert db.session.get(ClinicSettings, 1).name == "Bow River Physiotherapy & Massage"


def test_a_line_break_in_the_clinic_name_is_refused_and_the_rest_kept(admin: FlaskClient) -> None:
    response = admin.post("/admin/settings", data=form_data(name="Bow River\nBcc: everyone@example.com",
                                                            phone="403-555-0199"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Error: Clinic settings" in page
    assert "Enter this on one line, without line breaks or other control characters." in page
    assert 'value="403-555-0199"' in page
    db.session.expire_all()
    assert db.session.get(ClinicSettings, 1).name == "Bow River Physiotherapy & Massage"
    assert audit_details() == []


def test_the_form_shows_the_settings_stored(admin: FlaskClient) -> None:
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert 'value="Bow River Physiotherapy &amp; Massage"' in page
    assert 'value="1440, 120"' in page and 'id="saturday_opens"' in page and 'value="21:00"' in page


def test_saturday_closed_shows_on_the_home_page_and_no_saturday_slot_is_offered(admin: FlaskClient) -> None:
    with time_machine.travel(NOW, tick=False):
        assert slots(admin, SATURDAY)
        response = admin.post("/admin/settings", data=form_data(saturday_open=None), follow_redirects=True)
        assert "Saved: opening hours." in response.get_data(as_text=True)
        home = admin.get("/").get_data(as_text=True)
        assert '<th scope="row">Saturday</th><td>Closed</td>' in home
        assert '<th scope="row">Friday</th><td>7:00 a.m. – 9:00 p.m.</td>' in home
        assert slots(admin, SATURDAY) == []
    assert audit_details() == ["opening hours"]


def test_narrowing_monday_leaves_no_monday_slot_outside_it(admin: FlaskClient) -> None:
    with time_machine.travel(NOW, tick=False):
        admin.post("/admin/settings", data=form_data(monday_opens="10:00", monday_closes="12:00"))
        assert slots(admin, MONDAY) == ["10:00", "10:15", "10:30", "10:45", "11:00"]
        assert '<th scope="row">Monday</th><td>10:00 a.m. – 12:00 p.m.</td>' in admin.get("/").get_data(as_text=True)


def test_the_first_save_creates_the_settings_row(client: FlaskClient, app: Flask) -> None:
    signed_in(client, StaffUserFactory(admin=True))
    assert db.session.get(ClinicSettings, 1) is None
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="+1 403-555-0142"' in page  # the configuration's, until saved
    client.post("/admin/settings", data=form_data(name="Prairie Physio", phone="(780) 555-0100",
                                                  sunday_open=None, cancel_cutoff_hours="48",
                                                  reminder_offsets="120 , 2880", questionnaire_time="7:30",
                                                  flag_after_sessions="6"))
    db.session.expire_all()
    stored = db.session.get(ClinicSettings, 1)
    assert (stored.name, stored.phone, stored.cancel_cutoff_hours) == ("Prairie Physio", "(780) 555-0100", 48)
    assert stored.opening_hours == [["07:00", "21:00"]] * 6 + [None]
    assert stored.reminder_offsets_minutes == [2880, 120]
    assert stored.questionnaire_time == "07:30"
    assert stored.flag_after_sessions == 6
    home = client.get("/").get_data(as_text=True)
    assert "Prairie Physio" in home and 'href="tel:+17805550100"' in home


@pytest.mark.commits
def test_admins_saving_the_first_settings_at_once_are_all_saved_and_none_sees_an_error(app: Flask) -> None:
    assert db.session.get(ClinicSettings, 1) is None
    admins = [signed_in(app.test_client(), StaffUserFactory(admin=True)) for _ in range(6)]
    saves = [lambda n=n: admins[n].post("/admin/settings", data=form_data(name=f"Prairie Physio {n}")).status_code
             for n in range(len(admins))]
    assert at_once(saves) == [303] * len(admins)
    db.session.expire_all()
    assert db.session.get(ClinicSettings, 1).name in {f"Prairie Physio {n}" for n in range(len(admins))}
    assert len(audit_details()) == len(admins)


def test_the_audit_names_each_setting_changed_and_nothing_when_nothing_changed(admin: FlaskClient) -> None:
    first = {"sunday_closes": "18:00", "cancel_cutoff_hours": "12"}
    admin.post("/admin/settings", data=form_data(**first))
    response = admin.post("/admin/settings", data=form_data(**first), follow_redirects=True)
    assert "Nothing was changed." in response.get_data(as_text=True)
    admin.post("/admin/settings", data=form_data(**first, min_notice_minutes="60", reminder_offsets="60",
                                                 address="2 Bow Trail SW, Calgary"))
    assert audit_details() == ["opening hours, cut-off", "address, minimum notice, reminders"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "settings")).first()
    assert event.action == "changed" and event.actor is not None and event.actor.role == "admin"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"monday_opens": "12:00", "monday_closes": "10:00"}, "monday_closes", "Monday must close after it opens."),
    ({"tuesday_opens": "09:10"}, "tuesday_opens", "on the quarter hour"),
    ({"wednesday_closes": "25:00"}, "wednesday_closes", "Enter the time Wednesday closes as hours and minutes"),
    ({"thursday_opens": ""}, "thursday_opens", "Enter the time Thursday opens"),
    ({"cancel_cutoff_hours": "169"}, "cancel_cutoff_hours", "Enter the cut-off between 0 and 168 hours."),
    ({"cancel_cutoff_hours": "two"}, "cancel_cutoff_hours", "Enter the cut-off as a whole number"),
    ({"min_notice_minutes": "-5"}, "min_notice_minutes", "Enter the minimum notice as a whole number"),
    ({"min_notice_minutes": "10081"}, "min_notice_minutes", "between 0 and 10,080 minutes"),
    ({"reminder_offsets": "1440, 0"}, "reminder_offsets", "Each reminder must be between 1 and"),
    ({"reminder_offsets": "1, 2, 3, 4, 5, 6"}, "reminder_offsets", "at most 5 reminders"),
    ({"reminder_offsets": "a day"}, "reminder_offsets", "whole number of minutes"),
    ({"reminder_offsets": ""}, "reminder_offsets", "at least one reminder"),
    ({"questionnaire_time": "6 pm"}, "questionnaire_time", "like 18:00"),
    ({"questionnaire_time": "24:00"}, "questionnaire_time", "like 18:00"),
    ({"flag_after_sessions": "0"}, "flag_after_sessions",
     "Enter the sessions before a plan is flagged between 1 and 50 sessions."),
    ({"flag_after_sessions": "four"}, "flag_after_sessions", "Enter the sessions before a plan is flagged as a whole"),
    ({"phone": "555-01"}, "phone", "too short"),
    ({"name": " "}, "name", "Enter the clinic&#39;s name."),
])
def test_bad_settings_are_refused_with_a_linked_message_and_nothing_typed_is_lost(
        admin: FlaskClient, changes: dict[str, str], field: str, message: str) -> None:
    typed = form_data(address="2 Bow Trail SW", friday_opens="08:15", saturday_open=None, saturday_opens="",
                      saturday_closes="", **changes)
    response = admin.post("/admin/settings", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert re.search(rf'<a href="#{field}">[^<]*{re.escape(message)}', page), page
    assert f'id="{field}-error"' in page and 'aria-invalid="true"' in page
    assert 'value="2 Bow Trail SW"' in page and 'value="08:15"' in page
    assert 'id="saturday_open"' in page and not re.search(r'id="saturday_open"[^>]*checked', page)
    assert 'id="sunday_open"' in page and re.search(r'<input checked[^>]*id="sunday_open"', page)
    if changes.get(field, "").strip():
        assert f'value="{changes[field]}"' in page
    assert db.session.get(ClinicSettings, 1).address == "101 Riverfront Avenue SW, Calgary, AB T2P 0A1"
    assert audit_details() == []


def test_a_closed_day_ignores_its_times(admin: FlaskClient) -> None:
    admin.post("/admin/settings", data=form_data(sunday_open=None, sunday_opens="nonsense", sunday_closes=""))
    assert db.session.get(ClinicSettings, 1).opening_hours[6] is None


def test_every_input_is_labelled(admin: FlaskClient) -> None:
    page = admin.get("/admin/settings").get_data(as_text=True)
    ids = re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page)
    assert len(ids) >= 6 + 21
    for field_id in ids:
        assert f'for="{field_id}"' in page, field_id


def test_the_instructions_for_patients_are_kept_line_by_line_and_audited(admin: FlaskClient) -> None:
    assert "Please arrive 10 minutes early" in admin.get("/admin/settings").get_data(as_text=True)
    instructions = "Arrive 15 minutes early.\r\nBring shorts.  \r\nPark in the lot behind the building."
    response = admin.post("/admin/settings", data=form_data(visit_instructions=instructions), follow_redirects=True)
    assert "Saved: instructions for patients." in response.get_data(as_text=True)
    assert db.session.get(ClinicSettings, 1).visit_instructions == \
        "Arrive 15 minutes early.\nBring shorts.\nPark in the lot behind the building."
    assert audit_details()[-1] == "instructions for patients"
    too_long = admin.post("/admin/settings", data=form_data(visit_instructions="x" * 2001, name="Kept"))
    page = too_long.get_data(as_text=True)
    assert too_long.status_code == 200 and "Write at most 2,000 characters." in page and 'value="Kept"' in page


def booked_visit(clinic: Clinic, when: datetime, patient: str = "Avery Singh") -> Appointment:
    """A booked physiotherapy visit (60 minutes) with the clinic's first physiotherapist."""
    return AppointmentFactory(therapist=clinic.physiotherapists[0], service=clinic.physio,
                              patient=PatientFactory(name=patient), starts_at=when)


def test_hours_that_would_strand_booked_visits_are_refused_with_the_visits_listed(
        admin: FlaskClient, clinic: Clinic) -> None:
    five = booked_visit(clinic, local(2026, 12, 21, 17))
    booked_visit(clinic, local(2026, 12, 21, 14), patient="Early Patient")  # inside the new hours
    response = admin.post("/admin/settings", data=form_data(monday_closes="16:00", phone="403-555-0199"))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was changed: 1 booked visit would fall outside the clinic's hours" in page
    row = re.search(r"<tr><td[^>]*>Monday December 21, 2026</td><td[^>]*>5:00 p.m. MST</td>.*?</tr>", page, re.S)
    assert row and clinic.physiotherapists[0].name in row.group(0) and "Avery Singh" in row.group(0)
    assert f'href="/admin/appointments/{five.id}"' in row.group(0) and "Early Patient" not in page
    assert 'value="16:00"' in page and 'value="403-555-0199"' in page  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(ClinicSettings, 1).opening_hours[0] == ["07:00", "21:00"] and audit_details() == []
    assert admin.post("/admin/settings", data=form_data(monday_closes="18:00")).status_code == 303
    assert audit_details() == ["opening hours"]


def test_closing_for_a_holiday_offers_no_times_that_day_until_it_is_removed(admin: FlaskClient) -> None:
    with time_machine.travel(NOW, tick=False):
        assert slots(admin, CHRISTMAS) and slots(admin, CHRISTMAS_EVE)
        response = admin.post("/admin/closures", data={"day": CHRISTMAS, "label": "Christmas Day"},
                              follow_redirects=True)
        page = response.get_data(as_text=True)
        assert "The clinic is closed on Friday December 25, 2026 (Christmas Day)" in page
        assert re.search(r"<td[^>]*>Friday December 25, 2026</td>\s*<td[^>]*>Christmas Day</td>", page)
        assert slots(admin, CHRISTMAS) == [] and slots(admin, CHRISTMAS_EVE)
        [closure] = db.session.scalars(select(ClinicClosure)).all()
        removed = admin.post(f"/admin/closures/{closure.id}/remove", follow_redirects=True)
        assert "The clinic is open again on Friday December 25, 2026 (Christmas Day)" in removed.get_data(as_text=True)
        assert slots(admin, CHRISTMAS)
    assert audit_details() == ["closed day added: Friday December 25, 2026 (Christmas Day)",
                               "closed day removed: Friday December 25, 2026 (Christmas Day)"]


def test_a_closed_day_is_closed_for_the_phone_and_the_booking_api_too(admin: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["physiotherapy"].id
    body = {"screening_id": str(screening), "service": "physio-60", "therapist_id": None,
            "starts_at": "2026-12-25T10:00:00-07:00",
            "patient": {"name": "Alex Morgan", "email": "alex@example.com", "phone": "403-555-0101"}}

    def phone_times(day: str) -> str:
        return admin.get(f"/admin/book/{screening}?service=physio-60&date={day}").get_data(as_text=True)

    with time_machine.travel(NOW, tick=False):
        assert 'name="start" value="2026-12-25T17:00' in phone_times(CHRISTMAS)  # 10:00 a.m. in Calgary
        admin.post("/admin/closures", data={"day": CHRISTMAS})
        assert 'name="start" value="2026-12-25T' not in phone_times(CHRISTMAS)
        assert 'name="start" value="2026-12-24T17:00' in phone_times(CHRISTMAS_EVE)
        refused = admin.post("/api/v1/appointments", json=body)
    assert refused.status_code == 422 and "not open for booking" in refused.json["errors"]["starts_at"]


def test_closing_a_day_with_booked_visits_is_refused_with_them_listed(admin: FlaskClient, clinic: Clinic) -> None:
    visit = booked_visit(clinic, local(2026, 12, 25, 10))
    response = admin.post("/admin/closures", data={"day": CHRISTMAS, "label": "Christmas Day"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Nothing was changed: 1 booked visit" in page
    assert f'<a href="/admin/appointments/{visit.id}">Avery Singh</a>' in page and "10:00 a.m. MST" in page
    assert 'value="Christmas Day"' in page
    assert db.session.scalars(select(ClinicClosure)).all() == [] and audit_details() == []


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"day": ""}, "day", "Enter the date the clinic is closed"),
    ({"day": "25/12/2026"}, "day", "Enter a date like"),
    ({"day": "2026-12-13"}, "day", "Choose a date from today (2026-12-14)"),
    ({"day": CHRISTMAS, "label": "x" * 81}, "label", "Write at most 80 characters."),
    ({"day": CHRISTMAS, "label": "Christmas\nDay"}, "label", "Enter this on one line"),
])
def test_a_bad_closed_day_is_refused_with_a_message(admin: FlaskClient, data: dict[str, str], field: str,
                                                    message: str) -> None:
    with time_machine.travel(NOW, tick=False):
        response = admin.post("/admin/closures", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and re.search(rf'<a href="#{field}">[^<]*{re.escape(message)}', page), page
    assert db.session.scalars(select(ClinicClosure)).all() == []


def test_the_same_day_cannot_be_closed_twice(admin: FlaskClient) -> None:
    admin.post("/admin/closures", data={"day": CHRISTMAS})
    response = admin.post("/admin/closures", data={"day": CHRISTMAS, "label": "Again"})
    assert response.status_code == 200 and "already closed on Friday December 25, 2026" in response.get_data(
        as_text=True)


def test_the_five_privacy_settings_are_saved_and_audited(admin: FlaskClient) -> None:
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "Privacy and records" in page, page[page.find("retention_years") - 300:page.find("retention_years") + 300]
    assert re.search(r'<input[^>]*name="retention_years"[^>]*value="10"', page)
    response = admin.post("/admin/settings", data=form_data(
        request_days="21", retention_years="12", unbooked_screening_days="60", contact_message_days="180",
        link_days_after_visit="14"), follow_redirects=True)
    assert "Saved: days to answer a request, years records are kept, days a screening never booked is kept, " \
        "days a message is kept, days links work after a visit." in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(ClinicSettings, 1)
    assert (stored.request_days, stored.retention_years, stored.unbooked_screening_days, stored.contact_message_days,
            stored.link_days_after_visit) == (21, 12, 60, 180, 14)
    assert audit_details()[-1] == ("days to answer a request, years records are kept, days a screening never booked "
                                   "is kept, days a message is kept, days links work after a visit")


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("retention_years", "5", "Enter the years records are kept between 10 and 50 years."),
    ("request_days", "45", "Enter the days to answer a request between 1 and 30 days."),
    ("link_days_after_visit", "two weeks", "Enter the days links work after a visit as a whole number, like 60."),
    ("contact_message_days", "", "Enter the days a message is kept."),
])
def test_a_privacy_setting_out_of_bounds_is_refused_with_what_was_typed(
        admin: FlaskClient, field: str, typed: str, message: str) -> None:
    response = admin.post("/admin/settings", data=form_data(**{field: typed}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message.replace("'", "&#39;") in page
    assert re.search(rf'<input[^>]*name="{field}"[^>]*value="{typed}"', page)
    db.session.expire_all()
    assert db.session.get(ClinicSettings, 1).retention_years == 10 and audit_details() == []
