"""Messages drafted from an agent's task: commit messages (a merge, uncommitted work), a pull
request's title and body, the request to rebase, and the `gh pr create` command.

The task is taken as given: words that only steer one agent CLI are that CLI's integration's
business (`task_text`), dropped before the task gets here.
"""

from __future__ import annotations

from collections.abc import Iterable

from workspace.core.format import listing

SUBJECT_MAX = 72


def task_subject(task: str, fallback: str) -> str:
    """The first line of the task, tidied and cut to fit a commit subject."""
    for line in task.splitlines():
        words = " ".join(line.split())
        if words:
            if len(words) > SUBJECT_MAX:
                words = words[: SUBJECT_MAX - 3].rstrip() + "..."
            return words
    return fallback


def _task_body(task: str, subject: str) -> str:
    text = "\n".join(line.rstrip() for line in task.strip().splitlines())
    if not text or " ".join(text.split()) == subject:
        return ""
    return "Task:\n" + "\n".join(f"  {line}" if line else "" for line in text.splitlines())


def draft_wip_message(name: str, task: str) -> str:
    subject = task_subject(task, f"Work in progress of {name}")
    return f"{subject}\n\nUncommitted work of agent {name}, committed by workspace before a " \
           "merge.\n"


def draft_merge_message(name: str, branch: str, base: str, task: str,
                        commits: Iterable[str], strategy: str) -> str:
    """The message of a squash commit (subject from the task) or of a merge commit."""
    subject = task_subject(task, f"Work of agent {name}")
    if strategy == "merge":
        subject = f"Merge {branch} into {base}: {subject}"
        if len(subject) > SUBJECT_MAX:
            subject = subject[: SUBJECT_MAX - 3].rstrip() + "..."
    parts = [subject]
    body = _task_body(task, task_subject(task, ""))
    if body:
        parts.append(body)
    listed = list(commits)
    if listed:
        shown = listed[:30]
        more = f"\n  ... and {len(listed) - 30} more" if len(listed) > 30 else ""
        parts.append("Commits:\n" + "\n".join(f"  {c}" for c in shown) + more)
    parts.append(f"Agent: {name} (branch {branch})")
    return "\n\n".join(parts) + "\n"


def draft_pr(name: str, branch: str, task: str, commits: Iterable[str]) -> tuple[str, str]:
    """(title, body) of a pull request."""
    title = task_subject(task, f"Work of agent {name}")
    parts = []
    text = task.strip()
    if text:
        parts.append("## Task\n\n" + text)
    listed = list(commits)
    if listed:
        parts.append("## Commits\n\n" + "\n".join(f"- {c}" for c in listed[:50]))
    parts.append(f"Made by agent `{name}` on branch `{branch}` with workspace.")
    return title, "\n\n".join(parts) + "\n"


def rebase_request(name: str, branch: str, base: str, files: Iterable[str]) -> str:
    """The message sent to an agent whose branch conflicts with its base."""
    where = listing(list(files), 20)
    return (
        f"Your branch {branch} no longer merges cleanly into {base}: it conflicts in "
        f"{where or 'some files'}. Please commit your work, rebase onto {base} "
        f"(git rebase {base}), resolve the conflicts in those files keeping both intents, "
        "run the tests, and commit the result. Tell me when it is done."
    )


def gh_pr_argv(base: str, branch: str, title: str, body: str, draft: bool = False
               ) -> list[str]:
    """The `gh pr create` command for an agent's branch (argv, never a shell string)."""
    argv = ["gh", "pr", "create", "--base", base, "--head", branch, "--title", title,
            "--body", body]
    return [*argv, "--draft"] if draft else argv
