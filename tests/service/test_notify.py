"""The person's notify command, a real program that writes what it receives: told every agent
that starts needing the person and every task event, whoever polls (no TUI here), once even
with two pollers at once, never holding up a tick, and ended at its time limit."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

from tests.support.config import write_user_config
from tests.support.paths import TOP
from tests.support.wait import wait_for, wait_status
from workspace.adapters.store import Store
from workspace.core.agent import Status
from workspace.core.tasks.model import TaskSpec
from workspace.service import Workspace

SINK = TOP / "tests" / "support" / "notify_sink.py"


def configure(out: Path, *extra: str, timeout: float = 10, tasks: bool = True) -> None:
    command = json.dumps([sys.executable, str(SINK), str(out), *extra])
    write_user_config(f'[workspace]\ndefault_preset = "demo"\n'
                      f"[notify]\ncommand = {command}\ntimeout = {timeout}\n"
                      f"tasks = {'true' if tasks else 'false'}\n")


def received(out: Path) -> list[dict[str, object]]:
    """Each run's stdin (parsed), with the title and message its environment held."""
    if not out.exists():
        return []
    records = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return [{**json.loads(str(r["stdin"])), "env_title": r["title"],
             "env_message": r["message"]} for r in records]


def needs_you(out: Path, agent: str) -> list[dict[str, object]]:
    return [e for e in received(out) if e["event"] == "needs_you" and e["agent"] == agent]


def test_an_agent_needing_you_and_task_events_reach_the_command(repo: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "received.jsonl"
    configure(out)
    ws = Workspace.open(repo)
    try:
        ws.spawn("one", prompt="add a note [noask]")
        wait_status(ws, "one", Status.WAITING)
        event = wait_for(lambda: needs_you(out, "one"), 20, what="the waiting event")[0]
        assert event["status"] == "waiting" and event["previous"] in ("working", "starting")
        assert event["workspace"] == "repo" and event["task"] is None
        assert isinstance(event["time"], str) and "T" in event["time"]
        assert event["title"] == "one waiting for you" == event["env_title"]
        assert str(event["message"]).startswith("repo: one waiting for you")
        assert event["env_message"] == event["message"]
        task = ws.add_task(TaskSpec("Write the docs", prompt="docs"))
        ws.refresh()
        filed = wait_for(lambda: [e for e in received(out)
                                  if e["event"] == "task" and e["task"] == task.id], 20)
        assert filed[0]["kind"] == "filed" and filed[0]["task_title"] == "Write the docs"
        assert filed[0]["status"] == "queued"
        assert len(needs_you(out, "one")) == 1  # told once, however many ticks since
    finally:
        ws.close()


def test_two_pollers_at_once_tell_each_change_once(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "received.jsonl"
    configure(out)
    first, second = Workspace.open(repo), Workspace.open(repo)
    stop = threading.Event()
    errors: list[BaseException] = []

    def poll(ws: Workspace) -> None:
        try:
            while not stop.is_set():
                ws.refresh()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=poll, args=(ws,), daemon=True) for ws in (first,
                                                                                 second)]
    try:
        first.spawn("pair", prompt="add a note [noask]")
        for thread in threads:
            thread.start()
        wait_for(lambda: first.agent("pair").status == Status.WAITING, 40,
                 what="pair to wait")
        wait_for(lambda: needs_you(out, "pair"), 20, what="the waiting event")
        first.add_task(TaskSpec("Once", prompt="once"))
        wait_for(lambda: [e for e in received(out) if e["event"] == "task"], 20)
    finally:
        stop.set()
        for thread in threads:
            thread.join(20)
        first.close()
        second.close()
    assert not errors, errors
    waiting = [e for e in needs_you(out, "pair") if e["status"] == "waiting"]
    assert len(waiting) == 1, received(out)
    assert len([e for e in received(out) if e["event"] == "task"]) == 1


def test_a_slow_command_never_holds_up_a_tick_and_is_ended_at_its_limit(
        repo: Path, tmp_path: Path) -> None:
    out, release = tmp_path / "received.jsonl", tmp_path / "release"
    configure(out, "--hold", str(release), timeout=1, tasks=True)
    ws = Workspace.open(repo)
    try:
        ws.add_task(TaskSpec("Slow", prompt="slow"))
        ws.refresh()  # returns while the command it started still runs
        pid = int(wait_for(lambda: Path(f"{out}.pid").exists()
                           and Path(f"{out}.pid").read_text(), 20))
        assert alive(pid)
        wait_for(lambda: not alive(pid), 30, what="the command to be ended at its limit")
        log = ws.ctx.state_dir / "notify.log"
        told = wait_for(lambda: log.read_text() if log.exists() else "", 10)
        assert "did not finish within 1s; ended it" in told
        assert received(out) == []  # ended before it wrote anything
    finally:
        release.touch()
        ws.close()


def test_no_command_set_later_does_not_replay_the_past(repo: Path, tmp_path: Path) -> None:
    write_user_config('[workspace]\ndefault_preset = "demo"\n')
    ws = Workspace.open(repo)
    try:
        ws.add_task(TaskSpec("Before", prompt="before"))
        ws.refresh()  # noticed, told to no one
    finally:
        ws.close()
    out = tmp_path / "received.jsonl"
    configure(out)
    ws = Workspace.open(repo)
    try:
        task = ws.add_task(TaskSpec("After", prompt="after"))
        ws.refresh()
        wait_for(lambda: received(out), 20)
        assert [e["task"] for e in received(out)] == [task.id]
    finally:
        ws.close()


def test_a_repository_file_cannot_set_the_command_until_trusted(repo: Path,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "received.jsonl"
    command = json.dumps([sys.executable, str(SINK), str(out)])
    (repo / ".workspace.toml").write_text(f"[notify]\ncommand = {command}\ntimeout = 3\n")
    ws = Workspace.open(repo)
    try:
        assert list(ws.settings.notify.command) == []
        assert ws.settings.notify.timeout == 3  # what runs nothing applies at once
        notice = ws.trust_notice()
        assert notice is not None and any("notify.command" in line for line in notice.lines())
        ws.trust_repo_config(notice.digest)
        assert list(ws.settings.notify.command) == [sys.executable, str(SINK), str(out)]
    finally:
        ws.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is ended; its parent (the deliverer) reaps it a moment later.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[-1].startswith("Z"))


def test_a_change_two_pollers_saw_at_once_is_claimed_by_one(ws: Workspace) -> None:
    """The race the end-to-end test rarely meets, made to happen: both pollers see the same
    change before either claims it; the second claim finds it taken."""
    agent = ws.spawn("race", preset="demo", prompt="add a note [noask]")
    other = Store(ws.ctx.store.path)
    try:
        now = {agent.id: "waiting"}
        seen_first = ws.ctx.store.notices.unnoticed(now)
        seen_second = other.notices.unnoticed(now)
        assert seen_first == seen_second == [(agent.id, "starting", "waiting")]
        assert ws.ctx.store.notices.claim(seen_first) == [(agent.id, "starting", "waiting")]
        assert other.notices.claim(seen_second) == []
        assert other.notices.claim_statuses(now) == []  # and noticed for good
    finally:
        other.close()


def test_an_agent_the_tool_ends_is_no_news(repo: Path, tmp_path: Path) -> None:
    """A kill (or a fresh relaunch) ends the agent's process on purpose: a poll in between
    would see it crash, and must not tell that."""
    out = tmp_path / "received.jsonl"
    configure(out, tasks=False)
    ws, poller = Workspace.open(repo), Workspace.open(repo)
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            poller.refresh()

    try:
        ws.spawn("keeps", preset="shell")  # the private server outlives the kill
        agent = ws.spawn("ended", prompt="add a note [noask]")
        wait_status(ws, "ended", Status.WAITING)
        ws.ctx.store.notices.hold(agent.id)
        assert ws.ctx.store.notices.claim_statuses({agent.id: "crashed"}) == []
        ws.ctx.store.notices.release(agent.id)
        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        ws.kill("ended", discard=True)
        stop.set()
        thread.join(20)
        wait_for(lambda: needs_you(out, "ended"), 20)
        assert [e["status"] for e in needs_you(out, "ended")] == ["waiting"]
    finally:
        stop.set()
        ws.close()
        poller.close()
