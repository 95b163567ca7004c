"""Dagster code location of microconv: load new event files, build the dbt project, run the checks.

Declared in pyproject.toml ([tool.dagster]); the definitions are in `microconv_dagster.definitions`.
"""
