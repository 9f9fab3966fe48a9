"""The forms of signing in: the password, the second factor, enrolment, and password change and reset."""

from __future__ import annotations

from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from booking.clinic.limits import EMAIL_LENGTH, SIGN_IN_CODE_LENGTH
from booking.forms import ClinicForm
from booking.services.staff_accounts.passwords import MAX_LENGTH


def _new_password(label: str) -> PasswordField:
    """A field for a new password (the policy itself is checked by the service)."""
    return PasswordField(label, validators=[DataRequired("Enter a new password."),
                                            Length(max=MAX_LENGTH, message=f"Use at most {MAX_LENGTH} characters.")])


def _confirmation() -> PasswordField:
    """The new password typed again."""
    return PasswordField("New password again", validators=[
        DataRequired("Enter the new password again."),
        EqualTo("new_password", message="The two new passwords are not the same."),
    ])


class LoginForm(ClinicForm):
    """Staff sign-in: email and password."""

    email = EmailField("Email address", validators=[DataRequired("Enter your email address."),
                                                    Length(max=EMAIL_LENGTH, message="That email address is too long.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=MAX_LENGTH, message="That password is too long.")])
    next = HiddenField()


class CodeForm(ClinicForm):
    """A 6-digit code from the authenticator app (or, at sign-in, a recovery code)."""

    code = StringField("Code", validators=[DataRequired("Enter the code."),
                                           Length(max=SIGN_IN_CODE_LENGTH, message="That code is too long.")])


class PasswordChangeForm(ClinicForm):
    """Change my password: the current one, then the new one twice."""

    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password."), Length(max=MAX_LENGTH, message="That password is too long.")])
    new_password = _new_password("New password")
    confirm_password = _confirmation()


class PasswordConfirmForm(ClinicForm):
    """The current password, asked again before removing two-factor sign-in."""

    password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password."), Length(max=MAX_LENGTH, message="That password is too long.")])


class ForgotPasswordForm(ClinicForm):
    """Ask for a password reset link."""

    email = EmailField("Email address", validators=[DataRequired("Enter the email address of your staff login."),
                                                    Length(max=EMAIL_LENGTH, message="That email address is too long.")])


class ResetPasswordForm(ClinicForm):
    """Choose a new password through a reset link."""

    new_password = _new_password("New password")
    confirm_password = _confirmation()
