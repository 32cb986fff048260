"""Issue 11, a hundred agents in the real app, at 80x24 and then 200x50: / filters as typed
(words, status:, preset:, task:, plan:), the header counts the whole fleet and says how many
the filter hides, G groups by status, preset and task/plan with headers that count and fold
(and * marks a group), o sorts by name, age, cost and diff size and back."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from tests.support.config import write_user_config
from tests.support.pilot import main, until
from tests.support.screen import SIZES, table_lines
from workspace.core.tasks.model import TaskSpec, TaskState
from workspace.service import Workspace
from workspace.ui.app import WorkspaceApp
from workspace.ui.widgets.agent_table import AgentTable
from workspace.ui.widgets.view_bar import ViewBar

PAUSED = [f"agent-{i:03d}" for i in range(10)]


def make_fleet(repo: Path) -> None:
    """100 agents: five working for plan p1's tasks, one for a lone task, 94 more, half of
    them of a second shell preset, ten of those paused."""
    write_user_config('[workspace]\ndefault_preset = "shell"\npoll_interval = 1.0\n'
                      '[presets.sh2]\nkind = "shell"\ncommand = "/bin/sh"\n')
    ws = Workspace.open(repo)
    store = ws.ctx.store.tasks
    plan = store.add_plan("Harden the API", None)
    for i in range(1, 6):
        task = store.add(TaskSpec(f"API part {i}"), TaskState.RUNNING, "person", plan=plan.id)
        ws.lifecycle.spawn(f"plan-part-{i}", preset="shell", task_id=task.id)
    lone = store.add(TaskSpec("Write the docs"), TaskState.RUNNING, "person")
    ws.lifecycle.spawn("lone-docs", preset="shell", task_id=lone.id)
    for i in range(94):
        ws.spawn(f"agent-{i:03d}", preset="shell" if i % 2 else "sh2")
    for name in PAUSED:
        ws.pause(name)
    ws.close()


async def test_a_hundred_agents_filtered_grouped_and_sorted(repo: Path) -> None:
    make_fleet(repo)
    for size in SIZES:
        app = WorkspaceApp(Workspace.open(repo))
        async with app.run_test(size=size) as pilot:
            await look_at_a_hundred(pilot, app)


def names(app: WorkspaceApp, ids: tuple[str, ...]) -> list[str]:
    snapshot = main(app).snapshot
    assert snapshot is not None
    return [a.name for i in ids if (a := snapshot.by_id(i)) is not None]


async def look_at_a_hundred(pilot: Pilot[None], app: WorkspaceApp) -> None:
    screen = main(app)
    table = screen.query_one(AgentTable)
    header = screen.query_one("#header", Static)
    bar = screen.query_one("#view", Static)
    await until(pilot, lambda: "100 agents" in str(header.render()) and
                "90 need you" in str(header.render()), 60, "the fleet, 90 waiting")

    async def paste_filter(text: str, shown: int, opening: bool = True) -> None:
        # Pasted, as a person might (Pilot waits for the whole process to go idle after
        # each key: with a hundred agents polled, typing every filter costs minutes).
        if opening:
            await pilot.press("slash")
        screen.query_one(ViewBar).input.insert_text_at_cursor(text)
        await until(pilot, lambda: len(table.shown_ids) == shown, 5,
                    f"{text!r} to show {shown}, not {len(table.shown_ids)}")

    # As typed: the table follows each key; the header keeps the fleet's counts.
    await pilot.press("slash", *"status:p")  # typed: the table follows each key
    await until(pilot, lambda: len(table.shown_ids) == 10, 5, "the paused ones")
    await pilot.press(*"aused", "enter")
    assert sorted(names(app, table.shown_ids)) == PAUSED
    said = str(header.render())
    assert "100 agents, 90 hidden" in said and "90 need you" in said
    assert app.focused is table
    await pilot.press("slash", "escape")  # esc clears the filter
    assert len(table.shown_ids) == 100 and "hidden" not in str(header.render())
    await paste_filter("plan:p1", 5)
    assert sorted(names(app, table.shown_ids)) == [f"plan-part-{i}" for i in range(1, 6)]
    await pilot.press("escape")
    await paste_filter("task:t6", 1)
    assert names(app, table.shown_ids) == ["lone-docs"]
    await pilot.press("escape")
    await paste_filter("preset:sh2", 47)
    await pilot.press("escape")
    await paste_filter("agent-00", 10)
    await paste_filter(" status:wait", 0, opening=False)  # words and terms together
    await pilot.press("enter")
    assert len(table.shown_ids) == 0
    await pilot.press("slash", "escape")

    # Groups: headers count (and say who needs you) and fold; * marks a group.
    await pilot.press("G")
    assert "grouped by status" in str(bar.render())
    assert table_lines(app)[1].startswith("▾ waiting for you  90 agents · 90 need you")
    await pilot.press("home", "enter")  # enter on a header folds it
    lines = table_lines(app)
    assert lines[1].startswith("▸ waiting for you  90 agents") and \
        lines[2].startswith("▾ paused  10 agents")
    await pilot.press("down", "asterisk")
    assert sorted(names(app, tuple(table.marked))) == PAUSED
    await pilot.press("u", "up", "right")  # → unfolds
    assert table.row_count == 102
    await pilot.press("G")
    labels = [table.get_row_at(i)[1] for i in range(table.row_count)
              if table.get_row_at(i)[0] == "" and table.get_row_at(i)[2] == ""]
    assert labels == ["preset sh2", "preset shell"]
    assert table_lines(app)[1].startswith("▾ preset sh2  47 agents · 42 need you")
    await pilot.press("G")
    lines = [line for line in table_lines(app) if line.startswith(("▾", "▸"))]
    assert lines[0].startswith("▾ plan p1 · Harden the API  5 agents · 5 need you")
    assert table.get_row_at(6)[1] == "task t6 · Write the docs"
    assert table.get_row_at(8)[1] == "no task"
    await pilot.press("G")
    assert table.row_count == 100 and "grouped" not in str(bar.render())

    # Sorts: needs you first by default, then name, age, cost, diff size, and back.
    first = table.get_row_at(0)[2]
    await pilot.press("o")
    assert "sorted by name" in str(bar.render())
    assert [table.get_row_at(i)[2] for i in range(3)] == ["agent-000", "agent-001",
                                                          "agent-002"]
    for order in ("age in status", "cost", "diff size"):
        await pilot.press("o")
        assert f"sorted by {order}" in str(bar.render())
    await pilot.press("o")
    assert table.get_row_at(0)[2] == first and not str(bar.render())
