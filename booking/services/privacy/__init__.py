"""A patient's information as the law asks: every record of a person (``person``), access requests and the export
(``access``, ``export``), corrections (``corrections``), retention and destruction (``destruction``), what is never
meant to be kept (``tidy``).

Import the modules directly (``from booking.services.privacy import person``); the pure rules they apply (which law
a record falls under, when it may be destroyed) are ``booking.privacy``'s.
"""
