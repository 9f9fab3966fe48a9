"""The admins' pages, under /admin: therapists, staff logins, services, settings, appointments, inbox,
notifications, audit."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from booking.admin import appointments as appointments  # noqa: E402
from booking.admin import audit as audit  # noqa: E402
from booking.admin import care_plans as care_plans  # noqa: E402
from booking.admin import closures as closures  # noqa: E402
from booking.admin import home as home  # noqa: E402
from booking.admin import inbox as inbox  # noqa: E402
from booking.admin import notifications as notifications  # noqa: E402
from booking.admin import patients as patients  # noqa: E402
from booking.admin import phone as phone  # noqa: E402
from booking.admin import services as services  # noqa: E402
from booking.admin import settings as settings  # noqa: E402
from booking.admin import staff_logins as staff_logins  # noqa: E402
from booking.admin import therapists as therapists  # noqa: E402
from booking.admin import visits as visits  # noqa: E402
