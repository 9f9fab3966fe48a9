"""The admins' waitlist pages: who is waiting (by service, therapist, in priority or waiting order), every time freed
over the last 30 days and what became of it, with the figure the clinic watches.

Thin views over ``booking.services.waitlist.overview``; patients by name, never their screening.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from booking import policy
from booking.admin import bp
from booking.forms import QueryForm
from booking.services.catalog import all_services
from booking.services.therapists.profiles import all_therapists
from booking.services.waitlist import overview
from booking.services.waitlist.overview import PRIORITY, WAITING_LONGEST, EntryFilter
from booking.staff.access import staff_required

ANY = ""
ORDERS = [SelectChoice(PRIORITY, "Priority: care plans' sessions first, then the longest waiting"),
          SelectChoice(WAITING_LONGEST, "Waiting time: the longest waiting first")]


class WaitlistFilterForm(QueryForm):
    """The list's filters, sent with GET; every value is checked and explained."""

    service = SelectField("Service", default=ANY,
                          invalid_choice_message="Choose one of the services listed, or any service.")
    therapist = SelectField("Therapist", default=ANY,
                            invalid_choice_message="Choose one of the therapists listed, or any therapist.")
    order = SelectField("Order", default=PRIORITY, choices=ORDERS,
                        invalid_choice_message="Choose the priority order or the waiting time.")

    def fill_choices(self) -> None:
        """The services and therapists to choose from."""
        self.service.choices = [SelectChoice(ANY, "Any service"),
                                *(SelectChoice(str(service.id), service.name) for service in all_services())]
        self.therapist.choices = [SelectChoice(ANY, "Any therapist"),
                                  *(SelectChoice(str(therapist.id), therapist.name) for therapist in all_therapists())]

    def chosen(self) -> EntryFilter:
        """The filter the (valid) form describes."""
        return EntryFilter(service_id=int(self.service.data) if self.service.data else None,
                           therapist_id=int(self.therapist.data) if self.therapist.data else None,
                           order=self.order.data or PRIORITY)


@bp.route("/waitlist")
@staff_required(policy.may_see_patients)
def waitlist() -> str:
    """The entries waiting, narrowed by the filters; a bad filter is explained, nothing is listed."""
    form = WaitlistFilterForm(formdata=request.args)
    form.fill_choices()
    rows = overview.waiting(current_user, form.chosen()) if form.validate() else None
    return render_template("admin/waitlist.html", form=form, rows=rows, rate=overview.fill_rate())


@bp.route("/waitlist/openings")
@staff_required(policy.may_see_patients)
def waitlist_openings() -> str:
    """Every time freed over the last 30 days, newest first, with its offers and its outcome, and the figure."""
    return render_template("admin/waitlist_openings.html", stories=overview.openings(current_user),
                           rate=overview.fill_rate(), days=overview.HISTORY_DAYS)
