"""The clinic: its settings, zone and clock, how its times are written, its text limits and the checks of what
people type. The lowest floor: every other part may use it (see tests/test_layers.py)."""
