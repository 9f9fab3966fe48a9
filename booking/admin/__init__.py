"""The admins' pages, under /admin: therapists, services, settings, appointments, inbox, notifications, audit."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from booking.admin import services as services  # noqa: E402
from booking.admin import settings as settings  # noqa: E402
from booking.admin import therapists as therapists  # noqa: E402
