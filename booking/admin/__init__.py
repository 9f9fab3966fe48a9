"""The admins' pages, under /admin: therapists, services, settings, appointments, inbox, notifications, audit."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
