"""The second factor: TOTP codes (pyotp) with one-time recovery codes, enrolled with a QR code (segno).

A code is accepted one step either side of now (``valid_window=1``), and only
once: the step last accepted is kept (``totp_last_step``) and no step up to it
is accepted again; it is recorded by a conditional UPDATE, as a recovery code is
spent, so two requests sending one code at the same moment get one sign-in.
Ten recovery codes are made at enrolment, shown once and stored as SHA-256
hashes; each works once. A wrong code counts towards the
same lock as a wrong password (``accounts.refuse``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, or_, select, update

from booking.clinic.clock import moment
from booking.clinic.settings import clinic_settings
from booking.database import changed_rows
from booking.extensions import db
from booking.models import RecoveryCode, StaffSession, StaffUser
from booking.policy import may_turn_off_second_factor
from booking.services import audit
from booking.services.staff_accounts.accounts import AccountError, WrongPassword, accepted, claim_attempt, refuse
from booking.services.staff_accounts.passwords import verify_password

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
TOTP_DIGITS = 6


def new_secret() -> str:
    """A fresh TOTP secret (base32)."""
    return pyotp.random_base32()


def provisioning_uri(user: StaffUser, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=clinic_settings().name)


def qr_code(uri: str) -> str:
    """The QR code of the address, as an SVG data: URI for an <img>."""
    import segno  # here, not at the top: only enrolment draws a QR code

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, light="#fff")


def _digits(code: str) -> str:
    """A code as typed, without spaces or hyphens."""
    return "".join(code.split()).replace("-", "").lower()


def _accepted_step(secret: str, last_step: int | None, code: str, now: datetime) -> int | None:
    """The time step whose code this is (one step either side of now, after ``last_step``), or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step).encode(),
                                                                           code.encode()):
            return step
    return None


def _code_hash(code: str) -> str:
    """What is stored of a recovery code."""
    return hashlib.sha256(_digits(code).encode()).hexdigest()


def _new_recovery_codes(user: StaffUser) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones; them, readable ("abcde-fghjk")."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(raw)))
    return codes


def pending_secret(signed_in: StaffSession) -> str:
    """The secret being enrolled in this sign-in session: the one it keeps, or a new one it keeps from now on."""
    if signed_in.pending_totp_secret is None:
        signed_in.pending_totp_secret = new_secret()
        db.session.commit()
    return signed_in.pending_totp_secret


def confirm_enrolment(user: StaffUser, secret: str, code: str, *, signed_in: StaffSession | None = None,
                      now: datetime | None = None) -> list[str]:
    """Enrol the secret once its first code is right (the sign-in session, if given, forgets it as pending);
    the recovery codes (shown once). AccountError otherwise."""
    step = _accepted_step(secret, None, _digits(code), moment(now))
    if step is None:
        raise AccountError("That code is not right. Enter the 6-digit code your app shows now.")
    user.totp_secret, user.totp_last_step = secret, step
    codes = _new_recovery_codes(user)
    if signed_in is not None:
        signed_in.pending_totp_secret = None
    audit.record("totp_enrolled", "staff_user", user.id, actor=user)
    db.session.commit()
    return codes


def remove(user: StaffUser, password: str) -> None:
    """Remove the user's TOTP and recovery codes (those the policy lets turn it off; the password is asked again)."""
    if not may_turn_off_second_factor(user):
        raise AccountError("Admins must keep two-factor sign-in.")
    if not verify_password(user.password_hash, password):
        raise WrongPassword()
    user.totp_secret = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("totp_removed", "staff_user", user.id, actor=user)
    db.session.commit()


def recovery_codes_left(user: StaffUser) -> int:
    """How many of the user's recovery codes are unused."""
    return len(list(db.session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))))


def _claim_step(user: StaffUser, step: int) -> bool:
    """Record the TOTP step as used, unless a step as late was used already (by a request at the same moment)."""
    return changed_rows(update(StaffUser).where(
        StaffUser.id == user.id, or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)) == 1


def _use_recovery_code(user: StaffUser, code: str, now: datetime) -> bool:
    """Spend one of the user's unused recovery codes, if this is one and no other request spent it first."""
    found = db.session.scalar(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(code), RecoveryCode.used_at.is_(None))
        .limit(1))
    if found is None:
        return False
    return changed_rows(update(RecoveryCode).where(RecoveryCode.id == found, RecoveryCode.used_at.is_(None))
                        .values(used_at=now).execution_options(synchronize_session=False)) == 1


def verify(user: StaffUser, code: str, address: str, *, now: datetime | None = None) -> str:
    """Check the second step of a sign-in: "totp" or "recovery code" for what was accepted.

    Raises Locked while the account's email is locked, AccountError for a wrong code (counted). A code
    is spent by a conditional UPDATE, so of two requests sending it at the same moment exactly one wins.
    """
    when = moment(now)
    claim_attempt(user.email, now=when)
    typed = _digits(code)
    how = None
    if len(typed) == TOTP_DIGITS and user.totp_secret:
        step = _accepted_step(user.totp_secret, user.totp_last_step, typed, when)
        if step is not None and _claim_step(user, step):
            how = "totp"
    elif _use_recovery_code(user, typed, when):
        how = "recovery code"
    if how is None:
        refuse(user.email, user, address, "second factor", now=when)
        raise AssertionError("refuse() always raises")
    accepted(user.email)
    db.session.commit()
    return how
