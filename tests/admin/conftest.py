"""The fixtures the admin pages' tests share: a small clinic, an admin made after it, and the client signed in as
them. A test module that needs them otherwise (on its own clock, with more data) defines its own."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.models import StaffUser
from tests.factories import Clinic, StaffUserFactory, small_clinic
from tests.staff_fixtures import signed_in


@pytest.fixture
def clinic(app: Flask) -> Clinic:
    """A small clinic, made at whatever time the test runs."""
    return small_clinic()


@pytest.fixture
def admin_user(clinic: Clinic) -> StaffUser:
    """An admin's staff login, made after the clinic."""
    return StaffUserFactory(admin=True)


@pytest.fixture
def admin(client: FlaskClient, admin_user: StaffUser) -> FlaskClient:
    """The client, signed in as ``admin_user``."""
    return signed_in(client, admin_user)
