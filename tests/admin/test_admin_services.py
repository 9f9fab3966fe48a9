"""/admin/services: listing, adding, editing, deactivating and reactivating the clinic's services."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, Service
from tests.factories import AppointmentFactory, ServiceFactory, StaffUserFactory
from tests.staff_fixtures import signed_in

NEW = {"code": "physio-45", "name": "Physiotherapy follow-up", "description": "A shorter visit.",
       "therapy_type": "physiotherapy", "duration_minutes": "45", "buffer_minutes": "15", "price": "$115"}


@pytest.fixture
def admin(client: FlaskClient) -> FlaskClient:
    """The client, signed in as an admin."""
    return signed_in(client, StaffUserFactory(admin=True))


def audited() -> list[tuple[str, str | None]]:
    """(action, detail) of the services' audit events, oldest first."""
    return [(e.action, e.detail) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "service").order_by(AuditEvent.id))]


def test_a_therapist_gets_404_on_every_service_page(client: FlaskClient) -> None:
    service = ServiceFactory()
    signed_in(client, StaffUserFactory())
    for url in ("/admin/services", "/admin/services/new", f"/admin/services/{service.id}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/services/{service.id}/deactivate").status_code == 404
    assert client.post("/admin/services/new", data=NEW).status_code == 404
    assert db.session.get(Service, service.id).active
    assert db.session.scalar(select(Service).where(Service.code == "physio-45")) is None


def test_the_list_shows_active_and_inactive_services_with_prices(admin: FlaskClient) -> None:
    ServiceFactory(code="massage-90", name="Long massage", massage=True, duration_minutes=90, price_cents=11500)
    ServiceFactory(code="old-one", name="Retired service", active=False)
    page = admin.get("/admin/services").get_data(as_text=True)
    assert "Long massage" in page and "$115.00" in page and "90 min" in page
    assert re.search(r"Retired service.*?Inactive", page, re.S)


def test_an_admin_adds_a_service_patients_can_book(admin: FlaskClient) -> None:
    response = admin.post("/admin/services/new", data=NEW, follow_redirects=True)
    assert "Physiotherapy follow-up was added" in response.get_data(as_text=True)
    service = db.session.scalar(select(Service).where(Service.code == "physio-45"))
    assert (service.duration_minutes, service.buffer_minutes, service.price_cents) == (45, 15, 11500)
    assert "physio-45" in [s["code"] for s in admin.get("/api/v1/services").json["services"]]
    assert audited() == [("created", None)]


def test_editing_shows_the_price_in_dollars_and_audits_the_fields_changed(admin: FlaskClient) -> None:
    service = ServiceFactory(code="physio-60", name="Assessment", price_cents=9500)
    page = admin.get(f"/admin/services/{service.id}").get_data(as_text=True)
    assert 'value="95.00"' in page and "$95.00" in page and 'value="physio-60"' in page
    data = {**NEW, "code": "physio-60", "name": "Assessment", "description": "", "duration_minutes": "60",
            "buffer_minutes": "0", "price": "1,150.50"}
    response = admin.post(f"/admin/services/{service.id}", data=data, follow_redirects=True)
    assert "Saved: price." in response.get_data(as_text=True)
    assert "$1,150.50" in response.get_data(as_text=True)
    assert db.session.get(Service, service.id).price_cents == 115050
    admin.post(f"/admin/services/{service.id}", data={**data, "name": "First visit", "duration_minutes": "75"})
    assert audited() == [("changed", "price"), ("changed", "name, duration")]


def test_a_deactivated_service_is_no_longer_offered_until_reactivated(admin: FlaskClient) -> None:
    service = ServiceFactory(code="physio-60")
    admin.post(f"/admin/services/{service.id}/deactivate")
    assert admin.get("/api/v1/services").json["services"] == []
    assert "Inactive" in admin.get(f"/admin/services/{service.id}").get_data(as_text=True)
    admin.post(f"/admin/services/{service.id}/reactivate")
    assert [s["code"] for s in admin.get("/api/v1/services").json["services"]] == ["physio-60"]
    assert audited() == [("changed", "deactivated"), ("changed", "reactivated")]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"duration_minutes": "0"}, "duration_minutes", "Enter the duration between 5 and 480 minutes."),
    ({"duration_minutes": "47"}, "duration_minutes", "Enter the duration in steps of 5 minutes"),
    ({"duration_minutes": "an hour"}, "duration_minutes", "Enter the duration as a whole number"),
    ({"duration_minutes": ""}, "duration_minutes", "Enter the duration."),
    ({"buffer_minutes": "-5"}, "buffer_minutes", "Enter the buffer as a whole number"),
    ({"buffer_minutes": ""}, "buffer_minutes", "Enter the buffer."),
    ({"price": "-10"}, "price", "A price cannot be negative."),
    ({"price": "11.505"}, "price", "Enter the price in dollars and cents, like 115.00."),
    ({"price": "ten"}, "price", "Enter the price in dollars and cents"),
    ({"code": "physio 45"}, "code", "Use only letters, digits and dashes"),
    ({"code": "physio_45!"}, "code", "Use only letters, digits and dashes"),
    ({"code": "taken"}, "code", "Another service already has the code taken."),
    ({"therapy_type": "chiropractic"}, "therapy_type-0", "Choose physiotherapy or massage therapy."),
    ({"name": ""}, "name", "Enter the service"),
])
def test_bad_services_are_refused_clearly_and_nothing_typed_is_lost(
        admin: FlaskClient, changes: dict[str, Any], field: str, message: str) -> None:
    ServiceFactory(code="taken")
    response = admin.post("/admin/services/new", data={**NEW, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert re.search(rf'<a href="#{field}">[^<]*{re.escape(message)}', page), page
    for name, value in {**NEW, **changes}.items():
        if name != "therapy_type" and value:
            assert f'value="{value}"' in page or f"{value}</textarea>" in page, name
    assert db.session.scalar(select(Service).where(Service.name == NEW["name"])) is None
    assert audited() == []


def test_editing_to_another_services_code_is_refused(admin: FlaskClient) -> None:
    ServiceFactory(code="massage-60", massage=True)
    service = ServiceFactory(code="physio-60")
    page = admin.post(f"/admin/services/{service.id}", data={**NEW, "code": "massage-60"}).get_data(as_text=True)
    assert "Another service already has the code massage-60." in page
    db.session.expire_all()
    assert db.session.get(Service, service.id).code == "physio-60"


def test_an_unknown_service_is_404(admin: FlaskClient) -> None:
    assert admin.get("/admin/services/999").status_code == 404
    assert admin.get(f"/admin/services/{2**63}").status_code == 404
    assert admin.post("/admin/services/999/deactivate").status_code == 404


def test_every_input_is_labelled(admin: FlaskClient) -> None:
    page = admin.get("/admin/services/new").get_data(as_text=True)
    ids = re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page)
    assert len(ids) >= 8
    for field_id in ids:
        assert f'for="{field_id}"' in page, field_id


def test_the_therapy_type_cannot_change_under_booked_visits(admin: FlaskClient) -> None:
    service = ServiceFactory(code="physio-60", name="Assessment")
    AppointmentFactory(service=service)  # tomorrow
    data = {**NEW, "code": "physio-60", "name": "Assessment", "therapy_type": "massage"}
    page = admin.post(f"/admin/services/{service.id}", data=data).get_data(as_text=True)
    assert re.search(r'<a href="#therapy_type-0">The therapy type cannot change while visits of Assessment are '
                     r"booked \(1\)", page)
    db.session.expire_all()
    assert db.session.get(Service, service.id).therapy_type == "physiotherapy"
    assert audited() == []
