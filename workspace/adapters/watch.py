"""Watch agents' worktrees (and their branch refs) for changes, with watchfiles (inotify).

Diff stats are recomputed from these events, debounced, never on a timer for every agent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

_IGNORED = frozenset(DefaultFilter.ignore_dirs) | {".git"}


class _Filter(DefaultFilter):
    """Ignore build and VCS noise inside worktrees, but keep the branch-ref files we watch
    inside the git dir on purpose."""

    def __init__(self, ref_roots: list[str]) -> None:
        super().__init__()
        self.ref_roots = ref_roots

    def __call__(self, change: Change, path: str) -> bool:
        if any(path.startswith(root) for root in self.ref_roots):
            return not path.endswith(".lock")
        return super().__call__(change, path)


def watch_worktrees(
    worktrees: dict[str, Path],
    refs: dict[str, Path],
    stop: threading.Event,
    debounce_ms: int = 800,
) -> Iterator[set[str]]:
    """Yield, for each burst of changes, the keys (agent ids) whose worktree or branch ref
    changed. `refs` maps agent ids to their loose ref file (refs/heads/<branch>)."""
    roots = {key: str(path) + "/" for key, path in worktrees.items() if path.is_dir()}
    ref_files = {str(path): key for key, path in refs.items()}
    ref_dirs = sorted({str(path.parent) for path in refs.values() if path.parent.is_dir()})
    targets = [*roots.values(), *ref_dirs]
    if not targets:
        stop.wait()
        return
    flt = _Filter([d + "/" for d in ref_dirs])
    for changes in watch(*targets, watch_filter=flt, stop_event=stop, debounce=debounce_ms,
                         raise_interrupt=False, rust_timeout=500, yield_on_timeout=False):
        hit: set[str] = set()
        for _, path in changes:
            key = ref_files.get(path)
            if key is not None:
                hit.add(key)
                continue
            for agent, root in roots.items():
                if path.startswith(root):
                    hit.add(agent)
                    break
        if hit:
            yield hit
