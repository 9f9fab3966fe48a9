"""Combined-care plans: the queue of screenings that need one, making and changing a plan, working it
(sessions, notes, outcomes) and booking its course."""
