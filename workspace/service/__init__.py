"""The service layer: the one place that orchestrates the adapters and owns policy. The UI and
the CLI call only this."""

from __future__ import annotations

from workspace.service.workspace import Workspace

__all__ = ["Workspace"]
