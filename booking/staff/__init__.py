"""The staff side: signing in (and out, second factor, password reset) and the therapists' pages, under /staff."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
