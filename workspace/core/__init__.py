"""The pure core: data types and functions with no I/O (checked by tests/test_rings.py and the
import-linter contracts in pyproject.toml)."""
