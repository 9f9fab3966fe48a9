"""Migrations build the schema from empty, agree with the models, and go back to base."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from booking import create_app
from booking.cli import migrations
from booking.extensions import db
from tests.conftest import private_schema, test_settings


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, apart from the one the other tests use."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    else:
        yield from private_schema("migration_check")


def test_upgrade_matches_models_and_downgrade_reaches_base(empty_database: str) -> None:
    app = create_app(test_settings(empty_database), environ={})
    migrations.bind(app)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert differences == [], "the models and the migrations disagree"
        assert {"appointments", "screenings", "contact_messages"} <= set(inspect(db.engine).get_table_names())

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "appointments" in inspect(db.engine).get_table_names()
        db.engine.dispose()
