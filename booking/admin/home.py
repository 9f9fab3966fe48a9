"""/admin/: the signed-in person's first page, the same view as /staff/ (``booking.staff.home``)."""

from booking.admin import bp
from booking.staff.home import home

bp.add_url_rule("/", endpoint="home", view_func=home)
