"""workspace: a terminal workspace manager for fleets of coding agents."""
from __future__ import annotations

__version__ = "0.1.0"
