"""Two PostgreSQL roles: the owner migrates, the app's role cannot erase the audit log but does its work.

Runs on the real server: a throwaway owner, a throwaway app role and a schema of
the owner's, all dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
import time_machine
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from booking.config import database_url
from booking.extensions import db
from booking.models import Appointment, AuditEvent
from booking.services import audit
from tests.conftest import TEST_DATABASE_URL, make_app
from tests.factories import StaffUserFactory, local, small_clinic

ERASING = [
    "UPDATE audit_events SET action = 'nothing'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_never_edited",
    "DROP TABLE audit_events CASCADE",
]


@dataclass
class Roles:
    """The URLs of the owner and of the app's role, on one schema."""

    owner: str
    app: str


def role_url(role: str, schema: str) -> str:
    """The test database's URL for ``role``, with ``schema`` alone on the search path."""
    url = make_url(database_url(TEST_DATABASE_URL)).set(username=role, query={"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def roles() -> Iterator[Roles]:
    """A new owner role with a schema of its own, and a new role for the app; dropped afterwards."""
    suffix = f"{os.getpid()}_{secrets.token_hex(4)}"
    owner, app_role, schema = f"booking_owner_{suffix}", f"booking_app_{suffix}", f"roles_{suffix}"
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public")
        conn.execute(f"CREATE ROLE {owner} LOGIN NOSUPERUSER")
        conn.execute(f"CREATE ROLE {app_role} LOGIN NOSUPERUSER")
        conn.execute(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}")
    try:
        yield Roles(owner=role_url(owner, schema), app=role_url(app_role, schema))
    finally:
        with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            for role in (app_role, owner):
                conn.execute(f"DROP OWNED BY {role}")
                conn.execute(f"DROP ROLE {role}")


def migrate_as_owner(roles: Roles) -> None:
    """`flask db upgrade` with MIGRATION_DATABASE_URL set to the owner."""
    app = make_app(roles.app, MIGRATION_DATABASE_URL=roles.owner)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def test_the_app_role_adds_and_reads_audit_rows_but_cannot_erase_them(roles: Roles) -> None:
    migrate_as_owner(roles)
    app = make_app(roles.app)
    with app.app_context():
        try:
            with time_machine.travel(local(2026, 11, 30, 8), tick=False):
                clinic = small_clinic()
                admin = StaffUserFactory(admin=True)
                audit.record("viewed", "screening", clinic.screenings["physiotherapy"].id, actor=admin)
                db.session.commit()
                assert db.session.scalars(select(AuditEvent.action)).all() == ["viewed"]
                for statement in ERASING:
                    with pytest.raises(ProgrammingError, match="InsufficientPrivilege|must be owner"):
                        db.session.execute(text(statement))
                    db.session.rollback()
                assert db.session.scalars(select(AuditEvent.action)).all() == ["viewed"]

                booked = app.test_client().post("/api/v1/appointments", json={
                    "screening_id": str(clinic.screenings["physiotherapy"].id), "service": clinic.physio.code,
                    "therapist_id": clinic.physiotherapists[0].id, "starts_at": "2026-12-02T10:00:00-07:00",
                    "patient": {"name": "Alex Morgan", "email": "alex@example.com", "phone": "403-555-0101"}})
                assert booked.status_code == 201, booked.json
                cancelled = app.test_client().post(
                    f"/api/v1/appointments/{booked.json['id']}/cancel", json={},
                    headers={"Authorization": f"Bearer {booked.json['manage_token']}"})
                assert cancelled.status_code == 200, cancelled.json
                assert db.session.get(Appointment, booked.json["id"]).status == "cancelled"
        finally:
            db.session.remove()
            db.engine.dispose()


def test_an_upgrade_refuses_an_app_role_that_is_the_owner(roles: Roles, capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f"GRANT {make_url(roles.owner).username} TO {make_url(roles.app).username}")
    app = make_app(roles.app, MIGRATION_DATABASE_URL=roles.owner)
    with app.app_context():
        with pytest.raises(SystemExit):
            upgrade()
        db.engine.dispose()
    assert "is a superuser or owns the tables, so it could erase the audit log" in capsys.readouterr().err


def test_the_owner_downgrades_and_upgrades_again_granting_each_time(roles: Roles) -> None:
    app = make_app(roles.app, MIGRATION_DATABASE_URL=roles.owner)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        db.session.execute(text("INSERT INTO audit_events (at, action, subject_type) VALUES (now(), 'viewed', 'x')"))
        db.session.commit()
        with pytest.raises(ProgrammingError, match="InsufficientPrivilege"):
            db.session.execute(text("TRUNCATE audit_events"))
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_without_a_migration_url_one_role_does_both(roles: Roles) -> None:
    app = make_app(roles.owner)
    with app.app_context():
        upgrade()
        db.session.execute(text("TRUNCATE audit_events"))  # the owner may: nothing separates the roles
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(("app_url", "owner_url", "message"), [
    ("sqlite:///booking.sqlite3", "sqlite:///booking.sqlite3", "MIGRATION_DATABASE_URL is for PostgreSQL"),
    ("postgresql://app@db/clinic", "postgresql://owner@db/other", "the same server and database"),
    ("postgresql://app@db/clinic", "postgresql://app:secret@db/clinic", "as another user than DATABASE_URL"),
])
def test_a_migration_url_that_cannot_be_the_owner_is_refused_at_start(app_url: str, owner_url: str,
                                                                      message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        make_app(app_url, MIGRATION_DATABASE_URL=owner_url)
