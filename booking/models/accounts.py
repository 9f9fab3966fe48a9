"""Staff accounts: who signs in (admins and therapists), their sessions, second factors and resets.

Patients have no account; staff do. Only hashes of secrets are stored: the
password (argon2), each session's token, each recovery code and each reset
token (SHA-256 of a random or derived value).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from booking.clinic.limits import EMAIL_LENGTH
from booking.models.base import Base, StoredEnum, UTCDateTime, utcnow
from booking.models.staff import Therapist


class StaffRole(enum.StrEnum):
    """What a staff member may do: admins run the clinic, therapists see their own patients."""

    ADMIN = "admin"
    THERAPIST = "therapist"

    @property
    def label(self) -> str:
        """The role as staff pages show it: "Admin"."""
        return {StaffRole.ADMIN: "Admin", StaffRole.THERAPIST: "Therapist"}[self]


class StaffUser(UserMixin, Base):
    """A staff member who signs in; a therapist user is linked to one therapist record."""

    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'therapist')", name="role"),
        CheckConstraint("role = 'admin' OR therapist_id IS NOT NULL", name="therapist_linked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(StoredEnum(StaffRole))
    therapist_id: Mapped[int | None] = mapped_column(ForeignKey("therapists.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # The TOTP secret (base32) once enrolled; admins must enrol, therapists may.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last TOTP time step accepted, so that one code cannot be used twice.
    totp_last_step: Mapped[int | None]
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    therapist: Mapped[Therapist | None] = relationship()

    @validates("role")
    def _role_member(self, _key: str, value: str) -> StaffRole:
        """A role set as text becomes its member, as one read from the database is."""
        return StaffRole(value)

    @property
    def is_active(self) -> bool:  # Flask-Login's: a deactivated account signs nobody in
        """Whether the account may sign in."""
        return self.active

    @property
    def is_admin(self) -> bool:
        """Whether this staff member runs the clinic."""
        return self.role == StaffRole.ADMIN


class StaffSession(Base):
    """One signed-in session, kept on the server: logout or a password change ends it for good.

    The cookie holds a random token; only its SHA-256 is stored. ``verified_at`` is set
    once the second factor (when the account has or needs one) has been given.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A TOTP secret being enrolled in this session, until the first code confirms it.
    pending_totp_secret: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[StaffUser] = relationship()


class RecoveryCode(Base):
    """A one-time code that stands in for the TOTP code when the phone is lost."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PasswordReset(Base):
    """A one-time, expiring password reset; its token is derived from the random id and never stored."""

    __tablename__ = "password_resets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[StaffUser] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins per email address typed (whether or not an account has it), and the lock they cause."""

    __tablename__ = "login_throttles"

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
