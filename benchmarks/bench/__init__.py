"""The booking benchmark's parts; ``benchmarks/booking.py`` runs them."""
