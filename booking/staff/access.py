"""Who is signed in, and the guard of every staff page; who may open what is ``booking.policy``'s to say.

Flask-Login's ``current_user`` is the staff member of the request's live
server-side session (``booking.services.staff_accounts.sessions``); the cookie carries only
that session's random token. ``staff_required`` guards every staff and admin
view and names the ``booking.policy`` rule the page needs: no session sends the
visitor to sign in; a session whose second factor is still to come goes to that
step; a login that must use a second factor and has none goes to enrol it; a
person the rule refuses is answered 404, as is any ``Refused`` a page lets
through (another therapist's record, say). Templates reach the policy as
``policy`` (the staff navigation is drawn from it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Request, abort, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import HTTPException, NotFound

from booking import navigation, policy
from booking.extensions import login_manager
from booking.models import StaffUser
from booking.services.staff_accounts import sessions

SESSION_KEY = "staff_session"
# Endpoints a signed-in staff member may reach before the second factor is done.
SECOND_FACTOR_ENDPOINTS = ("staff.second_factor", "staff.enrol_totp", "staff.logout")

View = TypeVar("View", bound=Callable[..., Any])


def _load(_request: Request) -> StaffUser | None:
    """The staff member whose live session this request's cookie names."""
    live = sessions.session_for(session.get(SESSION_KEY))
    if live is None:
        return None
    g.staff_session = live
    return live.user


def register(app: Flask) -> None:
    """Let Flask-Login find the signed-in staff member from the server-side session; give templates the policy
    and the navigation, and answer whatever it refuses with 404."""
    login_manager.init_app(app)
    login_manager.request_loader(_load)
    app.jinja_env.globals["policy"] = policy
    app.jinja_env.globals["navigation"] = navigation

    @app.errorhandler(policy.Refused)
    def _refused(_error: policy.Refused) -> HTTPException | ResponseReturnValue:
        """Something the policy refuses is answered as if it did not exist."""
        return app.handle_http_exception(NotFound())


def sign_in(user: StaffUser, *, verified: bool) -> None:
    """Start a fresh session (nothing of the old cookie is kept) for the user."""
    token = sessions.start_session(user, verified=verified)
    session.clear()
    session[SESSION_KEY] = token


def sign_out() -> None:
    """End the session on the server and forget the cookie's content."""
    live = g.get("staff_session")
    if live is not None:
        sessions.end_session(live)
    session.clear()


def safe_next(target: str | None) -> str | None:
    """A place on this site to return to (after signing in, after a check-in): a path only, or None.

    Browsers read a backslash as a slash and drop tabs and line breaks, so "/\\host" or "/<tab>/host" would lead
    off the site: any of them, or any other control character or space, refuses the target.
    """
    if not target or any(character == "\\" or not character.isprintable() or character.isspace()
                         for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def staff_required(rule: policy.Rule) -> Callable[[View], View]:
    """Guard a view: signed in, second factor done (and enrolled, for whom the policy binds to it), and let in by
    the policy's ``rule`` (kept on the view as ``access_rule``, which the navigation's test compares with its own)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
            user: StaffUser = current_user
            if request.endpoint not in SECOND_FACTOR_ENDPOINTS:
                if g.staff_session.verified_at is None:
                    return redirect(url_for("staff.second_factor"))
                if policy.must_use_second_factor(user) and not user.totp_secret:
                    return redirect(url_for("staff.enrol_totp"))
            if not rule(user):
                abort(404)
            return view(*args, **kwargs)

        guarded.access_rule = rule  # type: ignore[attr-defined]
        return cast(View, guarded)

    return decorate
