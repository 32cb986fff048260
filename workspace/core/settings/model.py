"""The settings model: every key a config file can set, declared once. Pure data.

Each field's annotation is `Annotated[type, Spec(...)]` (see declare.py): its type, default,
allowed values and meaning in one place. The loader (`workspace.adapters.config`) validates
against these declarations; config.example.toml and docs/config.md are generated from them
(`scripts/gen-config-example`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, get_args

from workspace.core.settings.declare import Spec

MergeStrategy = Literal["squash", "merge", "rebase"]
Cleanup = Literal["ask", "always", "never"]
Loop = Literal["continue", "fresh"]
MergeWhen = Literal["review", "auto"]
PresetKind = Literal["claude", "codex", "gemini", "aider", "opencode", "shell", "demo", "generic"]
TerminalNotify = Literal["off", "osc9", "osc777"]

MERGE_STRATEGIES: tuple[str, ...] = get_args(MergeStrategy)
CLEANUP_CHOICES: tuple[str, ...] = get_args(Cleanup)
PRESET_KINDS: tuple[str, ...] = get_args(PresetKind)

_DAY = 86400.0


@dataclass(frozen=True)
class PresetSpec:
    """How to run one agent CLI. Built-ins come from the adapters; config may override any
    field or add presets of kind `generic` (any command)."""

    name: str
    kind: Annotated[PresetKind, Spec(
        "How workspace reads the agent's status and usage; a new preset is \"generic\".")]
    command: Annotated[str, Spec(
        "The program (resolved on PATH like your shell does).", nonempty=True, sensitive=True)]
    args: Annotated[tuple[str, ...], Spec("Extra arguments, a list.", sensitive=True)] = ()
    env: Annotated[tuple[tuple[str, str], ...], Spec(
        "Extra environment variables, a table: { CLAUDE_CONFIG_DIR = \"~/.claude-work\" }.\n"
        "A later file's env replaces an earlier file's.",
        names=r"[A-Za-z_][A-Za-z0-9_]*", names_are="a valid environment variable name",
        sensitive=True)] = ()
    prompt_args: Annotated[tuple[str, ...] | None, Spec(
        "How the first prompt goes on the command line (\"{prompt}\" is replaced);\n"
        "leave it out to have the prompt typed in once the agent is ready.",
        sensitive=True)] = None
    rules: Annotated[str, Spec(
        "Pane-text rules: a built-in rules name or a path to a .toml rules file.",
        sensitive=True)] = ""
    unattended_args: Annotated[tuple[str, ...], Spec(
        "Arguments that let the CLI work without asking permission (its own flags, e.g.\n"
        "[\"--permission-mode\", \"acceptEdits\"]); used only for tasks filed with"
        " --unattended.", sensitive=True)] = ()
    max_agents: Annotated[int, Spec(
        "At most this many of the autopilot's agents run this preset at once; 0 = no cap of"
        " its own.", least=0, most=1000)] = 0
    install_hint: str = ""

    @property
    def env_dict(self) -> dict[str, str]:
        return dict(self.env)


@dataclass(frozen=True)
class WorkspaceSettings:
    default_preset: Annotated[str, Spec(
        "The preset `n` and `workspace spawn` use when none is given.")] = "claude"
    branch_prefix: Annotated[str, Spec(
        "Agents' branches are <branch_prefix>/<agent name>.",
        pattern=r"[A-Za-z0-9][A-Za-z0-9._/-]*",
        shape="be a valid branch prefix like 'ws'")] = "ws"
    worktree_root: Annotated[str, Spec(
        "Where worktrees go; relative paths are from the main checkout; {repo} is its folder"
        " name.\nThe default puts them beside the repository, not inside it.",
        nonempty=True, sensitive=True)] = "../{repo}-worktrees"
    poll_interval: Annotated[float, Spec(
        "Seconds between looks at tmux, hook events and transcripts"
        " (one tick costs 2 tmux processes).", above=0, most=60)] = 1.0
    stuck_after: Annotated[float, Spec(
        "Seconds with no output, tool call or transcript growth while working before `stuck`.",
        above=0, most=_DAY)] = 300.0
    quiet_after: Annotated[float, Spec(
        "Seconds a silent hook may disagree with what the screen shows before the screen wins"
        "\n(an interrupted turn sends no Stop hook).", above=0, most=_DAY)] = 8.0
    theme: Annotated[str, Spec(
        "A theme name: workspace-dark, workspace-light, Textual's own (e.g. \"nord\"), or one"
        " of yours\nin ~/.config/workspace/themes/<name>.toml"
        " (same keys as the built-in theme files).", nonempty=True)] = "workspace-dark"
    detach_key: Annotated[str, Spec(
        "The tmux key that brings you back from an agent's pane (and ends inline typing).\n"
        "Ctrl-] works in VS Code's terminal and when the TUI itself runs inside tmux.",
        pattern=r"[A-Za-z0-9\]\[\\^_-]+", shape="be a tmux key name like 'C-]'")] = "C-]"
    bell: Annotated[bool, Spec(
        "Ring the terminal bell when an agent starts needing you.")] = True
    notify: Annotated[bool, Spec(
        "Show a toast when an agent starts needing you.")] = True
    budget_usd: Annotated[float, Spec(
        "Default budget per agent in USD; the agent is paused when its cost reaches it."
        " 0 = none.", least=0)] = 0.0
    window_size: Annotated[str, Spec(
        "Size of agents' tmux windows (columns x rows) until you attach and resize.",
        pattern=r"\d{2,4}x\d{2,4}", shape="look like '200x50'")] = "200x50"
    history_limit: Annotated[int, Spec(
        "Lines of scrollback kept per agent pane.", least=100, most=1_000_000)] = 10000
    diff_max_age: Annotated[float, Spec(
        "Seconds `workspace ls` may show an agent's diff computed earlier when only its screen"
        "\nmoved since (its HEAD, index, top folder and base did not); `ls --json` says each"
        "\ndiff's age (diff_age_s) and `ls --fresh` computes every one. 0 = computed again"
        " whenever\nthe screen moved.", least=0, most=3600)] = 5.0


@dataclass(frozen=True)
class MergeSettings:
    strategy: Annotated[MergeStrategy, Spec(
        "squash (one commit on base), merge (a merge commit)"
        " or rebase (rebase, then fast-forward).")] = "squash"
    gate: Annotated[tuple[str, ...], Spec(
        "A command run in the agent's worktree before merging; a failure blocks the merge.\n"
        "An argv list, never a shell string, e.g. [\"python\", \"-m\", \"pytest\", \"-q\"].",
        sensitive=True)] = ()
    gate_timeout: Annotated[float, Spec(
        "Seconds the gate may run; then its whole process group is ended and the merge"
        " refused.", above=0, most=_DAY)] = 600.0
    cleanup: Annotated[Cleanup, Spec(
        "After a merge: \"ask\" offers to end the agent and remove its worktree and branch,\n"
        "\"always\" does it, \"never\" keeps them.")] = "ask"
    batch: Annotated[int, Spec(
        "The autopilot's merge queue lands up to this many tasks at once: their merges"
        " stacked\non a temporary ref, the gate run once on the tip (in a temporary"
        " worktree, prepared as\nan agent's is: [worktree]), bisected when it fails. 1 ="
        " each task merged alone, the gate\nin its worktree.", least=1, most=64)] = 1


@dataclass(frozen=True)
class TasksSettings:
    max_agents: Annotated[int, Spec(
        "At most this many agents work on tasks at once (the autopilot's cap).",
        least=1, most=1000)] = 5
    attempts: Annotated[int, Spec(
        "Attempts a task gets by default before it fails (task add --attempts).",
        least=1, most=100)] = 3
    loop: Annotated[Loop, Spec(
        "After a failed check: \"continue\" tells the same session what failed; \"fresh\""
        " starts\nthe agent again with fresh context (a Ralph loop). Per task: --loop.")] = (
        "continue")
    merge: Annotated[MergeWhen, Spec(
        "After the check passes: \"review\" waits for you, \"auto\" merges through the"
        " merge queue.\nPer task: --merge.")] = "review"
    check_timeout: Annotated[float, Spec(
        "Seconds a task's check may run; then its process group is ended and the attempt"
        " fails.", above=0, most=_DAY)] = 600.0
    crash_restarts: Annotated[int, Spec(
        "Times the autopilot restarts a crashed agent (resuming its session) in one attempt"
        "\nbefore it leaves it to you.", least=0, most=100)] = 2
    daily_budget_usd: Annotated[float, Spec(
        "USD the workspace's agents may spend in a day; at the limit no new attempt starts"
        "\nand the autopilot's running agents are paused (not killed). 0 = none.",
        least=0)] = 0.0
    cleanup: Annotated[bool, Spec(
        "End a merged task's agent and remove its worktree and branch (nothing is lost:"
        "\nit is refused when anything changed after the merge).")] = True
    interval: Annotated[float, Spec(
        "Seconds between the autopilot's looks at agents and tasks.", above=0,
        most=60)] = 0.5
    review_preset: Annotated[str, Spec(
        "A preset whose agent judges every task whose check passed (a reviewer answering\n"
        "with `workspace task verdict`); \"\" = no judge. Per task: --review P, --no-review.")
        ] = ""
    review_timeout: Annotated[float, Spec(
        "Seconds the judge may take; then the task waits for your review.", above=0,
        most=_DAY)] = 900.0


@dataclass(frozen=True)
class NotifySettings:
    command: Annotated[tuple[str, ...], Spec(
        "A command run for every agent that starts needing you and every task event, with the"
        "\nevent as one JSON object on its stdin (docs/notify.md has ready examples). An argv"
        " list,\nnever a shell string; it runs whoever polls (the TUI, the autopilot, a verb).",
        sensitive=True)] = ()
    timeout: Annotated[float, Spec(
        "Seconds the command may run per event; then its whole process group is ended.",
        above=0, most=600)] = 10.0
    tasks: Annotated[bool, Spec(
        "Run it for task events too (filed, attempt, checked, merged, failed, verdict...).")] = (
        True)
    terminal: Annotated[TerminalNotify, Spec(
        "The TUI's own terminal notification when an agent starts needing you: \"osc9\""
        " (iTerm2,\nGhostty, WezTerm, Windows Terminal), \"osc777\" (urxvt, VTE terminals,"
        " Ghostty, WezTerm) or \"off\".\nInside tmux it goes through passthrough"
        " (set -g allow-passthrough on). The bell is [workspace] bell.")] = "off"


@dataclass(frozen=True)
class WorktreeSettings:
    copy: Annotated[tuple[str, ...], Spec(
        "Files git ignores that a new agent's worktree gets a copy of, from the main checkout:"
        "\n.gitignore-style patterns, like [\".env\", \"config/local.toml\"]. A"
        " .worktreeinclude file\nin the main checkout adds its patterns (the convention"
        " Claude Code and others follow).", sensitive=True)] = ()
    symlink: Annotated[tuple[str, ...], Spec(
        "Like copy, but linked to the main checkout's (shared, not copied), like"
        " [\"node_modules/\"].\nA path both would take is linked.", sensitive=True)] = ()
    post_create: Annotated[tuple[str, ...], Spec(
        "A command run in each new worktree before its agent starts (an argv list, like"
        "\n[\"npm\", \"ci\"]); its output is kept in the agent's state folder; a failure"
        " undoes the spawn.\nIt runs in each worktree a batch's gate runs in too ([merge]"
        " batch, merge --batch), with\nWORKSPACE_GATE=1; a failure there stops the batch,"
        " blaming no merge.", sensitive=True)] = ()
    post_create_timeout: Annotated[float, Spec(
        "Seconds post_create may run; then its process group is ended and the spawn undone.",
        above=0, most=_DAY)] = 600.0


SettingValue = str | int | float | bool | tuple[str, ...] | tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SensitiveKey:
    """A key that runs a program or chooses a path, as one config file set it."""

    file: str
    key: str
    """Dotted: "merge.gate", "presets.claude.env"."""
    value: SettingValue
    line: int | None


@dataclass(frozen=True)
class Settings:
    workspace: WorkspaceSettings = field(default_factory=WorkspaceSettings)
    merge: MergeSettings = field(default_factory=MergeSettings)
    tasks: TasksSettings = field(default_factory=TasksSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    worktree: WorktreeSettings = field(default_factory=WorktreeSettings)
    keys: tuple[tuple[str, str], ...] = ()
    presets: tuple[PresetSpec, ...] = ()
    sources: tuple[str, ...] = ()
    """The files these settings were read from, in order."""
    sensitive: tuple[SensitiveKey, ...] = ()
    """The trust-sensitive keys each source set, in file order."""

    def key_for(self, action: str) -> str:
        return dict(self.keys).get(action, "")

    def preset(self, name: str) -> PresetSpec | None:
        for p in self.presets:
            if p.name == name:
                return p
        return None

    def sensitive_in(self, source: str) -> tuple[SensitiveKey, ...]:
        return tuple(s for s in self.sensitive if s.file == source)
