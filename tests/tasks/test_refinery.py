"""The refinery with the autopilot, on real tmux and git with scripted agents: a batch with one
bad task (the good ones land, the culprit goes back to its agent with the gate's output and
lands once fixed, base never holds a failing batch), and a conflict with base sent back as a
rebase request and merged once the agent has rebased (alone and in batches)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.fleet import Fleet
from tests.support.gitrepo import git
from workspace.core.review.queue import REFINERY, QueueItemState
from workspace.core.tasks.model import MergeMode, Outcome, TaskSpec, TaskState

BAD = "BAD"


def gate(log: Path, batch: int) -> str:
    """[merge] keys: a gate that logs each run and fails, saying where, on a file holding BAD."""
    script = (f'echo run >> "$0"; found=$(grep -rls {BAD} --exclude-dir=.git .); '
              f'if [ -n "$found" ]; then echo "{BAD} in $found"; exit 1; fi')
    return f"batch = {batch}\ngate = [\"sh\", \"-c\", {json.dumps(script)}, \"{log}\"]\n"


def runs(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def base_commits(repo: Path) -> list[str]:
    """Every commit main has pointed at."""
    return git(repo, "reflog", "show", "--format=%H", "refs/heads/main").split()


def holds_bad(repo: Path, sha: str) -> bool:
    files = git(repo, "ls-tree", "-r", "--name-only", sha).split()
    return any(BAD in git(repo, "show", f"{sha}:{f}") for f in files)


def test_a_batch_with_one_bad_task_lands_the_good_ones_and_sends_the_culprit_back(
        fleet: Callable[..., Fleet], repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "gate.log"
    f = fleet(merge=gate(log, 4))
    ws = f.ws
    tasks = [ws.add_task(TaskSpec(title=f"Part {i}", check=f"test -f part{i}.txt"))
             for i in range(1, 5)]
    t1, t2, t3, t4 = tasks
    f.plan({t.id: [f"write:part{i}.txt:{i}"] for i, t in enumerate(tasks, 1)}
           | {t3.id: [f"write:part3.txt:{BAD}", "write:part3.txt:fixed"]})
    f.run()
    assert [ws.task(t.id).state for t in tasks] == [TaskState.REVIEW] * 4
    for task in tasks:  # all four approved at once: they wait to merge together
        ws.board.approve(task.id)
    said = f.run()
    # One batch of four: the tip failed, then the first two passed, the first three failed:
    # t3 is the culprit. t1 and t2 landed; t4, after it, landed in the next batch.
    states = {t.id: ws.task(t.id).state for t in tasks}
    assert states == {t1.id: TaskState.MERGED, t2.id: TaskState.MERGED,
                      t3.id: TaskState.REVIEW, t4.id: TaskState.MERGED}, said
    assert runs(log) == 3 + 1, said
    culprit = ws.task(t3.id)
    first, second = culprit.attempts
    assert first.outcome == Outcome.GATE_FAILED and "BAD in ./part3.txt" in first.check_tail
    assert "culprit" in first.note or "culprit" in " ".join(
        d for _, _, _, kind, d in ws.task_events(t3.id) if kind == "gate_failed")
    assert second.outcome == Outcome.PASSED  # its agent fixed it (told the gate's output)
    assert not any(holds_bad(repo, sha) for sha in base_commits(repo))
    assert "in a batch of 2" in ws.task(t1.id).reason
    # the queue as the CLI and the TUI read it
    view = ws.queue_view()
    assert view.kind == REFINERY and view.batch == 4 and not view.running
    assert view.gate_runs == 4
    shown = {i.name: i.state for i in view.items}
    assert shown[culprit.agent or ""] == QueueItemState.CULPRIT
    # approved again, the fixed culprit lands; base still never held BAD
    ws.board.approve(t3.id)
    f.run()
    assert ws.task(t3.id).state == TaskState.MERGED
    assert (repo / "part3.txt").read_text() == "fixed\n"
    assert not any(holds_bad(repo, sha) for sha in base_commits(repo))
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize("batch", [1, 4])
def test_a_conflict_is_sent_back_and_requeued_once_the_agent_rebased(
        fleet: Callable[..., Fleet], repo: Path, tmp_path: Path, batch: int) -> None:
    f = fleet(merge=gate(tmp_path / "gate.log", batch))
    ws = f.ws
    words = {"One": "one", "Two": "two"}
    tasks = [ws.add_task(TaskSpec(title=title, preset="repl", merge=MergeMode.AUTO,
                                  check=f"grep -qx {word} shared.txt"))
             for title, word in words.items()]
    # Both write the same file: whichever lands first, the other conflicts with base; asked
    # to rebase, its agent rebases onto main (keeping its own line) and commits.
    f.plan({t.id: [f"write:shared.txt:{words[t.title]}", "rebase:main"] for t in tasks})
    said = f.run(timeout=150)
    done = [ws.task(t.id) for t in tasks]
    assert [t.state for t in done] == [TaskState.MERGED] * 2, (
        [(t.state, t.reason, [(a.outcome, a.check_exit, a.note) for a in t.attempts])
         for t in done], said)
    events = {t.id: [kind for _, _, _, kind, _ in ws.task_events(t.id)] for t in done}
    sent_back = [t for t in done if "conflict" in events[t.id]]
    assert len(sent_back) == 1, (events, said)
    back = sent_back[0]
    assert events[back.id].count("merged") == 1
    # its first attempt passed its check; the rebase was a new attempt, checked again
    assert [a.outcome for a in back.attempts] == [Outcome.PASSED, Outcome.PASSED]
    assert any(f"{back.id}: asked to rebase onto main: conflicts in shared.txt" in line
               for line in said), said
    assert (repo / "shared.txt").read_text() == f"{words[back.title]}\n"
    assert back.title in git(repo, "log", "-1", "--format=%B", "main")
