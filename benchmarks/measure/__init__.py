"""Measurements a benchmark can run, each with its result type and its section of the report."""
