"""No secret and no personal data in a log line: every record is redacted where it is made.

A manage link (``/book/manage/<token>``, ``/book/confirmed/<token>``) opens a
patient's visit and a screening id (``/screening/<id>``, ``/book/<id>/...``)
opens their screening, so the app's lines, the dev server's access log
(werkzeug), gunicorn's access and error logs and every traceback show such
paths as placeholders, without the query string. Emails are replaced wherever
they appear. Values never reach a log through SQLAlchemy either: the engine
hides SQL parameters (``hide_parameters``, see booking.config), the rows it
logs at DEBUG are replaced by a placeholder (they hold screenings and notes), and of a
PostgreSQL error only its SQLSTATE and the names of the constraint, table and
column are logged, because its messages quote the values ("DETAIL: Key
(email)=(...)", "Failing row contains (...)"). SQLite's messages name a
constraint or column, never a value, and are kept.

The redaction is a log record factory rather than a logging.Filter: a filter
on a logger does not see the records its children propagate, and handlers come
and go (pytest's, gunicorn's), while every record of the process is made by the
factory.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import psycopg

# Whatever follows /manage/ or /confirmed/ is a manage token, even when malformed; what follows
# /feed/<therapist id>/ is a calendar feed's token (with its .ics).
TOKEN_AFTER = re.compile(r"/(manage|confirmed|feed/\d+)/[^/\s?#\"']+")
UUID = re.compile(r"/[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}(?![\w-])")
# A long random path segment (a token of a link yet to come).
LONG_SEGMENT = re.compile(r"/[A-Za-z0-9_-]{20,}(?![\w.-])")
QUERY = re.compile(r"(/[^\s?#\"']*)\?[^\s#\"']*")
EMAIL = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[A-Za-z]{2,}")


def redact(text: str) -> str:
    """The text with manage tokens, ids and long tokens in paths, query strings and emails replaced."""
    text = QUERY.sub(r"\1", text)
    text = TOKEN_AFTER.sub(r"/\1/<token>", text)
    text = UUID.sub("/<id>", text)
    text = LONG_SEGMENT.sub("/<token>", text)
    return EMAIL.sub("<email>", text)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and the errors that led to it (causes and contexts), as a traceback shows them."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)


def _postgresql_summary(error: psycopg.Error) -> str:
    """What of a PostgreSQL error may be logged: its SQLSTATE and the names it gives, no message."""
    diag = error.diag
    names = {"SQLSTATE": diag.sqlstate, "constraint": diag.constraint_name, "table": diag.table_name,
             "column": diag.column_name}
    given = ", ".join(f"{key} {value}" for key, value in names.items() if value)
    return f"[message not logged: it may quote values; {given or 'no SQLSTATE'}]"


def exception_text(error: BaseException) -> str:
    """The traceback of an error, PostgreSQL's messages summarised and the whole redacted."""
    text = "".join(traceback.format_exception(error)).rstrip("\n")
    for each in _chain(error):
        message = str(each)
        if isinstance(each, psycopg.Error) and message:
            text = text.replace(message, _postgresql_summary(each))
    return redact(text)


def _redacting(make_record: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """A record factory that makes records with make_record, then redacts message, traceback and stack."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        """A record whose message is formatted and redacted, with its traceback as redacted text."""
        record = make_record(*args, **kwargs)
        if record.name.startswith("sqlalchemy.engine") and record.msg == "Row %r":
            record.msg, record.args = "Row [values not logged]", ()
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # arguments that do not fit the format: keep the format alone
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = exception_text(record.exc_info[1])
            record.exc_info = None  # so that no handler formats the original again
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    make.redacts_secrets = True  # type: ignore[attr-defined]
    return make


def install() -> None:
    """Redact every log record of this process from now on (once, however often it is called)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts_secrets", False):
        logging.setLogRecordFactory(_redacting(factory))
