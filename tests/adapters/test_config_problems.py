"""Config faults: every problem of a file at once, non-finite and out-of-range numbers,
directories where a file should be, and the default preset named at the file and line that
set it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli
from workspace.adapters.config import ConfigError, load_settings, read_config_file
from workspace.adapters.locations import user_config_file


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        read_config_file(path)
    return str(caught.value).splitlines()


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", (
        "[workspace]\n"
        "pol_interval = 2\n"
        "history_limit = 5\n"
        "bell = 'yes'\n"
        "[merge]\n"
        "strategy = 'octopus'\n"
        "[presets.mine]\n"
        "args = ['--x']\n"
        "[presets.claude.env]\n"
        "'BAD NAME' = 'x'\n"
        "[keys]\n"
        "spawn = 'q'\n"
    ))
    assert problems_of(path) == [
        f"{path}:2: workspace.pol_interval: unknown key; did you mean 'poll_interval'?",
        f"{path}:3: workspace.history_limit: must be between 100 and 1000000",
        f"{path}:4: workspace.bell: must be true or false, not 'yes'",
        f"{path}:6: merge.strategy: must be one of squash, merge, rebase",
        f"{path}:7: presets.mine: a new preset needs a 'command'",
        f"{path}:10: presets.claude.env.BAD NAME: is not a valid environment variable name",
        f"{path}:12: keys.spawn: 'q' is already bound to quit",
    ]


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "+inf"])
def test_non_finite_numbers_are_rejected(tmp_path: Path, value: str) -> None:
    path = write(tmp_path / "config.toml",
                 f"[workspace]\npoll_interval = {value}\nstuck_after = {value}\n"
                 f"[merge]\ngate_timeout = {value}\n")
    found = problems_of(path)
    assert [line.split(": ")[1] for line in found] == [
        "workspace.poll_interval", "workspace.stuck_after", "merge.gate_timeout"]
    assert all(f"must be a finite number, not {float(value)!r}" in line for line in found), found


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("poll_interval = 1e9", "workspace.poll_interval: must be greater than 0 and at most 60"),
        ("stuck_after = -1", "workspace.stuck_after: must be greater than 0 and at most 86400"),
        ("budget_usd = -0.5", "workspace.budget_usd: must be 0 or more"),
        ("history_limit = 2.5", "workspace.history_limit: must be a whole number, not 2.5"),
        ("worktree_root = ''", "workspace.worktree_root: must not be empty"),
        ("branch_prefix = '-x'", "workspace.branch_prefix: must be a valid branch prefix like 'ws'"),
    ],
)
def test_ranges_come_from_the_declaration(tmp_path: Path, line: str, says: str) -> None:
    path = write(tmp_path / "config.toml", f"[workspace]\n{line}\n")
    assert problems_of(path) == [f"{path}:2: {says}"]


def test_a_top_level_key_is_pointed_at_its_table(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "poll_interval = 2\n")
    assert problems_of(path) == [
        f"{path}:1: poll_interval: unknown key; it belongs in a table: [workspace]"]


def test_problems_of_both_files_are_reported_together(tmp_path: Path) -> None:
    user = write(user_config_file(), "[workspace]\nbell = 1\n")
    repo = tmp_path / "repo"
    repo_file = write(repo / ".workspace.toml", "[merge]\ncleanup = 'sometimes'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(repo)
    assert str(caught.value).splitlines() == [
        f"{user}:2: workspace.bell: must be true or false, not 1",
        f"{repo_file}:2: merge.cleanup: must be one of ask, always, never",
    ]


@pytest.mark.parametrize("in_repo", [False, True])
def test_a_directory_where_a_config_file_goes_is_an_error(tmp_path: Path, in_repo: bool) -> None:
    repo = tmp_path / "repo"
    path = repo / ".workspace.toml" if in_repo else user_config_file()
    path.mkdir(parents=True)
    with pytest.raises(ConfigError) as caught:
        load_settings(repo)
    assert str(caught.value) == (
        f"{path}: is a directory, not a config file; remove or rename it")


def test_a_broken_link_where_a_config_file_goes_is_an_error(tmp_path: Path) -> None:
    path = user_config_file()
    path.parent.mkdir(parents=True)
    path.symlink_to(tmp_path / "gone.toml")
    with pytest.raises(ConfigError, match="is a broken link, not a config file"):
        load_settings(None)


def test_unknown_default_preset_names_the_repo_file_and_line(tmp_path: Path) -> None:
    write(user_config_file(), "[workspace]\nbell = false\n")
    repo = tmp_path / "repo"
    repo_file = write(repo / ".workspace.toml", "\n[workspace]\ndefault_preset = 'nosuch'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(repo)
    assert str(caught.value).startswith(
        f"{repo_file}:3: workspace.default_preset: unknown preset 'nosuch'; known: aider, claude")


def test_unknown_default_preset_names_the_user_file_when_it_set_it(tmp_path: Path) -> None:
    user = write(user_config_file(), "[workspace]\nbell = false\ndefault_preset = 'demoo'\n")
    repo = tmp_path / "repo"
    write(repo / ".workspace.toml", "[workspace]\npoll_interval = 2\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(repo)
    assert str(caught.value) == (
        f"{user}:3: workspace.default_preset: unknown preset 'demoo'; did you mean 'demo'?")


def test_a_preset_of_the_user_file_may_be_tuned_and_chosen_by_the_repo_file(
        tmp_path: Path) -> None:
    write(user_config_file(), "[presets.mytool]\ncommand = 'mytool'\n")
    repo = tmp_path / "repo"
    write(repo / ".workspace.toml",
          "[workspace]\ndefault_preset = 'mytool'\n[presets.mytool]\nargs = ['--fast']\n")
    settings = load_settings(repo)
    mine = settings.preset("mytool")
    assert mine is not None and mine.command == "mytool" and mine.args == ("--fast",)
    assert settings.workspace.default_preset == "mytool"


def test_a_key_bound_twice_across_files_is_reported_where_the_second_is_set(
        tmp_path: Path) -> None:
    write(user_config_file(), "[keys]\nspawn = 'ctrl+n'\n")
    repo = tmp_path / "repo"
    repo_file = write(repo / ".workspace.toml", "[keys]\n\nsend = 'ctrl+n'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(repo)
    assert str(caught.value) == f"{repo_file}:3: keys.send: 'ctrl+n' is already bound to spawn"


def test_cli_reports_every_problem_with_exit_2(repo: Path) -> None:
    write(repo / ".workspace.toml", "[workspace]\nstuck_after = nan\nquiet_after = 0\n")
    result = run_cli("ls", cwd=repo)
    assert result.returncode == 2
    path = repo / ".workspace.toml"
    assert result.stderr.strip().splitlines() == [
        f"workspace: {path}:2: workspace.stuck_after: must be a finite number, not nan",
        f"{path}:3: workspace.quiet_after: must be greater than 0 and at most 86400",
    ]


def test_cli_reports_a_config_directory_with_exit_2(repo: Path) -> None:
    (repo / ".workspace.toml").mkdir()
    result = run_cli("ls", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"workspace: {repo / '.workspace.toml'}: is a directory, not a config file; "
        "remove or rename it")
