"""Launcher: tmux runs `python -I -S launch.py SPEC` as the pane's command. It reads the launch
spec (argv, env, cwd) from a JSON file, starts the agent as its child, waits, and exits with the
agent's exit status (or dies of the agent's signal), so tmux reports the agent's own ending.

Why a file: tmux refuses commands longer than its message limit (about 16 KB); a first prompt
may be 100 KB. Why a parent that stays: tmux sends SIGCONT to a pane's own process as soon as
it stops, which would undo a pause; the agent, one level down, can be stopped (the launcher is
never stopped itself). No shell is involved at any point. Standard library only.
"""

from __future__ import annotations

import json
import os
import signal
import sys

_FROM_TMUX = ("TMUX", "TMUX_PANE", "TERM")
"""Set by tmux for this pane: they win over the spawner's environment."""
_FORWARDED = (signal.SIGTERM, signal.SIGHUP)
"""A hang-up reaches the session leader (this launcher) only; a TERM may be aimed at it alone."""
_FROM_TERMINAL = (signal.SIGINT, signal.SIGQUIT)
"""The terminal sends these to the whole foreground group: the agent has them already."""


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    os.remove(argv[1])  # it may hold secrets from the spawner's environment
    env = dict(spec.get("env", {}))
    env.update({k: v for k, v in os.environ.items() if k in _FROM_TMUX})
    for key in ("COLUMNS", "LINES"):  # the pane's terminal says the size
        env.pop(key, None)
    os.chdir(spec["cwd"])
    args = spec["argv"]
    child = os.fork()
    if child == 0:
        try:
            os.execvpe(args[0], args, env)
        except FileNotFoundError:
            hint = spec.get("install_hint", "")
            sys.stderr.write(f"workspace: cannot start {args[0]!r}: not found on PATH. {hint}\n")
            os._exit(127)
        except PermissionError:
            sys.stderr.write(f"workspace: cannot start {args[0]!r}: permission denied\n")
            os._exit(126)
        os._exit(126)

    def forward(signum: int, _frame: object) -> None:
        try:
            os.kill(child, signum)
        except ProcessLookupError:
            pass

    for sig in _FORWARDED:
        signal.signal(sig, forward)
    for sig in _FROM_TERMINAL:
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0
    code = os.waitstatus_to_exitcode(status)
    _record_exit(spec.get("exit_file"), code)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
        return 128 + number
    return code


def _record_exit(path: object, code: int) -> None:
    """The agent's exit code (-N: signal N) in the state dir: tmux sometimes marks the pane
    dead without reporting a status, and 'exited' must not then read as 'crashed'."""
    if not isinstance(path, str):
        return
    try:
        _write(path, code)
    except FileNotFoundError:
        # The repository moved while the agent ran: its state is found again from the
        # worktree, as the hook sink finds it (loaded only here: the launcher starts lean).
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        try:
            from hook_sink import moved_path  # type: ignore[import-not-found,unused-ignore]

            found = moved_path(path)
            if found is not None:
                _write(found, code)
        except (ImportError, OSError):
            pass
    except OSError:
        pass


def _write(path: str, code: int) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as handle:
        handle.write(str(code))
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
