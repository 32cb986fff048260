"""Every action a person can take, with its default key and help text.

One list serves the TUI bindings, the footer, the help screen, the command palette and the
`[keys]` config table (which may remap any of them).
"""

from __future__ import annotations

from dataclasses import dataclass

from workspace.core.agent import Status


@dataclass(frozen=True)
class Action:
    name: str
    key: str
    title: str
    help: str
    show: bool = True
    """Shown in the footer (the help screen and palette list every action)."""
    rank: int = 99
    """In a footer too narrow for every shown action, the lower ranks stay."""


MARKED = " (or every marked agent)"

ACTIONS: tuple[Action, ...] = (
    Action("spawn", "n", "New agent", "Spawn agents: name, preset, base, first prompt, count",
           rank=3),
    Action("attach", "enter", "Jump in",
           "Jump into the agent's pane; the detach key brings you back (on a group header: "
           "fold or unfold it)", rank=7),
    Action("send", "s", "Send", "Send a message to the agent" + MARKED, rank=8),
    Action("type_inline", "i", "Type", "Type into the agent live, without leaving the TUI",
           rank=15),
    Action("next_attention", "g", "Next needing you",
           "Select the next agent that needs you, longest waiting first", rank=5),
    Action("attention", "a", "Attention list",
           "Who needs you, in the order they started needing you, with the reason",
           show=False),
    Action("approve", "y", "Approve",
           "Approve the pending permission request once" + MARKED, rank=4),
    Action("approve_always", "Y", "Approve always",
           "Approve, and don't ask again this session" + MARKED, show=False),
    Action("deny", "N", "Deny", "Deny the pending permission request" + MARKED, rank=9),
    Action("interrupt", "I", "Interrupt",
           "Interrupt the agent's current turn (sends Esc)" + MARKED, show=False),
    Action("pause", "p", "Pause/resume",
           "Pause the agent's process tree, or resume it" + MARKED, rank=10),
    Action("restart", "r", "Restart",
           "Relaunch an exited or crashed agent, resuming its session" + MARKED, show=False),
    Action("kill", "x", "Kill",
           "End the agent" + MARKED + "; its work is kept unless you choose to discard it",
           rank=11),
    Action("mark", "space", "Mark",
           "Mark the agent and move down (on a group header: its agents); marked agents are "
           "what y Y N I p r x s act on, and m merges them as a queue", show=False),
    Action("mark_all", "asterisk", "Mark all shown",
           "Mark every agent the filter shows (grouped: every agent of the cursor's group); "
           "again: unmark them", show=False),
    Action("unmark_all", "u", "Unmark all", "Clear every mark", show=False),
    Action("filter", "slash", "Filter",
           "Filter the table as you type: words, status:X, preset:X, task:tN, plan:pN "
           "(enter keeps it, esc clears it)", rank=6),
    Action("group", "G", "Group by",
           "Group the table: none, status, preset, task/plan (←/→ fold and unfold a group)",
           show=False),
    Action("sort", "o", "Sort by",
           "Sort the table: needs you first, name, age in status, cost, diff size",
           show=False),
    Action("preview", "v", "Preview", "Show the agent's live screen (the Preview tab)",
           show=False),
    Action("scroll_back", "left_square_bracket", "Scroll back",
           "Scroll the preview back through the agent's scrollback (PgUp/PgDn/Home; End or "
           "Esc: live again)", show=False),
    Action("diff", "d", "Diff",
           "Review the agent's changes; again: whole branch / uncommitted only", rank=12),
    Action("details", "D", "Details",
           "Show the agent's details: task, branch, worktree, tokens, cost, burn rate",
           show=False),
    Action("merge", "m", "Merge", "Merge the agent's branch into its base (marked: a queue)",
           rank=13),
    Action("ask_rebase", "R", "Ask to rebase",
           "Ask the agent to rebase onto base and resolve conflicts", show=False),
    Action("push_pr", "P", "Push + PR", "Push the branch and open a pull request (gh)",
           show=False),
    Action("cleanup", "c", "Clean up", "Review leftover worktrees no agent owns", show=False),
    Action("tasks", "t", "Tasks",
           "The tasks: add (T), edit, approve, retry, cancel, jump to a task's agent", rank=14),
    Action("autopilot", "A", "Autopilot",
           "Turn the autopilot on or off: it starts, checks, loops and merges tasks",
           show=False),
    Action("trust_repo", "ctrl+t", "Trust repo config",
           "Show what this repository's .workspace.toml would run, and trust it", show=False),
    Action("help", "question_mark", "Help", "Show every key", rank=1),
    Action("quit", "q", "Quit", "Quit the TUI; agents keep working", rank=2),
)

HELP_NOTES: tuple[tuple[str, str], ...] = (
    ("Many agents at once",
     "[b]space[/b] marks the agent and moves down, so a run of presses marks a run of rows "
     "(on a group header it marks the group). [b]*[/b] marks every agent the filter shows "
     "(grouped: the cursor's group); [b]u[/b] clears every mark. With agents marked, "
     "[b]y Y N I p r x s[/b] act on every marked agent the table shows and [b]m[/b] merges "
     "them as a queue; what cannot be undone (interrupt, restart, kill, approving several "
     "for the whole session) asks once, listing them."),
    ("Filter, group, sort",
     "[b]/[/b] filters as you type: plain words must each be in the name, preset, task or "
     "status; [b]status:waiting[/b] (its start will do: status:need), [b]preset:demo[/b], "
     "[b]task:t3[/b] and [b]plan:p1[/b] pick by field, several of one field are "
     "alternatives. [b]enter[/b] keeps the filter, [b]esc[/b] clears it; the header still "
     "counts the whole fleet and says how many the filter hides. [b]G[/b] groups by status, "
     "preset or task/plan (each header counts its agents; [b]←[/b]/[b]→[/b] or [b]enter[/b] "
     "on it fold and unfold it). [b]o[/b] sorts by needs you first (the default), name, "
     "age in status, cost, diff size."),
    ("Who needs you",
     "[b]g[/b] selects the next agent that needs you, longest waiting first, round the "
     "list; [b]a[/b] shows that list with each one's reason. When several start needing "
     "you within a moment, one notice says how many and why."),
    ("Moving around",
     "[b]tab[/b] moves the focus from the table to the tab bar and into the open tab; "
     "[b]shift+tab[/b] goes back. On the tab bar [b]←[/b]/[b]→[/b] switch Preview, Diff "
     "and Details. In the Diff tab [b]↑[/b]/[b]↓[/b] walk the file list and "
     "[b]enter[/b] (or tab) moves into the selected file's hunks, where ↑/↓/PgUp/PgDn "
     "scroll. [b]esc[/b] in the preview gives the keys back to the table."),
    ("The Diff tab's file list",
     "[b]U[/b] untracked (new, not yet added to git), [b]A[/b] added, [b]M[/b] modified, "
     "[b]D[/b] deleted, [b]R[/b] renamed; then lines added and removed (+/-); a yellow "
     "[b]*[/b] after the path: it has uncommitted changes. The title says whether it "
     "shows the whole branch or the uncommitted work only ([b]d[/b] switches)."),
)
"""Sections of the help screen after the keys: (title, text with Rich markup)."""

STATUS_MEANING = {
    Status.STARTING: "session created, agent not ready yet",
    Status.WORKING: "busy on a turn",
    Status.NEEDS_PERMISSION: "asks to approve a tool call or edit (y approve, N deny)",
    Status.WAITING: "turn finished; waits for your next message",
    Status.PAUSED: "stopped by you (or its budget); p resumes",
    Status.STUCK: "working, but no output or progress for a long time",
    Status.RATE_LIMITED: "the agent reports a usage or rate limit",
    Status.ERROR: "the agent reports a failed turn",
    Status.EXITED: "the agent process ended normally (r restarts)",
    Status.CRASHED: "the process ended badly or its session vanished (r restarts)",
    Status.MERGED: "its branch was merged into base",
}
"""What each status means, for the help screen."""
