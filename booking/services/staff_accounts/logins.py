"""Turning staff logins off and on again: when someone leaves, their access ends at once.

Deactivating a login ends every session of it (its next request is signed
out), revokes its calendar feed (the link answers 404, and stays revoked if the
login comes back), spends its unused password resets, and from then on it can
neither sign in nor be sent a reset (answered as for an unknown address). An
admin cannot deactivate their own login, nor the last active admin: the clinic
would have nobody to run it. Every change is audited, and made for an admin the
policy lets run the clinic (``booking.policy``) or for the clinic's command line
(``by_staff`` None: someone with the server's shell).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from booking.clinic.clock import moment
from booking.database import get_or_none, lock
from booking.extensions import db
from booking.models import PasswordReset, StaffRole, StaffUser
from booking.policy import require_run_the_clinic
from booking.services import audit
from booking.services.staff_accounts import sessions
from booking.services.staff_accounts.accounts import AccountError


def all_logins() -> list[StaffUser]:
    """Every staff login, active ones first, then by email, with its therapist."""
    return list(db.session.scalars(select(StaffUser).options(joinedload(StaffUser.therapist))
                                   .order_by(StaffUser.active.desc(), StaffUser.email)))


def find_login(user_id: int) -> StaffUser | None:
    """The login with this id, or None (also for an id no row can have)."""
    return get_or_none(StaffUser, user_id)


def _other_active_admins(user: StaffUser) -> int:
    """How many active admins there are besides ``user``, their rows locked so that two admins never
    deactivate each other at the same moment and leave the clinic with none."""
    admins = db.session.scalars(select(StaffUser.id).where(StaffUser.role == StaffRole.ADMIN, StaffUser.active)
                                .order_by(StaffUser.id).with_for_update())
    return len([admin_id for admin_id in admins if admin_id != user.id])


def deactivate(user: StaffUser, by_staff: StaffUser | None, *, now: datetime | None = None) -> bool:
    """End the login's access (see the module docstring) and commit; False when it was already inactive.

    Raises AccountError when ``by_staff`` is the login itself, or it is the last active admin; Refused when
    ``by_staff`` may not run the clinic.
    """
    if by_staff is not None:
        require_run_the_clinic(by_staff)
    when = moment(now)
    if by_staff is not None and by_staff.id == user.id:
        raise AccountError("You cannot deactivate your own login. Ask another admin to do it.")
    if user.is_admin and _other_active_admins(user) == 0:
        db.session.rollback()
        raise AccountError(f"{user.email} is the only active admin: the clinic would have nobody to run it. "
                           "Create or reactivate another admin login first.")
    lock(user)
    if not user.active:
        db.session.rollback()
        return False
    user.active = False
    sessions.end_all_sessions(user, now=when)
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=when))
    if user.therapist is not None:
        user.therapist.feed_version += 1
        audit.record("changed", "calendar feed", user.therapist.id, "link revoked: login deactivated",
                     actor=by_staff, at=when)
    audit.record("staff_deactivated", "staff_user", user.id, actor=by_staff, at=when)
    db.session.commit()
    return True


def reactivate(user: StaffUser, by_staff: StaffUser | None, *, now: datetime | None = None) -> bool:
    """Let the login sign in again (with its password; its calendar feed has a new link) and commit.

    False when it was already active; Refused when ``by_staff`` may not run the clinic.
    """
    if by_staff is not None:
        require_run_the_clinic(by_staff)
    if user.active:
        return False
    user.active = True
    audit.record("staff_reactivated", "staff_user", user.id, actor=by_staff, at=now)
    db.session.commit()
    return True
