"""What the tests of the staff and admin pages share: signing staff in without going through the login form; a
small clinic with its admin on a test module's clock; the staff tests' usual moment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from booking.models import StaffUser
from booking.services.staff_accounts import sessions
from booking.staff.access import SESSION_KEY
from tests.factories import Clinic, StaffUserFactory, local, small_clinic

WEDNESDAY_MORNING = local(2026, 12, 2, 8)  # where the `clock` fixture of tests/staff/ stands


def signed_in(client: FlaskClient, user: StaffUser, *, verified: bool = True) -> FlaskClient:
    """The client with a live session of ``user`` (second factor done unless ``verified=False``)."""
    token = sessions.start_session(user, verified=verified)
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie[SESSION_KEY] = token
    return client


def clinic_with_admin(now: datetime) -> tuple[Any, Any, Any]:
    """The fixtures ``clinic`` (a small clinic made with the clock at ``now``), ``admin_user`` (an admin)
    and ``admin`` (the client signed in as them at ``now``), for a test module to name:
    ``clinic, admin_user, admin = clinic_with_admin(NOW)``."""

    @pytest.fixture
    def clinic(app: Flask) -> Iterator[Clinic]:
        with time_machine.travel(now, tick=False):
            yield small_clinic()

    @pytest.fixture
    def admin_user(clinic: Clinic) -> StaffUser:
        with time_machine.travel(now, tick=False):
            return StaffUserFactory(admin=True)

    @pytest.fixture
    def admin(client: FlaskClient, admin_user: StaffUser) -> Iterator[FlaskClient]:
        with time_machine.travel(now, tick=False):
            yield signed_in(client, admin_user)

    return clinic, admin_user, admin
