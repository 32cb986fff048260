"""`Workspace`: every action on a workspace, assembled from one module per role."""

from __future__ import annotations

from workspace.service.interactive import InteractiveMixin
from workspace.service.merge import MergeMixin


class Workspace(MergeMixin, InteractiveMixin):
    """Open with `Workspace.open(cwd)`. Methods raise UsageError for mistakes a person can fix."""
