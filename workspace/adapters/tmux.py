"""The workspace's private tmux server (`-L workspace-<hash>`), never the person's own.

Budget (docs/benchmarks.md): a poll tick costs at most two tmux client processes whatever the
number of agents: one `list-panes -a -F` for every pane, and one chained `capture-pane`
invocation for the panes whose content changed. Commands are argv lists; text reaches panes
through buffers.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters.files import read_json, write_json
from workspace.adapters.tmux_process import TmuxError as TmuxError
from workspace.adapters.tmux_process import TmuxResult, run_tmux
from workspace.adapters.tmux_process import find_tmux as find_tmux
from workspace.core.text import first_control

_SEP = "\x1f"
_MARK = "@@workspace-capture@@"

_PANE_FIELDS = (
    "session_name",
    "pane_id",
    "pane_pid",
    "pane_dead",
    "pane_dead_status",
    "pane_current_command",
    "window_activity",
    "history_size",
    "cursor_x",
    "cursor_y",
    "window_bell_flag",
    "pane_in_mode",
)


@dataclass(frozen=True)
class PaneInfo:
    session: str
    pane_id: str
    pid: int
    dead: bool
    dead_status: int | None
    command: str
    activity: int
    history: int
    cursor: tuple[int, int]
    bell: bool

    @property
    def change_hint(self) -> tuple[int, int, int, int]:
        """Cheap fingerprint: if it is unchanged the screen very probably is too."""
        return (self.activity, self.history, self.cursor[0], self.cursor[1])


@dataclass(frozen=True)
class PaneScreen:
    """One captured screen and where its cursor was."""

    text: str
    cursor: tuple[int, int]
    """(column, line of `text`). Wrapped rows are joined into one line, so the line can be
    above the cursor's row on the pane; it can be past the end of `text`, which has no blank
    bottom rows."""


def socket_name_for(repo_top: Path) -> str:
    digest = hashlib.sha256(str(repo_top.resolve()).encode()).hexdigest()[:10]
    return f"workspace-{digest}"


SERVER_RECORD = "server.json"
"""In the state dir: the private server's socket name and the repository it was named for."""


def recorded_socket(state: Path) -> tuple[str, str] | None:
    """(socket name, repository path) as recorded in the state, if they are."""
    record = read_json(state / SERVER_RECORD) or {}
    name, top = record.get("socket"), record.get("top")
    if isinstance(name, str) and _SOCKET.fullmatch(name) and isinstance(top, str):
        return name, top
    return None


def workspace_socket(state: Path, repo_top: Path) -> str:
    """The private server's name. It belongs to the workspace, not to the path it happens to
    be at: made from the path at the first open and kept in the state, so after `mv repo
    repo2` the agents still running on the server are found again. A copy of the
    repository (its state copied along, the original still in place) gets a name of its own
    instead of sharing the original's server."""
    here = str(repo_top.resolve())
    recorded = recorded_socket(state)
    if recorded is not None:
        name, top = recorded
        if top == here:
            return name
        if not _is_other_checkout_of(Path(top), name):
            _record(state, name, here)  # moved: the name follows the workspace
            return name
    name = socket_name_for(repo_top)
    _record(state, name, here)
    return name


def _is_other_checkout_of(top: Path, name: str) -> bool:
    """A repository still at `top` whose state names the same server: the original of a
    copy."""
    recorded = recorded_socket(top / ".git" / "workspace")
    return recorded is not None and recorded[0] == name


def _record(state: Path, name: str, top: str) -> None:
    try:
        write_json(state / SERVER_RECORD, {"socket": name, "top": top})
    except OSError:
        pass  # a read-only state is refused by the store, in one line naming the file


_SOCKET = re.compile(r"workspace-[0-9a-f]{6,64}")


def tmux_config(detach_key: str, history_limit: int) -> str:
    """Our server's own config: the person's ~/.tmux.conf is never read or changed."""
    terminal = "tmux-256color" if _has_terminfo("tmux-256color") else "screen-256color"
    return "\n".join(
        [
            "# Written by workspace for its private tmux server. Regenerated at each start.",
            "set -g remain-on-exit on",
            f"set -g history-limit {history_limit}",
            "set -g escape-time 10",
            "set -g focus-events on",
            f'set -g default-terminal "{terminal}"',
            "set -g window-size latest",
            "set -g mouse on",
            "set -g monitor-bell on",
            "set -g bell-action any",
            "set -g allow-rename off",
            "set -g status-style 'bg=#1f2430,fg=#c8ccd4'",
            "set -g status-left-length 60",
            "set -g status-right-length 80",
            "set -g status-left ' workspace | #[bold]#S#[nobold] '",
            f"set -g status-right ' #[bold]{_display_key(detach_key)}#[nobold] back to workspace '",
            "set -g window-status-format ''",
            "set -g window-status-current-format ''",
            f"bind -n {detach_key} detach-client",
            "",
        ]
    )


def _display_key(key: str) -> str:
    if key.startswith("C-"):
        return "Ctrl-" + key[2:]
    if key.startswith("M-"):
        return "Alt-" + key[2:]
    return key


def _has_terminfo(name: str) -> bool:
    dirs = ["/usr/share/terminfo", "/lib/terminfo", "/etc/terminfo", str(Path.home() / ".terminfo")]
    return any((Path(d) / name[0] / name).exists() for d in dirs)


class Tmux:
    """One private tmux server. Every method is one tmux client process unless it says so."""

    def __init__(self, socket_name: str, config_file: Path, tmux_bin: str) -> None:
        self.socket_name = socket_name
        self.config_file = config_file
        self.tmux_bin = tmux_bin
        self.calls = 0
        """tmux client processes started by this object (the benchmark reads it)."""

    def _run(self, *args: str) -> TmuxResult:
        self.calls += 1
        return run_tmux([self.tmux_bin, f"-f{self.config_file}", f"-L{self.socket_name}",
                         *args])

    def run(self, *args: str) -> list[str]:
        result = self._run(*args)
        if result.returncode != 0:
            message = " ".join(result.stderr) or f"tmux {args[0]} failed"
            raise TmuxError(message)
        return list(result.stdout)

    def base_argv(self) -> list[str]:
        return [self.tmux_bin, "-L", self.socket_name, "-f", str(self.config_file)]

    def server_running(self) -> bool:
        result = self._run("list-sessions", "-F", "#{session_name}")
        return result.returncode == 0

    # -- polling ------------------------------------------------------------------------

    def list_panes(self) -> list[PaneInfo] | None:
        """Every pane of the server in one process. None when no server runs."""
        fmt = _SEP.join("#{" + f + "}" for f in _PANE_FIELDS)
        result = self._run("list-panes", "-a", "-F", fmt)
        if result.returncode != 0:
            text = " ".join(result.stderr)
            # "no current target": its last session just ended, and the server exits next.
            gone = ("no server running", "error connecting", "No such file", "server exited",
                    "no current target")
            if any(g in text for g in gone):
                return None
            raise TmuxError(text or "tmux list-panes failed")
        panes: list[PaneInfo] = []
        for line in result.stdout:
            parts = line.split(_SEP)
            if len(parts) != len(_PANE_FIELDS):
                continue
            (session, pane_id, pid, dead, dead_status, command, activity, history,
             cx, cy, bell, _mode) = parts
            panes.append(
                PaneInfo(
                    session=session,
                    pane_id=pane_id,
                    pid=_int(pid),
                    dead=dead == "1",
                    dead_status=int(dead_status) if dead_status.lstrip("-").isdigit() else None,
                    command=command,
                    activity=_int(activity),
                    history=_int(history),
                    cursor=(_int(cx), _int(cy)),
                    bell=bell == "1",
                )
            )
        return panes

    def capture(self, pane_ids: list[str], colors: bool = True) -> dict[str, str]:
        """The visible screens of several panes in one chained tmux process."""
        return {pane: seen.text for pane, seen in self.capture_screens(pane_ids, colors).items()}

    def capture_screens(self, pane_ids: list[str], colors: bool = True) -> dict[str, PaneScreen]:
        """The visible screens of several panes, and where each cursor is, in one chained
        tmux process (the marker line before each screen carries the cursor and the height,
        read at the same instant as the screen)."""
        if not pane_ids:
            return {}
        args: list[str] = []
        for pane_id in pane_ids:
            if args:
                args.append(";")
            args += ["display-message", "-p", "-t", pane_id,
                     f"{_MARK}#{{pane_id}} #{{cursor_x}} #{{cursor_y}} #{{pane_height}}", ";"]
            args += ["capture-pane", "-p", "-J", "-t", pane_id]
            if colors:
                args.append("-e")
        # A last marker keeps the last screen's blank bottom rows (trailing empty output
        # lines are dropped), so its cursor's line is counted like the others'.
        args += [";", "display-message", "-p", "-t", pane_ids[-1], f"{_MARK}end"]
        result = self._run(*args)
        heads: dict[str, list[str]] = {}
        screens: dict[str, list[str]] = {}
        current: list[str] | None = None
        for line in result.stdout:
            if line == f"{_MARK}end":
                current = None
            elif line.startswith(_MARK):
                head = line[len(_MARK) :].split(" ")
                heads[head[0]] = head[1:]
                current = screens.setdefault(head[0], [])
            elif current is not None:
                current.append(line)
        return {pane_id: _screen(lines, heads[pane_id]) for pane_id, lines in screens.items()}

    def capture_history(self, pane_id: str, lines: int, colors: bool = True) -> str:
        """The last `lines` lines of a pane's scrollback followed by its visible screen, in
        one process: what a person scrolling back sees."""
        args = ["capture-pane", "-p", "-J", "-S", f"-{max(lines, 0)}", "-t", pane_id]
        result = self._run(*args, *(["-e"] if colors else []))
        if result.returncode != 0:
            raise TmuxError(" ".join(result.stderr) or "tmux capture-pane failed")
        return "\n".join(result.stdout)

    # -- sessions -----------------------------------------------------------------------

    def new_session(
        self, name: str, cwd: str, argv: list[str], env: dict[str, str], size: tuple[int, int]
    ) -> str:
        """Start `argv` directly (never through a shell) in a new session; returns the pane id."""
        if len(argv) < 2:
            raise ValueError("argv must have at least two items so tmux execs it without a shell")
        args = ["new-session", "-d", "-P", "-F", "#{pane_id}", "-s", name, "-c", cwd]
        args += ["-x", str(size[0]), "-y", str(size[1])]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        args += ["--", *argv]
        out = self.run(*args)
        return out[0].strip() if out else ""

    def has_session(self, name: str) -> bool:
        return self._run("has-session", "-t", f"={name}").returncode == 0

    def session_value(self, name: str, variable: str) -> str | None:
        """A variable of the session's own environment (set with `new-session -e`): how a
        session that lost its row is told to be an agent's, and whose."""
        result = self._run("show-environment", "-t", f"={name}", variable)
        if result.returncode != 0 or not result.stdout:
            return None
        line = result.stdout[0]
        return line.split("=", 1)[1] if line.startswith(variable + "=") else None

    def session_paths(self) -> dict[str, str]:
        """Session name -> the folder it was started in, for every session (one process)."""
        result = self._run("list-sessions", "-F", f"#{{session_name}}{_SEP}#{{session_path}}")
        if result.returncode != 0:
            return {}
        return dict(line.split(_SEP, 1) for line in result.stdout if _SEP in line)

    def kill_session(self, name: str) -> None:
        result = self._run("kill-session", "-t", f"={name}")
        gone = ("can't find", "no server", "error connecting", "server exited")
        if result.returncode != 0 and not any(g in e for e in result.stderr for g in gone):
            raise TmuxError(" ".join(result.stderr))

    def respawn(self, pane_id: str, cwd: str, argv: list[str], env: dict[str, str]) -> None:
        """Relaunch a dead pane in place (restart keeps the session and its history)."""
        args = ["respawn-pane", "-k", "-t", pane_id, "-c", cwd]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        self.run(*args, "--", *argv)

    # -- input --------------------------------------------------------------------------

    def paste(self, pane_id: str, text: str, buffer: str) -> None:
        """Paste `text` exactly (bracketed paste when the app asks for it). Large texts go
        through a private file, never through the command line. Text holding a control
        character (an end-of-paste marker above all) is refused: the service cleans every
        message first (core/text.py), this is the last line of defence."""
        _refuse_controls(text)
        fd, tmp = tempfile.mkstemp(prefix="workspace-paste-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            self.run(
                "load-buffer", "-b", buffer, tmp, ";",
                "paste-buffer", "-p", "-d", "-b", buffer, "-t", pane_id,
            )
        finally:
            Path(tmp).unlink(missing_ok=True)

    def send_keys(self, pane_id: str, *keys: str) -> None:
        """Send key names (Enter, Escape, C-c, ...)."""
        self.run("send-keys", "-t", pane_id, *keys)

    def send_literal(self, pane_id: str, text: str) -> None:
        """Send characters as typed (no key-name lookup); control characters are refused."""
        _refuse_controls(text)
        self.run("send-keys", "-t", pane_id, "-l", "--", text)

    def attach_argv(self, session: str) -> list[str]:
        return [*self.base_argv(), "attach-session", "-t", f"={session}"]

    def kill_server(self) -> None:
        self._run("kill-server")


def _refuse_controls(text: str) -> None:
    at = first_control(text)
    if at >= 0:
        raise ValueError(f"refusing to type {text[at]!r} (offset {at}) into a pane: "
                         "clean text with workspace.core.text.clean_message first")


def _screen(lines: list[str], head: list[str]) -> PaneScreen:
    x, y, height = (_int(v) for v in [*head, "0", "0", "0"][:3])
    # Rows joined into one line (-J) are mostly above the cursor: count its line from the end.
    line = min(max(y - max(height - len(lines), 0), 0), max(len(lines) - 1, 0))
    while lines and not lines[-1]:
        lines.pop()  # blank bottom rows say nothing; the cursor says where input goes
    return PaneScreen("\n".join(lines), (x, line))


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0
