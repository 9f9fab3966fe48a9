"""/staff/ and /admin/ lead to the signed-in person's first page, or to the sign-in page: never a 404."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.factories import StaffUserFactory
from tests.staff.therapist_pages import massage_therapist
from tests.staff_fixtures import signed_in


@pytest.mark.parametrize("path", ["/staff/", "/admin/", "/staff", "/admin"])
def test_signed_out_the_staff_and_admin_roots_lead_to_the_sign_in_page(client: FlaskClient, path: str) -> None:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/staff/login"


@pytest.mark.parametrize("path", ["/staff/", "/admin/", "/staff", "/admin"])
def test_a_therapist_lands_on_their_schedule(client: FlaskClient, path: str) -> None:
    signed_in(client, massage_therapist())
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/staff/schedule"


@pytest.mark.parametrize("path", ["/staff/", "/admin/", "/staff", "/admin"])
def test_an_admin_lands_on_the_today_page(client: FlaskClient, path: str) -> None:
    signed_in(client, StaffUserFactory(admin=True))
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/admin/today"
