"""The waitlist's two settings on the clinic's settings page: how many waiting patients a freed time is offered to at
once, and how long an offer is held; shown, saved (audited by name), refused with a message when out of range, and
followed by the offers made after."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from booking.clinic.settings import clinic_settings
from booking.extensions import db
from booking.models import ClinicSettings
from tests.admin.test_admin_settings import audit_details, form_data
from tests.factories import Clinic, local
from tests.staff_fixtures import clinic_with_admin
from tests.waitlist.records import entry

NOW = local(2026, 12, 2, 9, 40)  # Wednesday morning in Calgary
clinic, admin_user, admin = clinic_with_admin(NOW)


def box(page: str, field: str) -> str:
    """The input of this field on the page."""
    (found,) = re.findall(rf'<input[^>]* name="{field}"[^>]*>', page)
    return found


def test_the_settings_page_shows_the_waitlists_two_settings(admin: FlaskClient) -> None:
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "<h2>Waitlist</h2>" in page
    assert 'value="1"' in box(page, "waitlist_offers_at_once")
    assert 'value="30"' in box(page, "waitlist_claim_minutes")


def test_saving_the_waitlists_settings_is_audited_and_followed_by_the_next_offer(admin: FlaskClient,
                                                                                 clinic: Clinic) -> None:
    response = admin.post("/admin/settings", data=form_data(waitlist_offers_at_once="3", waitlist_claim_minutes="10"),
                          follow_redirects=True)
    assert "Saved: waitlist offers at once, waitlist claim time." in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(ClinicSettings, 1)
    assert (stored.waitlist_offers_at_once, stored.waitlist_claim_minutes) == (3, 10)
    assert (clinic_settings().waitlist_offers_at_once, clinic_settings().waitlist_claim_minutes) == (3, 10)
    assert audit_details() == ["waitlist offers at once, waitlist claim time"]

    waiter = entry(clinic.physio, clinic.screenings["physiotherapy"], local(2026, 11, 30, 9), name="Held Ten Minutes")
    db.session.commit()
    offered = admin.post(f"/admin/waitlist/{waiter.id}/offer", follow_redirects=True, data={
        "therapist": str(clinic.physiotherapists[0].id), "day": "2026-12-03", "time": "14:00"})
    assert "is offered to Held Ten Minutes, held until 9:50 a.m." in offered.get_data(as_text=True)


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("waitlist_offers_at_once", "0", "Enter how many waiting patients a freed time is offered to between 1 and 10 "
                                     "patients."),
    ("waitlist_offers_at_once", "two", "Enter how many waiting patients a freed time is offered to as a whole number, "
                                       "like 60."),
    ("waitlist_offers_at_once", "", "Enter how many waiting patients a freed time is offered to."),
    ("waitlist_claim_minutes", "4", "Enter how long an offer is held between 5 and 1,440 minutes."),
    ("waitlist_claim_minutes", "1441", "Enter how long an offer is held between 5 and 1,440 minutes."),
    ("waitlist_claim_minutes", "", "Enter how long an offer is held."),
])
def test_a_bad_waitlist_setting_is_refused_with_what_was_typed(admin: FlaskClient, field: str, typed: str,
                                                                message: str) -> None:
    response = admin.post("/admin/settings", data=form_data(**{field: typed}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Error: Clinic settings" in page
    assert message in page
    assert f'value="{typed}"' in box(page, field)
    db.session.expire_all()
    stored = db.session.get(ClinicSettings, 1)
    assert (stored.waitlist_offers_at_once, stored.waitlist_claim_minutes) == (1, 30)
    assert audit_details() == []
