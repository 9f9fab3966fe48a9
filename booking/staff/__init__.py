"""The staff side: signing in (and out, second factor, password reset) and the therapists' pages, under /staff."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from booking.staff import auth as auth  # noqa: E402
from booking.staff import care_plans as care_plans  # noqa: E402
from booking.staff import feed as feed  # noqa: E402
from booking.staff import hours as hours  # noqa: E402
from booking.staff import schedule as schedule  # noqa: E402
from booking.staff import visits as visits  # noqa: E402
