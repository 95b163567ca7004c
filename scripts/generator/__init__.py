"""Demo event generator (see scripts/generate_events.py)."""
