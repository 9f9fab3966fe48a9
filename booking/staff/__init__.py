"""The staff side: signing in (and out, second factor, password reset) and the therapists' pages, under /staff.

Wired as every blueprint package is: ``bp`` is made here, each module listed below adds its pages to it (importing
them is what mounts them), and ``booking.register_blueprints`` registers ``bp``.
"""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

# After bp, which each of them uses.
from booking.staff import auth as auth
from booking.staff import care_plans as care_plans
from booking.staff import feed as feed
from booking.staff import hours as hours
from booking.staff import questionnaires as questionnaires
from booking.staff import schedule as schedule
from booking.staff import visits as visits
