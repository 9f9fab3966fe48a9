"""The steps of pages that more than one blueprint walks, with no routes of their own.

The screening's steps (the patients' own, and an admin's for a phone caller), choosing
a day and a time over a source of open times (one therapist's or the first available,
back-to-back pairs), booking a visit, and moving one (a patient by their manage link,
an admin at the front desk). Each blueprint keeps its URLs, its templates and its
readers' words, and calls these; the forms they share are in ``booking.forms``.
"""
