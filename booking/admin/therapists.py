"""Admins' pages for therapists: the list, adding one, editing, deactivating and linking a login."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from booking import policy
from booking.admin import bp
from booking.admin.forms import ActionForm, DeactivateTherapistForm, LinkUserForm, TherapistForm
from booking.clinic.validators import normalise_email
from booking.forms import required
from booking.models import Appointment, StaffUser, Therapist
from booking.services.staff_accounts import logins as staff_logins
from booking.services.therapists import profiles as service
from booking.services.therapists.profiles import TherapistDetails, TherapyTypeLocked
from booking.staff.access import staff_required


def _details(form: TherapistForm) -> TherapistDetails:
    """What the form holds, as the service takes it (the email in its normal form)."""
    email = normalise_email(form.email.data) if form.email.data else None
    return TherapistDetails(name=required(form.name.data), therapy_type=form.therapy_type.data, email=email,
                            bio=form.bio.data or "", qualifications=frozenset(form.qualifications.data or ()))


def _therapist(therapist_id: int) -> Therapist:
    """The therapist, or 404."""
    therapist = service.find_therapist(therapist_id)
    if therapist is None:
        abort(404)
    return therapist


@bp.route("/therapists")
@staff_required(policy.may_run_the_clinic)
def therapists() -> str:
    """Every therapist, active and not, with a link to each."""
    return render_template("admin/therapists.html", therapists=service.all_therapists())


@bp.route("/therapists/new", methods=["GET", "POST"])
@staff_required(policy.may_run_the_clinic)
def new_therapist() -> str | Response:
    """Add a therapist."""
    form = TherapistForm()
    if form.validate_on_submit():
        therapist = service.create_therapist(_details(form), current_user)
        flash(f"{therapist.name} was added. Add their working hours before they can be booked.")
        return redirect(url_for(".edit_therapist", therapist_id=therapist.id), code=303)
    return render_template("admin/therapists_new.html", form=form)


def _link_form(formdata: bool = True) -> LinkUserForm:
    """The form to link a login, offering the free therapist logins."""
    form = LinkUserForm() if formdata else LinkUserForm(formdata=None)
    form.user.choices = [SelectChoice(str(user.id), user.email) for user in service.linkable_users()]
    return form


def _edit_page(therapist: Therapist, form: TherapistForm | None = None, link_form: LinkUserForm | None = None,
               locked_visits: list[Appointment] | None = None) -> str:
    """The therapist's page: the form, their status and visits to come, their login."""
    return render_template("admin/therapists_edit.html", therapist=therapist,
                           form=form or TherapistForm(formdata=None, obj=therapist),
                           visits=service.visits_to_come(therapist), locked_visits=locked_visits,
                           linked=service.linked_user(therapist), link_form=link_form or _link_form(formdata=False),
                           action_form=ActionForm(formdata=None),
                           deactivate_form=DeactivateTherapistForm(formdata=None, end_sign_in=True))


@bp.route("/therapists/<int:therapist_id>", methods=["GET", "POST"])
@staff_required(policy.may_run_the_clinic)
def edit_therapist(therapist_id: int) -> str | Response:
    """Edit a therapist's name, therapy type (not while visits are booked with them), email and bio."""
    therapist = _therapist(therapist_id)
    form = TherapistForm(obj=therapist)
    if form.validate_on_submit():
        try:
            changed = service.update_therapist(therapist, _details(form), current_user)
        except TherapyTypeLocked as locked:
            form.therapy_type.errors.append(
                f"The therapy type cannot change while {therapist.name} has booked visits to come "
                f"({len(locked.visits)}). Move or cancel them first (listed below).")
            return _edit_page(therapist, form, locked_visits=locked.visits)
        flash(f"Saved: {', '.join(changed)}." if changed else "Nothing was changed.")
        return redirect(url_for(".edit_therapist", therapist_id=therapist.id), code=303)
    return _edit_page(therapist, form)


@bp.post("/therapists/<int:therapist_id>/deactivate")
@staff_required(policy.may_run_the_clinic)
def deactivate_therapist(therapist_id: int) -> Response:
    """Stop offering the therapist for booking (their booked visits stay, listed on their page) and, when
    asked (the default), end their login's access too."""
    therapist = _therapist(therapist_id)
    form = DeactivateTherapistForm()
    if form.validate_on_submit():
        service.set_active(therapist, False, current_user)
        login = service.linked_user(therapist) if form.end_sign_in.data else None
        admin: StaffUser = current_user
        if login is not None and staff_logins.deactivate(login, admin):
            flash(f"{therapist.name} is no longer offered for booking, and {login.email} can no longer sign in.")
        else:
            flash(f"{therapist.name} is no longer offered for booking.")
    return redirect(url_for(".edit_therapist", therapist_id=therapist.id), code=303)


@bp.post("/therapists/<int:therapist_id>/reactivate")
@staff_required(policy.may_run_the_clinic)
def reactivate_therapist(therapist_id: int) -> Response:
    """Offer the therapist for booking again (a deactivated login is reactivated on the staff logins page)."""
    therapist = _therapist(therapist_id)
    if ActionForm().validate_on_submit():
        service.set_active(therapist, True, current_user)
        flash(f"{therapist.name} is offered for booking again.")
    return redirect(url_for(".edit_therapist", therapist_id=therapist.id), code=303)


@bp.post("/therapists/<int:therapist_id>/login")
@staff_required(policy.may_run_the_clinic)
def link_therapist_user(therapist_id: int) -> str | Response:
    """Link a free therapist login to the therapist."""
    therapist = _therapist(therapist_id)
    form = _link_form()
    if form.validate_on_submit():
        try:
            user = service.link_user(therapist, int(form.user.data), current_user)
        except ValueError as exc:
            form.user.errors.append(str(exc))
        else:
            flash(f"{user.email} now signs in as {therapist.name}.")
            return redirect(url_for(".edit_therapist", therapist_id=therapist.id), code=303)
    return _edit_page(therapist, link_form=form)
