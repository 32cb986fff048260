"""A repository's own `.workspace.toml` in the real app (Pilot): the TUI says once what it would
run, with a key to trust it; asked again (T) it shows it again; a file changed while shown is
shown anew, never trusted unseen."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from tests.support.pilot import SIZE, main, until
from tests.support.review import commit, write
from workspace.service import Workspace
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.trust import TrustScreen
from workspace.ui.screens.main import MainScreen
from workspace.ui.widgets.trust import RepoTrustCheck


def repo_config(repo: Path, marker: Path, extra: str = "") -> Path:
    """The repository's config: a merge gate and a preset that would leave `marker`."""
    write(repo, ".workspace.toml", f'''\
[merge]
gate = ["touch", "{marker}"]

[presets.tool]
command = "/bin/sh"
args = ["-c", "touch {marker}; exec sleep 600"]
{extra}''')
    commit(repo, "the repository's own config")
    return repo / ".workspace.toml"


def dialog_text(screen: object) -> str:
    """The trust notice on screen, as it reads."""
    assert isinstance(screen, TrustScreen), screen
    console = Console(width=200, record=True, file=io.StringIO())
    for static in screen.query(Static):
        console.print(static.content)
    return console.export_text()


async def test_the_tui_shows_what_the_repo_config_runs_once_and_trusts_it_by_key(
        repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    config = repo_config(repo, marker)
    app = WorkspaceApp(Workspace.open(repo))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TrustScreen), 10, "the trust notice")
        text = dialog_text(app.screen)
        assert str(config) in text
        assert f'merge.gate = ["touch", "{marker}"]' in text
        assert 'presets.tool.command = "/bin/sh"' in text
        assert "ctrl+t here, or 'workspace trust'" in text
        await pilot.press("enter")  # the focused button is "Not now": a reflex trusts nothing
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 5, "the notice gone")
        assert app.ws.trust_notice() is not None and not app.ws.settings.merge.gate

        # Once per content: reading the file again in this run does not ask again by itself.
        main(app).query_one(RepoTrustCheck).check()  # what a start does
        await pilot.pause(0.5)
        assert isinstance(app.screen, MainScreen)

        await pilot.press("ctrl+t")  # asked: it is shown again
        await until(pilot, lambda: isinstance(app.screen, TrustScreen), 10, "the notice on T")
        await pilot.press("t")
        await until(pilot, lambda: app.ws.trust_notice() is None, 10, "the file trusted")
        assert isinstance(app.screen, MainScreen)
        assert tuple(app.ws.settings.merge.gate) == ("touch", str(marker))
        assert "tool" in app.ws.preset_names()
        await until(pilot, lambda: any("trusted" in n.message for n in app._notifications),
                    5, "the line saying so")
        assert not marker.exists()  # trusting runs nothing by itself

        await pilot.press("ctrl+t")
        await pilot.pause(0.5)
        assert isinstance(app.screen, MainScreen)
        assert any("Nothing waits for trust" in n.message for n in app._notifications)


async def test_a_file_changed_while_shown_is_shown_again_not_trusted(repo: Path,
                                                                     tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    config = repo_config(repo, marker)
    app = WorkspaceApp(Workspace.open(repo))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TrustScreen), 10, "the trust notice")
        first = app.screen
        config.write_text(config.read_text() + '[presets.other]\ncommand = "/bin/false"\n')
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TrustScreen)
                    and app.screen is not first, 10, "the notice shown again")
        text = dialog_text(app.screen)
        assert "changed while it was shown; nothing was trusted" in text
        assert 'presets.other.command = "/bin/false"' in text
        notice = app.ws.trust_notice()
        assert notice is not None  # nothing was trusted
        await pilot.press("t")
        await until(pilot, lambda: app.ws.trust_notice() is None, 10, "the new content trusted")
        assert "other" in app.ws.preset_names()
