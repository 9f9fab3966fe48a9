"""The sign-in lock: wrong passwords and codes counted per email address typed, in the database, one at a time.

Every attempt first takes a place (``claim``), in its own short transaction
with the address's ``LoginThrottle`` row locked, before its password or code
is checked. Only MAX_FAILURES places exist per lock window, so at most that
many guesses are ever checked, however many arrive at the same moment and
however many web workers serve them. A right answer gives its place back
(``give_back``); a wrong one keeps it, and once every place is held by a wrong
answer (``count_failure``), or a further attempt finds them all taken, the
address is locked for LOCK. Places older than LOCK are forgotten, and the end
of a lock starts the count again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import LoginThrottle

MAX_FAILURES = 5
LOCK = timedelta(minutes=15)


def _key(email: str) -> str:
    """What the throttle stores of an email address typed (already in its stored form)."""
    return hashlib.sha256(email.encode()).hexdigest()


def _locked_row(email: str) -> LoginThrottle:
    """The address's throttle row (made when there is none), locked until the transaction ends.

    A sign-in completing at the same moment may delete the row between the insert and the
    lock (``forget``): the row is then made again, so the attempt never fails for it.
    """
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    while True:
        db.session.execute(dialect.insert(LoginThrottle).values(email_hash=_key(email), failures=0)
                           .on_conflict_do_nothing())
        throttle = db.session.scalars(select(LoginThrottle).where(LoginThrottle.email_hash == _key(email))
                                      .with_for_update().execution_options(populate_existing=True)).first()
        if throttle is not None:
            return throttle


def claim(email: str, *, now: datetime | None = None) -> datetime | None:
    """Take a place for one attempt and commit; when the address is locked, the lock's end (and no place)."""
    when = moment(now)
    throttle = _locked_row(email)
    if throttle.locked_until is not None and throttle.locked_until > when:
        until: datetime | None = throttle.locked_until
    else:
        if throttle.locked_until is not None or throttle.last_failure_at is None \
                or when - throttle.last_failure_at > LOCK:
            throttle.failures, throttle.locked_until = 0, None
        if throttle.failures >= MAX_FAILURES:  # every place is held by an attempt still being checked
            throttle.locked_until = when + LOCK
        else:
            throttle.failures += 1
            throttle.last_failure_at = when
        until = throttle.locked_until
    db.session.commit()
    return until


def count_failure(email: str, *, now: datetime | None = None) -> datetime | None:
    """The claimed attempt was wrong: it keeps its place; the lock's end when the address is now locked.

    The caller commits.
    """
    when = moment(now)
    throttle = _locked_row(email)
    if throttle.failures >= MAX_FAILURES and (throttle.locked_until is None or throttle.locked_until <= when):
        throttle.locked_until = when + LOCK
    return throttle.locked_until if throttle.locked_until is not None and throttle.locked_until > when else None


def give_back(email: str) -> None:
    """The claimed attempt was right: its place is free again. The caller commits."""
    db.session.execute(update(LoginThrottle).where(LoginThrottle.email_hash == _key(email),
                                                   LoginThrottle.failures > 0)
                       .values(failures=LoginThrottle.failures - 1))


def forget(email: str) -> None:
    """A complete sign-in (or a reset) clears the count and the lock for the address; the caller commits."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email_hash == _key(email)))
