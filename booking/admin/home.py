"""/admin/: the signed-in person's first page, as /staff/ is (``booking.staff.auth.home``), never a 404."""

from booking.admin import bp
from booking.staff.auth import home

bp.add_url_rule("/", "home", home)
