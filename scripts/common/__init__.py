"""Shared pieces of the microconv scripts: constants, CLI error handling, database helpers."""
