"""The autopilot on real tmux and git with scripted agents: dependency order, the cap held,
checks failing then passing (fresh and continue), the no-progress breaker, attempts used up
(work kept), a budget, and merging."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.support.fleet import Fleet
from tests.support.gitrepo import git
from workspace.core.tasks.model import LoopMode, MergeMode, Outcome, TaskSpec, TaskState

ANSWER = 'test "$(cat answer.txt)" = 42'


def spec(title: str, **kw: object) -> TaskSpec:
    return TaskSpec(title=title, **kw)  # type: ignore[arg-type]


def test_a_graph_merges_in_dependency_order(fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet()
    ws = f.ws
    one = ws.add_task(spec("First", check="test -f one.txt", merge=MergeMode.AUTO))
    two = ws.add_task(spec("Second", after=(one.id,), check="test -f one.txt -a -f two.txt",
                           merge=MergeMode.AUTO))
    three = ws.add_task(spec("Third", check="test -f three.txt", merge=MergeMode.AUTO))
    f.plan({one.id: ["sleep:1+write:one.txt:1"], two.id: ["write:two.txt:2"],
            three.id: ["write:three.txt:3"]})
    f.run()
    assert [ws.task(t.id).state for t in (one, two, three)] == [TaskState.MERGED] * 3
    # The second started from base as it was once the first was merged: it saw one.txt.
    starts = {task: start for task, start, _ in f.spans()}
    ends = {task: end for task, _, end in f.spans()}
    assert starts[two.id] > ends[one.id]
    files = git(repo, "ls-tree", "--name-only", "HEAD").split()
    assert {"one.txt", "two.txt", "three.txt"} <= set(files)
    assert git(repo, "status", "--porcelain") == ""  # the main checkout followed base


def test_the_cap_holds(fleet: Callable[..., Fleet]) -> None:
    f = fleet(max_agents=2)
    tasks = [f.ws.add_task(spec(f"Job {i}", check=f"test -f job{i}.txt")) for i in range(5)]
    f.plan({t.id: [f"sleep:1.5+write:job{i}.txt:{i}"] for i, t in enumerate(tasks)})
    f.run()
    assert all(f.ws.task(t.id).state == TaskState.REVIEW for t in tasks)
    spans = f.spans()
    assert len(spans) == 5
    # At no instant did more than two agents work (from the agents' own start/end times).
    for _, start, _ in spans:
        at_once = sum(1 for _, s, e in spans if s <= start < e)
        assert at_once <= 2, spans


def test_fresh_loop_fails_then_passes(fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet()
    task = f.ws.add_task(spec("Answer", check=ANSWER, loop=LoopMode.FRESH))
    f.plan({task.id: ["write:answer.txt:41", "write:answer.txt:42"]})
    f.run()
    done = f.ws.task(task.id)
    assert done.state == TaskState.REVIEW
    assert [a.outcome for a in done.attempts] == [Outcome.FAILED, Outcome.PASSED]
    assert done.attempts[0].check_exit == 1 and done.attempts[1].check_exit == 0
    assert done.attempts[0].tree != done.attempts[1].tree
    events = [kind for _, _, _, kind, _ in f.ws.task_events(task.id)]
    assert events.count("attempt") == 2 and "checked" in events


def test_continue_loop_tells_the_same_session(fleet: Callable[..., Fleet]) -> None:
    f = fleet()
    task = f.ws.add_task(spec("Answer in a session", preset="repl", check=ANSWER))
    f.plan({task.id: ["write:answer.txt:41", "write:answer.txt:42"]})
    f.run()
    done = f.ws.task(task.id)
    assert done.state == TaskState.REVIEW, done
    assert [a.outcome for a in done.attempts] == [Outcome.FAILED, Outcome.PASSED]
    agent = f.ws.agent(done.agent or "")
    # One session throughout: the second attempt was a message to it, not a new process.
    screen = f.ws.preview_screen(agent.id)
    assert screen.count("working on:") == 2, screen


def test_no_progress_ends_the_task(fleet: Callable[..., Fleet]) -> None:
    f = fleet()
    task = f.ws.add_task(spec("Stuck", check="echo same failure; exit 3",
                              loop=LoopMode.FRESH, max_attempts=5))
    f.plan({task.id: ["nothing"]})
    f.run()
    done = f.ws.task(task.id)
    assert done.state == TaskState.FAILED and done.reason.startswith("no progress")
    assert len(done.attempts) == 2  # stopped at the first repeat, not after five
    assert done.attempts[-1].outcome == Outcome.NO_PROGRESS


def test_attempts_used_up_keeps_the_work(fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet()
    task = f.ws.add_task(spec("Never", check="false", loop=LoopMode.FRESH, max_attempts=2))
    f.plan({task.id: ["write:try.txt:1", "write:try.txt:2"]})
    f.run()
    done = f.ws.task(task.id)
    assert done.state == TaskState.FAILED and done.reason == "attempts used up (2 of 2)"
    agent = f.ws.agent(done.agent or "")
    assert Path(agent.worktree, "try.txt").read_text() == "2\n"  # worktree and branch kept
    assert "step 1: try.txt" in git(repo, "log", "--format=%s", agent.branch)


def test_an_agent_reports_failure_itself(fleet: Callable[..., Fleet]) -> None:
    f = fleet()
    task = f.ws.add_task(spec("Cannot", check="true", max_attempts=1))
    f.plan({task.id: ["fail:the API key is missing"]})
    f.run()
    done = f.ws.task(task.id)
    assert done.state == TaskState.FAILED
    assert "The agent reported: the API key is missing" in done.attempts[0].note


def test_a_task_filed_by_an_agent_waits_for_approval(fleet: Callable[..., Fleet],
                                                     monkeypatch: object) -> None:
    f = fleet()
    filed = f.ws.add_task(spec("Follow-up", check="true"), created_by="t9-some-agent")
    assert filed.state == TaskState.PROPOSED and filed.created_by == "t9-some-agent"
    f.run(timeout=20)
    assert f.ws.task(filed.id).state == TaskState.PROPOSED  # never ran before approval
    f.ws.approve_task(filed.id)
    f.plan({filed.id: ["nothing"]})
    f.run()
    assert f.ws.task(filed.id).state == TaskState.REVIEW
