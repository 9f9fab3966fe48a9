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

Every record is also one line: control characters in its message (a line
break decoded from ``%0A`` in a path, a carriage return, a terminal escape) are
written as escapes (``\\n``, ``\\r``, ``\\x1b``), so that nobody can forge a log line
through a value that is logged. In a traceback the messages of the exceptions
are escaped so; its own line breaks stay. Colour codes (``ESC[...m``, as the dev
server adds to its access log) are kept: they cannot move the cursor or end a line.

The redaction is a log record factory rather than a logging.Filter: a filter
on a logger does not see the records its children propagate, and handlers come
and go (pytest's, gunicorn's), while every record of the process is made by the
factory. gunicorn.conf.py installs it in gunicorn's master, before any worker.
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
# Control characters, line and paragraph separators and the bidirectional overrides (which reorder
# what a terminal shows); a colour code, matched first, is kept whole.
CONTROL = re.compile(r"(\x1b\[[0-9;]*m)|[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    """A colour code as it is; any other control character as an escape (\\n, \\x1b, \\u2028)."""
    if match.group(1):
        return match.group(1)
    character = match.group()
    code = ord(character)
    return NAMED_ESCAPES.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def one_line(text: str) -> str:
    """The text with its control characters escaped, so that it shows as one line.

    Every character CONTROL matches is one Python does not print (a control, format or line separator
    character), so a printable text, as nearly every line is, is left as it is without the regex."""
    return text if text.isprintable() else CONTROL.sub(_escape, text)


def redact(text: str) -> str:
    """The text with manage tokens, ids and long tokens in paths, query strings and emails replaced.

    Each pattern needs a character a line may well lack (a query string its ``?``, a path its ``/``, an email
    its ``@``): a line without it skips that regex (a gunicorn access line costs half as much)."""
    if "?" in text:
        text = QUERY.sub(r"\1", text)
    if "/" in text:
        text = TOKEN_AFTER.sub(r"/\1/<token>", text)
        text = UUID.sub("/<id>", text)
        text = LONG_SEGMENT.sub("/<token>", text)
    return EMAIL.sub("<email>", text) if "@" in text else text


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
    """The traceback of an error, PostgreSQL's messages summarised, each message on one line, the whole redacted."""
    text = "".join(traceback.format_exception(error)).rstrip("\n")
    chain = list(_chain(error))
    summaries = {str(each): _postgresql_summary(each) for each in chain if isinstance(each, psycopg.Error)}
    shown: dict[str, str] = {}
    for each in chain:
        message = str(each)
        for original, summary in summaries.items():
            message = message.replace(original, summary) if original else message
        shown[str(each)] = one_line(message)
    # The longest first: a wrapping error's message quotes the message of the error it wraps.
    for original in sorted((each for each in shown if each), key=len, reverse=True):
        text = text.replace(original, shown[original])
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
        record.msg, record.args = redact(one_line(message)), ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = exception_text(record.exc_info[1])
            record.exc_info = None  # so that no handler formats the original again
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    make.redacts_secrets = True  # type: ignore[attr-defined]  # mypy knows no attribute set on a function
    return make


def install() -> None:
    """Redact every log record of this process from now on (once, however often it is called)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts_secrets", False):
        logging.setLogRecordFactory(_redacting(factory))
