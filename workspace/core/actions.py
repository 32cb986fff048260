"""Every action a person can take, with its default key and help text.

One list serves the TUI bindings, the footer, the help screen, the command palette and the
`[keys]` config table (which may remap any of them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    name: str
    key: str
    title: str
    help: str
    show: bool = True
    """Shown in the footer (the help screen and palette list every action)."""


ACTIONS: tuple[Action, ...] = (
    Action("spawn", "n", "New agent", "Spawn agents: name, preset, base, first prompt, count"),
    Action("attach", "enter", "Jump in",
           "Jump into the agent's pane; the detach key brings you back"),
    Action("send", "s", "Send", "Send a message to the agent (or to every marked agent)"),
    Action("type_inline", "i", "Type", "Type into the agent live, without leaving the TUI"),
    Action("next_attention", "g", "Next needing you", "Select the next agent that needs you"),
    Action("approve", "y", "Approve", "Approve the pending permission request once"),
    Action("approve_always", "Y", "Approve always", "Approve, and don't ask again this session",
           show=False),
    Action("deny", "N", "Deny", "Deny the pending permission request"),
    Action("interrupt", "I", "Interrupt", "Interrupt the agent's current turn (sends Esc)",
           show=False),
    Action("pause", "p", "Pause/resume", "Pause the agent's process tree, or resume it"),
    Action("restart", "r", "Restart", "Relaunch an exited or crashed agent, resuming its session",
           show=False),
    Action("kill", "x", "Kill", "End the agent; its work is kept unless you choose to discard it"),
    Action("mark", "space", "Mark", "Mark the agent for send or merge-queue", show=False),
    Action("preview", "v", "Preview", "Show the agent's live screen (the Preview tab)",
           show=False),
    Action("scroll_back", "left_square_bracket", "Scroll back",
           "Scroll the preview back through the agent's scrollback (PgUp/PgDn/Home; End or "
           "Esc: live again)", show=False),
    Action("diff", "d", "Diff",
           "Review the agent's changes; again: whole branch / uncommitted only"),
    Action("details", "D", "Details",
           "Show the agent's details: task, branch, worktree, tokens, cost, burn rate",
           show=False),
    Action("merge", "m", "Merge", "Merge the agent's branch into its base (marked: a queue)"),
    Action("ask_rebase", "R", "Ask to rebase",
           "Ask the agent to rebase onto base and resolve conflicts", show=False),
    Action("push_pr", "P", "Push + PR", "Push the branch and open a pull request (gh)",
           show=False),
    Action("cleanup", "c", "Clean up", "Review leftover worktrees no agent owns", show=False),
    Action("tasks", "t", "Tasks",
           "The tasks: add (T), edit, approve, retry, cancel, jump to a task's agent"),
    Action("autopilot", "A", "Autopilot",
           "Turn the autopilot on or off: it starts, checks, loops and merges tasks",
           show=False),
    Action("trust_repo", "ctrl+t", "Trust repo config",
           "Show what this repository's .workspace.toml would run, and trust it", show=False),
    Action("help", "question_mark", "Help", "Show every key"),
    Action("quit", "q", "Quit", "Quit the TUI; agents keep working"),
)
