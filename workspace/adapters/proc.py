"""Process trees of agents: pause (SIGSTOP), resume (SIGCONT) and kill (TERM, grace, KILL).

An agent's processes are its pane process and every descendant, plus any process that carries
the agent's id in its environment (a child that daemonized and was re-parented still has it), so
a kill leaves no orphans. Linux /proc is read; elsewhere only the pane process is signalled.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

ENV_MARK = "WORKSPACE_AGENT_ID"
_PROC = Path("/proc")


def _parent_map() -> dict[int, int]:
    parents: dict[int, int] = {}
    if not _PROC.is_dir():
        return parents
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow its last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1:
            parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(root: int) -> list[int]:
    """`root` and all its descendants, parents before children."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parent_map().items():
        children.setdefault(ppid, []).append(pid)
    order, queue = [], [root]
    while queue:
        pid = queue.pop(0)
        order.append(pid)
        queue.extend(sorted(children.get(pid, [])))
    return order


def tagged(agent_id: str) -> list[int]:
    """Processes of this user whose environment names the agent."""
    needle = f"{ENV_MARK}={agent_id}".encode()
    found: list[int] = []
    if not _PROC.is_dir() or not agent_id:
        return found
    me = os.getuid()
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != me:
                continue
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def agent_processes(root: int | None, agent_id: str) -> list[int]:
    pids = descendants(root) if root else []
    for pid in tagged(agent_id):
        if pid not in pids:
            pids.append(pid)
    return [p for p in pids if p > 1 and p != os.getpid()]


def _signal(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = (_PROC / str(pid) / "stat").read_text()
        return state[state.rfind(")") + 2 :].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def pause(root: int | None, agent_id: str) -> int:
    """SIGSTOP the tree below the pane's own process (the launcher), parents first so nothing
    respawns a stopped child. The launcher itself is never stopped: tmux would answer with a
    SIGCONT to its whole process group."""
    pids = [p for p in agent_processes(root, agent_id) if p != root]
    _signal(pids, signal.SIGSTOP)
    return len(pids)


def resume(root: int | None, agent_id: str) -> int:
    """SIGCONT the tree, children first."""
    pids = [p for p in agent_processes(root, agent_id) if p != root]
    _signal(list(reversed(pids)), signal.SIGCONT)
    return len(pids)


def terminate(root: int | None, agent_id: str, grace: float = 3.0) -> list[int]:
    """TERM every process of the agent, wait up to `grace` seconds, KILL what is left.
    Returns the pids that needed KILL."""
    pids = agent_processes(root, agent_id)
    if not pids:
        return []
    _signal(pids, signal.SIGCONT)  # a paused agent cannot act on TERM
    _signal(pids, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return []
        time.sleep(0.05)
    stubborn = [p for p in pids if alive(p)]
    _signal(stubborn, signal.SIGKILL)
    return stubborn


def command_line(pid: int) -> list[str]:
    """The argv a process runs (empty when it is gone or not ours to read)."""
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return [os.fsdecode(part) for part in raw.split(b"\0") if part]


def environment_value(pid: int, name: str) -> str | None:
    try:
        raw = (_PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return None
    prefix = os.fsencode(name) + b"="
    for item in raw.split(b"\0"):
        if item.startswith(prefix):
            return os.fsdecode(item[len(prefix):])
    return None


def using(path: Path, ignore_agent: str = "") -> list[tuple[int, str]]:
    """(pid, command name) of this user's processes whose working directory is `path` or
    inside it, but for those of the agent `ignore_agent` (ended by a kill a moment ago).
    Empty where /proc is not there."""
    found: list[tuple[int, str]] = []
    if not _PROC.is_dir():
        return found
    target = os.path.realpath(path)
    me, self_pid = os.getuid(), os.getpid()
    for entry in _PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == self_pid:
            continue
        try:
            if entry.stat().st_uid != me:
                continue
            cwd = str((entry / "cwd").readlink())
        except OSError:
            continue
        if cwd != target and not cwd.startswith(target + os.sep):
            continue
        if ignore_agent and environment_value(int(entry.name), ENV_MARK) == ignore_agent:
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            name = "?"
        found.append((int(entry.name), name))
    return sorted(found)
