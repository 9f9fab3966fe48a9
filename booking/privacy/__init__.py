"""Privacy and records, the pure rules: which law a record falls under, every record of a person, and how long
they are kept. No Flask and no database here; the services in ``booking.services.privacy`` apply them."""
