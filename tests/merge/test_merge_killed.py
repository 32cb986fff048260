"""`workspace merge` SIGKILLed at every instant that matters, then another command run: base,
the main checkout (HEAD, index, files) and the agent's status always agree, and a merge
afterwards works. Exact instants come from the test hook WORKSPACE_TEST_PAUSE_AT (the merge
stops there and is killed); a loop kills at varied delays from 0 to past the end."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.gitrepo import git
from tests.support.killed import (
    agent_with_work,
    before_merge,
    kill,
    merge_argv,
    outcome,
    start,
    state_dir,
    wait_paused,
)
from tests.support.review import commit, rev, write
from workspace.service import Workspace
from workspace.service.merge.intent import INTENT_FILE

# (point, with uncommitted work, where base must be once the next command ran)
POINTS = [
    ("after-intent", False, "old"),
    ("after-intent", True, "old"),
    ("after-branch", True, "old"),
    ("after-index", True, "old"),
    ("after-base", False, "new"),
    ("after-base", True, "new"),
    ("after-checkout", True, "new"),
    ("after-merged", False, "new"),
]


@pytest.mark.parametrize(("point", "wip", "expected"), POINTS,
                         ids=[f"{p}-{'wip' if w else 'clean'}" for p, w, _ in POINTS])
def test_a_merge_killed_at_each_step_is_finished_or_undone_by_the_next_command(
        open_ws: Callable[[str], Workspace], repo: Path, point: str, wip: bool,
        expected: str) -> None:
    ws = open_ws("")
    wt = agent_with_work(ws, "k", wip=wip)
    write(repo, "theirs.txt", "main moved on since k started\n")
    commit(repo, "main moves on")
    before = before_merge(repo, "k", wt, wip)
    proc = start(repo, merge_argv("k", "squash", wip), pause=point)
    wait_paused(proc, point)
    if point == "after-base":
        # The instant of the issue: base moved, the checkout not yet (its index is old).
        assert rev(repo, "main") != before.base
        assert git(repo, "diff", "--cached", "--name-only") != ""
    kill(proc)
    assert outcome(repo, ws, before) == expected
    if expected == "old":
        done = run_cli(*merge_argv("k", "squash", wip), cwd=repo)
        assert done.returncode == 0, done.stderr
        assert outcome(repo, ws, before) == "new"
    # and the next merge goes on top
    wt2 = agent_with_work(ws, "next", wip=False)
    second = before_merge(repo, "next", wt2, False)
    done = run_cli(*merge_argv("next", "merge", False), cwd=repo)
    assert done.returncode == 0, done.stderr
    assert outcome(repo, ws, second) == "new"


def test_the_next_command_says_what_it_did(open_ws: Callable[[str], Workspace],
                                           repo: Path) -> None:
    ws = open_ws("")
    agent_with_work(ws, "said", wip=False)
    proc = start(repo, merge_argv("said", "squash", False), pause="after-base")
    wait_paused(proc, "after-base")
    kill(proc)
    done = run_cli("ls", cwd=repo)
    assert done.returncode == 0
    assert done.stderr.startswith("workspace: finished the interrupted merge of said into "
                                  "main"), done.stderr
    assert len(done.stderr.splitlines()) == 1
    # said once: the command after that has nothing to say
    assert run_cli("ls", cwd=repo).stderr == ""


STRATEGIES = ["squash", "merge", "rebase"]
ROUNDS = 36


def test_sigkill_at_many_instants_of_a_merge_in_a_loop_with_varied_delays(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    # How long a whole merge runs: only to spread kills over it (no time is asserted).
    wt = agent_with_work(ws, "calibrate", wip=True)
    before = before_merge(repo, "calibrate", wt, True)
    proc = start(repo, merge_argv("calibrate", "squash", True), pause="after-intent")
    wait_paused(proc, "after-intent")
    kill(proc)
    assert outcome(repo, ws, before) == "old"
    started = time.monotonic()
    done = run_cli(*merge_argv("calibrate", "squash", True), cwd=repo)
    assert done.returncode == 0, done.stderr
    whole = time.monotonic() - started
    assert outcome(repo, ws, before) == "new"

    rng = random.Random(20240531)
    # Half the kills at delays from the start spread over the whole merge and past its end;
    # half at 0-50 ms after its intent appears, where everything moves (it lives 20-70 ms).
    spread = [whole * 1.3 * i / (ROUNDS // 2 - 1) for i in range(ROUNDS // 2)]
    rng.shuffle(spread)
    seen: dict[str, int] = {"old": 0, "new": 0, "mid-merge": 0, "base moved, checkout not": 0}
    for i in range(ROUNDS):
        strategy, wip = STRATEGIES[i % 3], (i // 3) % 2 == 1
        name = f"r{i}"
        wt = agent_with_work(ws, name, wip=wip)
        write(repo, f"main-{i}.txt", "main moves on\n")
        commit(repo, f"main moves on ({i})")
        before = before_merge(repo, name, wt, wip)
        proc = start(repo, merge_argv(name, strategy, wip))
        if i % 2 == 0:
            time.sleep(spread[i // 2])
        else:
            intent = state_dir(repo) / INTENT_FILE
            while not intent.exists() and proc.poll() is None:
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.05))
        kill(proc)
        if (state_dir(repo) / INTENT_FILE).exists():  # counted, to know what the loop hit
            seen["mid-merge"] += 1
            if rev(repo, "main") != before.base and git(repo, "diff", "--cached") != "":
                seen["base moved, checkout not"] += 1
        where = outcome(repo, ws, before)
        seen[where] += 1
        if where == "old":  # undone: merging again works and lands
            done = run_cli(*merge_argv(name, strategy, wip), cwd=repo)
            assert done.returncode == 0, (i, done.stderr)
            assert outcome(repo, ws, before) == "new"
    print(f"kills: {seen}; a whole merge took {whole:.2f}s")
