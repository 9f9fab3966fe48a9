"""gunicorn settings: two workers on port 8000, and an access log of method, route, status and time.

The access line shows the path without its query string; booking.logs, installed
when each worker creates the app, turns manage tokens and screening ids in it
into placeholders (``"GET /book/manage/<token>" 200 12ms``). The remote address,
referrer and user agent are left out: they identify a person, not a request.
"""

bind = "0.0.0.0:8000"
workers = 2
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(M)sms'
