"""Privacy rules, pure: which law a record falls under, what a person's records are, when they may be destroyed."""
