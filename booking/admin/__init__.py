"""The admins' pages, under /admin: today (their home), therapists, staff logins, services, settings, appointments,
inbox, notifications, audit, the outcomes export, the waitlist.

Wired as every blueprint package is: ``bp`` is made here, each module listed below adds its pages to it (importing
them is what mounts them), and ``booking.register_blueprints`` registers ``bp``.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# After bp, which each of them uses.
from booking.admin import access_requests as access_requests
from booking.admin import appointments as appointments
from booking.admin import audit as audit
from booking.admin import calendar as calendar
from booking.admin import care_plans as care_plans
from booking.admin import closures as closures
from booking.admin import corrections as corrections
from booking.admin import home as home
from booking.admin import inbox as inbox
from booking.admin import notifications as notifications
from booking.admin import outcomes as outcomes
from booking.admin import patient_messages as patient_messages
from booking.admin import patients as patients
from booking.admin import phone as phone
from booking.admin import retention as retention
from booking.admin import services as services
from booking.admin import settings as settings
from booking.admin import staff_logins as staff_logins
from booking.admin import therapists as therapists
from booking.admin import today as today
from booking.admin import visits as visits
from booking.admin import waitlist as waitlist
from booking.admin import waitlist_calls as waitlist_calls
