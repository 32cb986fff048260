"""git: the repository, agents' worktrees and branches, diff statistics, recovery refs, and the
commits review and merge build.

Nothing here touches a worktree's index unasked: every git runs with GIT_OPTIONAL_LOCKS=0 (no
opportunistic index refresh; see runner.py), and trees of uncommitted work are built in
temporary index files (index.py). `GitRepo` (repo.py) is what the service calls.
"""

from __future__ import annotations

from workspace.adapters.git.repo import GitRepo
from workspace.adapters.git.runner import GitError
from workspace.adapters.git.uncommitted import RECOVERY_PREFIX, WorktreeSnapshot
from workspace.adapters.git.worktrees import UnsavedWork
from workspace.core.gitparse import CommitInfo, WorktreeInfo, WorktreeStatus, without_untracked

__all__ = [
    "RECOVERY_PREFIX",
    "CommitInfo",
    "GitError",
    "GitRepo",
    "UnsavedWork",
    "WorktreeInfo",
    "WorktreeSnapshot",
    "WorktreeStatus",
    "without_untracked",
]
