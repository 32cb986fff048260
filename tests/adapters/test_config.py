"""Config: strict validation, one line naming file, line and key, with "did you mean"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.paths import TOP
from workspace.adapters.config import ConfigError, load_settings, read_config_file
from workspace.adapters.locations import user_config_file


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("[workspace]\npol_interval = 2\n", 2, "workspace.pol_interval: unknown key; did you mean 'poll_interval'?"),
        ("[workspace]\npoll_interval = 'fast'\n", 2, "workspace.poll_interval: must be a number"),
        ("[workspace]\npoll_interval = 0\n", 2, "must be greater than 0"),
        ("[merge]\nstrategy = 'octopus'\n", 2, "merge.strategy: must be one of squash, merge, rebase"),
        ("[worksapce]\n", 1, "worksapce: unknown key; did you mean 'workspace'?"),
        ("\n\n[presets.claude]\ncomand = 'x'\n", 4, "presets.claude.comand: unknown key; did you mean 'command'?"),
        ("[presets.mine]\nargs = ['--x']\n", 1, "presets.mine: a new preset needs a 'command'"),
        ("[presets.claude.env]\n'BAD NAME' = 'x'\n", 2, "not a valid environment variable name"),
        ("[keys]\nspawn = 'q'\n", 2, "'q' is already bound to"),
        ("[workspace]\nwindow_size = 'big'\n", 2, "must look like '200x50'"),
        ("[workspace\n", 1, "invalid TOML"),
    ],
)
def test_bad_config_names_file_line_and_key(tmp_path: Path, text: str, line: int,
                                            says: str) -> None:
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError) as caught:
        read_config_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert says in message
    assert "\n" not in message


def test_per_repo_file_wins_key_by_key(tmp_path: Path) -> None:
    write(user_config_file(), "[workspace]\nbranch_prefix = 'mine'\npoll_interval = 2\n"
          "[presets.claude]\ncommand = '/opt/claude'\nenv = { A = '1' }\n")
    repo = tmp_path / "repo"
    write(repo / ".workspace.toml", "[workspace]\npoll_interval = 0.5\n"
          "[presets.claude]\nenv = { ANTHROPIC_BASE_URL = 'http://127.0.0.1:1' }\n")
    settings = load_settings(repo)
    assert settings.workspace.branch_prefix == "mine"
    assert settings.workspace.poll_interval == 0.5
    claude = settings.preset("claude")
    assert claude is not None
    assert claude.command == "/opt/claude"
    assert claude.env_dict == {"ANTHROPIC_BASE_URL": "http://127.0.0.1:1"}


def test_new_generic_preset_and_key_remap(tmp_path: Path) -> None:
    write(user_config_file(), "[presets.mytool]\ncommand = 'mytool'\nargs = ['--fast']\n"
          "prompt_args = ['--task', '{prompt}']\n[keys]\nspawn = 'ctrl+n'\n")
    settings = load_settings(None)
    mine = settings.preset("mytool")
    assert mine is not None and mine.kind == "generic" and mine.args == ("--fast",)
    assert settings.key_for("spawn") == "ctrl+n"


def test_unknown_default_preset(tmp_path: Path) -> None:
    write(user_config_file(), "[workspace]\ndefault_preset = 'nope'\n")
    with pytest.raises(ConfigError, match="unknown preset 'nope'"):
        load_settings(None)


def test_cli_reports_bad_config_with_exit_2(repo: Path) -> None:
    write(repo / ".workspace.toml", "[workspace]\nstuck_afterr = 3\n")
    result = run_cli("ls", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"workspace: {repo / '.workspace.toml'}:2: workspace.stuck_afterr: unknown key; "
        "did you mean 'stuck_after'?"
    )


def test_example_config_is_valid() -> None:
    example = TOP / "config.example.toml"
    read_config_file(example)
