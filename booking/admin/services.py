"""Admins' pages for services: the list, adding one, editing, deactivating and reactivating."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import policy
from booking.admin import bp
from booking.admin.forms import ActionForm, ServiceForm, cents
from booking.forms import required
from booking.models import Service
from booking.services import catalog
from booking.services.catalog import CodeTaken, ServiceDetails, ServiceInUse
from booking.staff.access import staff_required


def _details(form: ServiceForm) -> ServiceDetails:
    """What the form holds, as the service layer takes it (the price in cents)."""
    return ServiceDetails(code=required(form.code.data), name=required(form.name.data),
                          description=form.description.data or "", therapy_type=form.therapy_type.data,
                          duration_minutes=required(form.duration_minutes.data),
                          buffer_minutes=required(form.buffer_minutes.data),
                          price_cents=cents(required(form.price.data)))


def _service(service_id: int) -> Service:
    """The service, or 404."""
    service = catalog.find_service(service_id)
    if service is None:
        abort(404)
    return service


def _code_taken(form: ServiceForm) -> None:
    """Explain on the code field that another service has it."""
    form.code.errors = [*form.code.errors,
                        f"Another service already has the code {form.code.data}. Choose a different code."]


@bp.route("/services")
@staff_required(policy.may_run_the_clinic)
def services() -> str:
    """Every service, active and not."""
    return render_template("admin/services.html", services=catalog.all_services())


@bp.route("/services/new", methods=["GET", "POST"])
@staff_required(policy.may_run_the_clinic)
def new_service() -> str | Response:
    """Add a service."""
    form = ServiceForm()
    if form.validate_on_submit():
        try:
            service = catalog.create_service(_details(form), current_user)
        except CodeTaken:
            _code_taken(form)
        else:
            flash(f"{service.name} was added and can be booked.")
            return redirect(url_for(".services"), code=303)
    return render_template("admin/services_form.html", form=form, service=None)


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@staff_required(policy.may_run_the_clinic)
def edit_service(service_id: int) -> str | Response:
    """Edit a service."""
    service = _service(service_id)
    form = ServiceForm(data={"price": f"{service.price_cents / 100:.2f}"}, obj=service)
    if form.validate_on_submit():
        try:
            changed = catalog.update_service(service, _details(form), current_user)
        except CodeTaken:
            _code_taken(form)
        except ServiceInUse as in_use:
            form.therapy_type.errors.append(
                f"The therapy type cannot change while visits of {service.name} are booked ({in_use.count}). "
                "Add a new service instead, or move or cancel those visits first.")
        else:
            flash(f"Saved: {', '.join(changed)}." if changed else "Nothing was changed.")
            return redirect(url_for(".edit_service", service_id=service.id), code=303)
    return render_template("admin/services_form.html", form=form, service=service,
                           action_form=ActionForm(formdata=None))


@bp.post("/services/<int:service_id>/deactivate")
@staff_required(policy.may_run_the_clinic)
def deactivate_service(service_id: int) -> Response:
    """Stop offering the service for booking; visits booked with it stay."""
    service = _service(service_id)
    if ActionForm().validate_on_submit():
        catalog.set_service_active(service, False, current_user)
        flash(f"{service.name} is no longer offered for booking. Visits already booked stay.")
    return redirect(url_for(".edit_service", service_id=service.id), code=303)


@bp.post("/services/<int:service_id>/reactivate")
@staff_required(policy.may_run_the_clinic)
def reactivate_service(service_id: int) -> Response:
    """Offer the service for booking again."""
    service = _service(service_id)
    if ActionForm().validate_on_submit():
        catalog.set_service_active(service, True, current_user)
        flash(f"{service.name} is offered for booking again.")
    return redirect(url_for(".edit_service", service_id=service.id), code=303)
