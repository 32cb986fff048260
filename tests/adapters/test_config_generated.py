"""The one declaration of the settings: the committed example and docs are generated from it,
every key is described, and the keys that run a program or choose a path are marked and kept
per file."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from tests.support.paths import TOP
from workspace.adapters.config import generated_docs, load_settings, sensitive_keys
from workspace.adapters.locations import user_config_file
from workspace.core.settings import (
    CLEANUP_CHOICES,
    MERGE_STRATEGIES,
    PRESET_KINDS,
    MergeSettings,
    SensitiveKey,
    WorkspaceSettings,
    declared_keys,
    table,
)

TOP = TOP


def test_committed_example_and_docs_match_the_declaration() -> None:
    for name, text in generated_docs().items():
        committed = (TOP / name).read_text(encoding="utf-8")
        assert committed == text, f"{name} is out of date: run ./scripts/gen-config-example"


def test_the_generator_script_checks_without_writing() -> None:
    result = subprocess.run([sys.executable, str(TOP / "scripts" / "gen-config-example"),
                             "--check"], capture_output=True, text=True, cwd=TOP)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_example_shows_every_key_with_its_default() -> None:
    example = generated_docs()["config.example.toml"]
    for key in declared_keys():
        if key.table == "presets.<name>":
            assert f"#   {key.name} " in example, key.path
        else:
            assert f"\n{key.name} = " in example, key.path
    assert "poll_interval = 1\n" in example and 'detach_key = "C-]"\n' in example


def test_docs_table_lists_every_key_and_the_readme_links_it() -> None:
    docs = generated_docs()["docs/config.md"]
    for key in declared_keys():
        assert f"| `{key.name}`" in docs, key.path
    assert "](docs/config.md)" in (TOP / "README.md").read_text(encoding="utf-8")


def test_every_setting_field_is_declared_and_described() -> None:
    for cls, name in ((WorkspaceSettings, "workspace"), (MergeSettings, "merge")):
        declared = table(name)
        assert declared is not None
        assert sorted(f.name for f in fields(cls)) == declared.names
    for key in declared_keys():
        assert key.spec.doc.strip(), key.path


def test_constants_come_from_the_literals() -> None:
    assert MERGE_STRATEGIES == ("squash", "merge", "rebase")
    assert CLEANUP_CHOICES == ("ask", "always", "never")
    assert "generic" in PRESET_KINDS and "claude" in PRESET_KINDS
    merge = table("merge")
    strategy = merge.key("strategy") if merge else None
    assert strategy is not None and strategy.choices == MERGE_STRATEGIES


def test_the_documented_preset_example_is_valid(tmp_path: Path) -> None:
    presets = table("presets")
    assert presets is not None and presets.example
    path = user_config_file()
    path.parent.mkdir(parents=True)
    path.write_text(presets.example)
    mine = load_settings(None).preset("mytool")
    assert mine is not None and mine.prompt_args == ("--task", "{prompt}")


def test_trust_sensitive_keys_are_marked() -> None:
    marked = {k.path for k in declared_keys() if k.spec.sensitive}
    assert marked == {
        "workspace.worktree_root", "merge.gate", "notify.command", "worktree.copy",
        "worktree.symlink", "worktree.post_create",
        *(f"presets.<name>.{k}" for k in ("command", "args", "env", "prompt_args", "rules",
                                          "unattended_args")),
    }


def test_loader_keeps_the_sensitive_keys_each_file_set(tmp_path: Path) -> None:
    user = user_config_file()
    user.parent.mkdir(parents=True)
    user.write_text("[presets.claude]\ncommand = '/opt/claude'\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    repo_file = repo / ".workspace.toml"
    repo_file.write_text(
        "[workspace]\n"
        "poll_interval = 2\n"
        "worktree_root = '/tmp/elsewhere'\n"
        "[merge]\n"
        "gate = ['make', 'check']\n"
        "strategy = 'merge'\n"
        "[presets.claude]\n"
        "env = { ANTHROPIC_BASE_URL = 'http://127.0.0.1:1' }\n"
        "[presets.mine]\n"
        "command = 'mine'\n"
        "prompt_args = ['{prompt}']\n"
        "rules = 'claude'\n"
    )
    from_repo = [
        SensitiveKey(str(repo_file), "workspace.worktree_root", "/tmp/elsewhere", 3),
        SensitiveKey(str(repo_file), "merge.gate", ("make", "check"), 5),
        SensitiveKey(str(repo_file), "presets.claude.env",
                     (("ANTHROPIC_BASE_URL", "http://127.0.0.1:1"),), 8),
        SensitiveKey(str(repo_file), "presets.mine.command", "mine", 10),
        SensitiveKey(str(repo_file), "presets.mine.prompt_args", ("{prompt}",), 11),
        SensitiveKey(str(repo_file), "presets.mine.rules", "claude", 12),
    ]
    assert sensitive_keys(repo_file) == from_repo
    settings = load_settings(repo)
    assert settings.sensitive_in(str(repo_file)) == tuple(from_repo)
    assert settings.sensitive_in(str(user)) == (
        SensitiveKey(str(user), "presets.claude.command", "/opt/claude", 2),)
    assert settings.sensitive == (*settings.sensitive_in(str(user)), *from_repo)
