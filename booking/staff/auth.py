"""Signing in and out: password, second factor (TOTP or a recovery code), enrolment, my account, password reset;
where a signed-in person starts.

Thin views over ``booking.services.staff_accounts.accounts``, ``two_factor`` and
``password_resets``; every POST here is limited per client address
(RATELIMIT_LOGIN), on top of the per-email lock the services keep.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import navigation, policy
from booking.extensions import limiter
from booking.forms import required
from booking.models import StaffUser
from booking.security import login_limit
from booking.services.staff_accounts import accounts, password_resets, two_factor
from booking.services.staff_accounts.accounts import AccountError, Locked, WrongPassword
from booking.services.staff_accounts.sessions import mark_verified
from booking.staff import bp
from booking.staff.access import safe_next, sign_in, sign_out, staff_required
from booking.staff.forms import (
    CodeForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    ResetPasswordForm,
)

# Where to go once the sign-in is complete, kept in the (fresh) session between its steps.
NEXT_KEY = "staff_next"


def _address() -> str:
    """The client's address, for the audit log."""
    return get_remote_address() or "unknown address"


def home_for(user: StaffUser) -> str:
    """The person's first page, the first entry of their navigation: a therapist's schedule, an admin's today page."""
    return url_for(navigation.navigation_for(user)[0].endpoint)


@bp.route("/")
@staff_required(policy.may_use_staff_pages)
def home() -> Response:
    """/staff/ (and /admin/, booking.admin.home): whoever is signed in goes to their own first page, never a 404;
    signed out, to the sign-in page."""
    return redirect(home_for(current_user))


def _continue(user: StaffUser) -> Response:
    """Go on to where the sign-in was asked from, or home."""
    return redirect(session.pop(NEXT_KEY, None) or home_for(user))


def _after_password(user: StaffUser, target: str | None) -> Response:
    """The password was right: a fresh session, then the second factor, enrolment (admins) or the page."""
    has_totp = bool(user.totp_secret)
    sign_in(user, verified=not has_totp)
    if target:
        session[NEXT_KEY] = target
    if has_totp:
        return redirect(url_for("staff.second_factor"))
    accounts.signed_in(user, _address(), "password")
    if policy.must_use_second_factor(user):
        return redirect(url_for("staff.enrol_totp"))
    return _continue(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login() -> str | Response:
    """Sign in with email and password."""
    form = LoginForm(next=safe_next(request.args.get("next")))
    error = None
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(required(form.email.data), required(form.password.data), _address())
        except AccountError as exc:
            error = exc.message
        else:
            return _after_password(user, safe_next(form.next.data))
    return render_template("staff/login.html", form=form, error=error)


@bp.route("/second-factor", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@staff_required(policy.may_use_staff_pages)
def second_factor() -> str | Response:
    """The code from the authenticator app (or a recovery code), after the password."""
    user: StaffUser = current_user
    if g.staff_session.verified_at is not None:
        return _continue(user)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            how = two_factor.verify(user, required(form.code.data), _address())
        except Locked as exc:
            sign_out()
            flash(exc.message)
            return redirect(url_for("staff.login"))
        except AccountError as exc:
            form.code.errors = [*form.code.errors, exc.message]
        else:
            mark_verified(g.staff_session)
            accounts.signed_in(user, _address(), how)
            return _continue(user)
    return render_template("staff/second_factor.html", form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@staff_required(policy.may_use_staff_pages)
def enrol_totp() -> str | Response:
    """Turn on two-factor sign-in: scan the QR code (or type the key), confirm with a first code."""
    user: StaffUser = current_user
    live = g.staff_session
    if live.verified_at is None:
        return redirect(url_for("staff.second_factor"))
    if user.totp_secret:
        flash("Two-factor sign-in is already on for your account.")
        return redirect(url_for("staff.account"))
    secret = two_factor.pending_secret(live)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(user, secret, required(form.code.data), signed_in=live)
        except AccountError as exc:
            form.code.errors = [*form.code.errors, exc.message]
        else:
            return render_template("staff/recovery_codes.html", codes=codes,
                                   next_url=session.pop(NEXT_KEY, None) or home_for(user))
    return render_template("staff/enrol_totp.html", form=form, secret=secret,
                           qr_code=two_factor.qr_code(two_factor.provisioning_uri(user, secret)))


def _account_page(password_form: PasswordChangeForm | None = None,
                  remove_form: PasswordConfirmForm | None = None) -> str:
    """My account, with the forms as given (re-shown with their errors) or fresh."""
    user: StaffUser = current_user
    return render_template("staff/account.html", user=user,
                           password_form=password_form or PasswordChangeForm(formdata=None),
                           remove_form=remove_form or PasswordConfirmForm(formdata=None),
                           codes_left=two_factor.recovery_codes_left(user) if user.totp_secret else 0)


@bp.route("/account")
@staff_required(policy.may_use_staff_pages)
def account() -> str:
    """My account: change my password; turn two-factor sign-in on or off (therapists)."""
    return _account_page()


@bp.route("/account/password", methods=["POST"])
@limiter.limit(login_limit)
@staff_required(policy.may_use_staff_pages)
def change_password() -> str | Response:
    """Change my password; every other session of mine ends."""
    user: StaffUser = current_user
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(user, required(form.current_password.data), required(form.new_password.data))
        except WrongPassword as exc:
            form.current_password.errors = [*form.current_password.errors, exc.message]
        except AccountError as exc:
            form.new_password.errors = [*form.new_password.errors, exc.message]
        else:
            sign_in(user, verified=True)  # this browser goes on in a fresh session; every other one has ended
            flash("Your password was changed. You were signed out everywhere else.")
            return redirect(url_for("staff.account"))
    return _account_page(password_form=form)


@bp.route("/account/two-factor/remove", methods=["POST"])
@limiter.limit(login_limit)
@staff_required(policy.may_turn_off_second_factor)
def remove_totp() -> str | Response:
    """Turn two-factor sign-in off (therapists only; the password is asked again)."""
    user: StaffUser = current_user
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            two_factor.remove(user, required(form.password.data))
        except AccountError as exc:
            form.password.errors = [*form.password.errors, exc.message]
        else:
            flash("Two-factor sign-in is off. Your recovery codes no longer work.")
            return redirect(url_for("staff.account"))
    return _account_page(remove_form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Sign out: the session ends on the server, so a copy of the cookie opens nothing either."""
    if current_user.is_authenticated:
        accounts.signed_out(current_user)
    sign_out()
    flash("You are signed out.")
    return redirect(url_for("staff.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def forgot_password() -> str | Response:
    """Ask for a reset link; the answer is the same whether or not a login has the address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_resets.request_reset(required(form.email.data))
        flash("If a staff login has that email address, we have sent it a link to choose a new password. "
              "The link works once, for 30 minutes.")
        return redirect(url_for("staff.forgot_password"))
    return render_template("staff/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Choose a new password through the emailed link (once, within 30 minutes); every session ends."""
    try:
        password_resets.find_reset(token)
    except AccountError as exc:
        return render_template("staff/reset_refused.html", message=exc.message), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_resets.reset_password(token, required(form.new_password.data))
        except AccountError as exc:
            form.new_password.errors = [*form.new_password.errors, exc.message]
        else:
            session.clear()
            flash("Your password was changed and every session of yours was signed out. Sign in with it now.")
            return redirect(url_for("staff.login"))
    return render_template("staff/reset_password.html", form=form, token=token)
