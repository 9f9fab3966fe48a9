"""Staff accounts: creating them, signing in (locked for a while after repeated failures), changing passwords.

Failures are counted per email address typed, whether or not an account has it
(``booking.services.staff_accounts.lockout``): each password or second-factor code takes one
of the address's MAX_FAILURES places before it is checked, and the address is
locked for LOCK once they are used up by wrong ones, however many attempts
arrive at once. The error never tells whether an account has the address,
and the work is the same either way (a password is verified against a dummy hash when there is no
account). Failures per client address are limited by Flask-Limiter on the
views. Audit details name the client address, never a password or code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from booking.clinic.clock import moment
from booking.clinic.validators import normalise_email
from booking.database import get_or_none
from booking.extensions import db
from booking.models import StaffRole, StaffUser, Therapist
from booking.services import audit
from booking.services.staff_accounts import lockout, sessions
from booking.services.staff_accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)

NO_MATCH = "That email and password do not match. Check them and try again."


class AccountError(Exception):
    """A staff account could not be created or changed, or a sign-in was refused; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WrongPassword(AccountError):
    """The current password, asked again before a change, is not right."""

    def __init__(self) -> None:
        super().__init__("That is not your current password.")


class Locked(AccountError):
    """Too many failures for this email address: no sign-in until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__("Too many failed attempts for this email address, so it is locked for "
                         f"{lockout.LOCK.seconds // 60} minutes. Try again later, or reset your password.")
        self.until = until


def typed_email(email: str) -> str:
    """The email address as typed at sign-in, in the form accounts are stored in (no validation)."""
    return email.strip().lower()


def find_by_email(email: str) -> StaffUser | None:
    """The account with this email address (as typed), if any."""
    return db.session.scalar(select(StaffUser).where(StaffUser.email == typed_email(email)))


def create_staff(role: str, email: str, password: str, therapist_id: int | None = None) -> StaffUser:
    """Create and store a staff login; AccountError says what is wrong (role, email, therapist, password)."""
    if role not in (StaffRole.ADMIN, StaffRole.THERAPIST):
        raise AccountError(f"The role must be admin or therapist, not {role!r}.")
    try:
        address = normalise_email(email)
    except ValueError as exc:
        raise AccountError(str(exc)) from exc
    if find_by_email(address) is not None:
        raise AccountError(f"A staff login with the email {address} already exists.")
    if role == StaffRole.ADMIN and therapist_id is not None:
        raise AccountError("An admin login is not linked to a therapist: leave out the therapist id.")
    if role == StaffRole.THERAPIST:
        _check_therapist(therapist_id)
    problem = password_problem(password, about=[address])
    if problem:
        raise AccountError(problem)
    user = StaffUser(role=str(role), email=address, password_hash=hash_password(password), therapist_id=therapist_id)
    db.session.add(user)
    db.session.flush()
    audit.record("staff_created", "staff_user", user.id, f"role {role}")
    db.session.commit()
    return user


def _check_therapist(therapist_id: int | None) -> None:
    """A therapist login needs a therapist record that no other login has."""
    if therapist_id is None:
        raise AccountError("A therapist login needs the id of the therapist it belongs to (--therapist-id).")
    if get_or_none(Therapist, therapist_id) is None:
        raise AccountError(f"No therapist has the id {therapist_id}.")
    if db.session.scalar(select(StaffUser.id).where(StaffUser.therapist_id == therapist_id)) is not None:
        raise AccountError(f"The therapist {therapist_id} already has a staff login.")


def refuse(email: str, user: StaffUser | None, address: str, what: str, *, now: datetime | None = None) -> None:
    """A claimed step was wrong: record and commit it (audit, lock), then raise Locked or the generic AccountError."""
    until = lockout.count_failure(typed_email(email), now=now)
    audit.record("sign_in_failed", "staff_user", user.id if user else None, f"{what} from {address}", actor=user)
    db.session.commit()
    if until is not None:
        raise Locked(until)
    raise AccountError(NO_MATCH if what == "password" else "That code is not right. Check it and try again.")


def claim_attempt(email: str, *, now: datetime | None = None) -> None:
    """Take one of the address's places for a password or code about to be checked; Locked when there is none."""
    until = lockout.claim(typed_email(email), now=now)
    if until is not None:
        raise Locked(until)


def accepted(email: str) -> None:
    """A claimed step was right: its place is given back. The caller commits."""
    lockout.give_back(typed_email(email))


def authenticate(email: str, password: str, address: str, *, now: datetime | None = None) -> StaffUser:
    """The active account this email and password open; AccountError (Locked) otherwise.

    The password is verified even when no account has the address (against a dummy
    hash), so the answer takes as long and says the same either way.
    """
    claim_attempt(email, now=now)
    user = find_by_email(email)
    matches = verify_password(user.password_hash if user else dummy_hash(), password)
    if user is None or not matches or not user.active:
        refuse(email, user, address, "password", now=now)
    assert user is not None  # refuse() raised otherwise
    accepted(email)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("password_accepted", "staff_user", user.id, f"from {address}", actor=user)
    db.session.commit()
    return user


def signed_in(user: StaffUser, address: str, how: str) -> None:
    """The sign-in is complete (password, and the second factor when the account has one): record it."""
    lockout.forget(user.email)
    audit.record("signed_in", "staff_user", user.id, f"{how} from {address}", actor=user)
    db.session.commit()


def signed_out(user: StaffUser) -> None:
    """Record a sign-out."""
    audit.record("signed_out", "staff_user", user.id, actor=user)
    db.session.commit()


def set_password(user: StaffUser, password: str, *, now: datetime | None = None) -> None:
    """Store a new password (checked by the policy) and end every session of the user; the caller commits."""
    problem = password_problem(password, about=[user.email])
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = moment(now)
    sessions.end_all_sessions(user, now=now)


def change_password(user: StaffUser, current: str, new: str) -> None:
    """Change the signed-in user's password (the current one is asked again); every session of theirs ends."""
    if not verify_password(user.password_hash, current):
        raise WrongPassword()
    if new == current:
        raise AccountError("Choose a new password that is not your current one.")
    set_password(user, new)
    audit.record("password_changed", "staff_user", user.id, actor=user)
    db.session.commit()
