"""The stack's ceiling: a bare Flask app on SQLAlchemy, doing one SELECT or one INSERT transaction.

The booking benchmark serves it with the same gunicorn command as the app (``gunicorn.conf.py``,
workers, worker class), on the same database, with the app's engine options (its connection check
included), and drives it with the same clients: what the app reaches, as a share of what this app
reaches, is what the app's own code costs. It answers JSON, as the app's API does.

    GET /select?id=N   one SELECT of a therapist by id, outside a transaction (autocommit), as the app's
                       read-only views read (``booking.database.reads_only``): no BEGIN, no ROLLBACK
    POST /insert       one INSERT of the JSON body's note, committed
    GET /healthz       no database

It imports nothing of the app but its engine options (``booking.config``) and its connection check
(``booking.database.check_connections``), and lives here, never in booking/.
"""

from __future__ import annotations

import os

import psycopg
from flask import Flask, Response, jsonify, request
from sqlalchemy import create_engine, text

TABLE = "ceiling_writes"


def create_table(url: str) -> None:
    """The table ``/insert`` writes to, in the benchmark database (dropped with it)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, note text NOT NULL, "
                     "created_at timestamptz NOT NULL DEFAULT now())")


def create_app() -> Flask:
    """The bare app, on DATABASE_URL with the app's engine options."""
    from booking.config import DEFAULTS, database_url
    from booking.database import check_connections

    engine = create_engine(database_url(os.environ["DATABASE_URL"]), **DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"])
    check_connections(engine)
    reader = engine.execution_options(isolation_level="AUTOCOMMIT")
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @app.get("/select")
    def select_one() -> Response:
        with reader.connect() as conn:
            row = conn.execute(text("SELECT id, name FROM therapists WHERE id = :id"),
                               {"id": request.args.get("id", 1, type=int)}).one()
        return jsonify(id=row.id, name=row.name)

    @app.post("/insert")
    def insert_one() -> tuple[Response, int]:
        with engine.begin() as conn:
            new_id = conn.execute(text(f"INSERT INTO {TABLE} (note) VALUES (:note) RETURNING id"),
                                  {"note": str((request.get_json(silent=True) or {}).get("note", ""))}).scalar_one()
        return jsonify(id=new_id), 201

    return app
