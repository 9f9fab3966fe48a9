"""Outcome measures as pure rules: their definitions and scoring, the change since the baseline, and the flag."""
