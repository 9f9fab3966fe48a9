"""Therapists: their profiles and logins as admins change them, their hours and time off, the training a
visit with cautions needs, and their calendar feed."""
