"""Use cases that own their transaction; views and the API call these."""
