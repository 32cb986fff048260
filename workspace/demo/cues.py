"""The demo agent's cues: bracketed words in a task that steer the simulator, for demos and
tests. They mean nothing to a reader, so the demo's integration (adapters/agents/demo.py, which
repeats this list: adapters may not import the simulator) drops them from a demo agent's task
before it becomes a commit message or a pull request.

Standard library only: the demo agent runs as its own process.
"""

from __future__ import annotations

import re

ASK = "[ask]"
"""Always ask permission before writing."""
NOASK = "[noask]"
"""Never ask, in this turn and the rest of the session."""
SLOW = "[slow]"
"""Think for a long time."""
QUIET = "[quiet]"
"""Work with no output at all."""
EXIT = "[exit]"
"""End with status 0."""
CRASH = "[crash]"
"""End with status 3."""

PICKY = "[picky]"
"""A demo judge rejects the first attempt at this task, with a reason."""

CUES = (ASK, NOASK, SLOW, QUIET, EXIT, CRASH, PICKY)

_CUE = re.compile("|".join(re.escape(cue) for cue in CUES))


def strip_cues(text: str) -> str:
    """The text without the cues (what is around them, spaces too, stays as it was)."""
    return _CUE.sub("", text)
