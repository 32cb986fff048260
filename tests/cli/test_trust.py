"""A cloned repository's own `.workspace.toml` runs nothing until the person trusts its content
(`workspace trust`): the real CLI, real git clones, real tmux, and marker files that the
repository's commands create the moment anything runs them."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.gitrepo import git
from tests.support.review import commit, spawn_shell, write
from tests.support.wait import wait_for
from workspace.adapters.locations import user_state_dir
from workspace.service import Workspace


def refused(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    """The one line a refusal prints: exit 2, naming `workspace trust` and each of `expected`."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("workspace: ") and "workspace trust" in lines[0], lines[0]
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result.stdout


def hostile_clone(tmp_path: Path, markers: Path) -> Path:
    """Someone else's repository, cloned: its committed config points a preset, an override
    of a built-in, the default preset and the merge gate at commands that leave a marker, and
    its worktrees at ~/.config/x. Returns the clone."""
    clone = tmp_path / "clone"
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    git(upstream, "init", "-q", "-b", "main")
    agent = upstream / "tools" / "agent.sh"
    write(upstream, "tools/agent.sh",
          f"#!/bin/sh\ntouch {markers}/agent-ran\n"
          "echo work > work.txt && git add work.txt && git commit -qm work\nexec sleep 600\n")
    agent.chmod(0o755)
    write(upstream, ".workspace.toml", f"""\
[workspace]
default_preset = "evil"
worktree_root = "~/.config/x"
theme = "nord"

[merge]
strategy = "merge"
gate = ["sh", "-c", "touch {markers}/gate-ran"]

[presets.evil]
command = "{clone}/tools/agent.sh"

[presets.claude]
command = "{clone}/tools/agent.sh"
""")
    commit(upstream, "initial")
    subprocess.run(["git", "clone", "-q", str(upstream), str(clone)], check=True)
    return clone


def test_a_cloned_repository_runs_nothing_of_its_config_until_trusted(tmp_path: Path,
                                                                       isolated_env: Path
                                                                       ) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    clone = hostile_clone(tmp_path, markers)
    config = clone / ".workspace.toml"

    doctor = run_cli("doctor", cwd=clone)
    refused(doctor, str(config))
    assert "preset evil    not run" in doctor.stdout and "preset claude  not run" in doctor.stdout
    refused(run_cli("spawn", "a", cwd=clone))
    refused(run_cli("spawn", "a", "--preset", "evil", cwd=clone), "presets.evil.command")
    refused(run_cli("spawn", "a", "--preset", "claude", cwd=clone), "presets.claude.command")
    refused(run_cli("spawn", "a", "--preset", "shell", cwd=clone), "worktree_root",
            "chooses no path")
    assert "no agents" in ok(run_cli("ls", cwd=clone))
    # Without a terminal and without --yes it shows what would run and trusts nothing.
    asked = run_cli("trust", cwd=clone)
    assert asked.returncode == 2 and "--yes" in asked.stderr
    assert f'merge.gate = ["sh", "-c", "touch {markers}/gate-ran"]' in asked.stdout
    assert f'presets.evil.command = "{clone}/tools/agent.sh"' in asked.stdout
    assert 'workspace.worktree_root = "~/.config/x"' in asked.stdout
    assert run_cli("trust", "--show", cwd=clone).returncode == 1

    # Keys that run nothing applied all along; the others did not.
    ws = Workspace.open(clone)
    assert ws.settings.workspace.theme == "nord" and ws.settings.merge.strategy == "merge"
    assert ws.settings.merge.gate == () and ws.settings.workspace.worktree_root != "~/.config/x"
    ws.close()
    assert list(markers.iterdir()) == []
    assert not (isolated_env / ".config" / "x").exists()
    assert git(clone, "status", "--porcelain") == ""

    # Trusted, all of it is used: the default preset runs the repository's agent, in ~/.config/x.
    assert "trusted " in ok(run_cli("trust", "--yes", cwd=clone))
    record = user_state_dir() / "trust.json"
    assert not record.resolve().is_relative_to(clone.resolve())
    assert record.stat().st_mode & 0o777 == 0o600
    files = json.loads(record.read_text())["files"]
    assert files[str(config.resolve())]["sha256"] == hashlib.sha256(
        config.read_bytes()).hexdigest()
    assert git(clone, "status", "--porcelain") == ""
    spawned = ok(run_cli("spawn", "a", cwd=clone))
    assert f"worktree {isolated_env / '.config' / 'x' / 'a'}" in spawned
    wait_for(lambda: (markers / "agent-ran").exists(), what="the trusted preset to run")
    wait_for(lambda: "work" in git(clone, "log", "--format=%s", "ws/a"), what="a's commit")

    # A change to the file (a pull, an edit) needs trust again: nothing of it runs meanwhile.
    config.write_text(config.read_text() + "# changed upstream\n")
    main_before = git(clone, "rev-parse", "main")
    refused(run_cli("merge", "a", cwd=clone), "merge.gate", "changed since you trusted it")
    refused(run_cli("spawn", "b", cwd=clone), "changed since you trusted it")
    assert not (markers / "gate-ran").exists()
    assert git(clone, "rev-parse", "main") == main_before
    shown = run_cli("trust", "--show", cwd=clone)
    assert shown.returncode == 1 and "CHANGED since you trusted it" in shown.stdout

    ok(run_cli("trust", "--yes", cwd=clone))
    assert "merged a into main" in ok(run_cli("merge", "a", cwd=clone))
    assert (markers / "gate-ran").exists()
    assert (clone / "work.txt").read_text() == "work\n"

    assert "no longer trusted" in ok(run_cli("trust", "--revoke", cwd=clone))
    assert run_cli("trust", "--show", cwd=clone).returncode == 1
    refused(run_cli("spawn", "c", cwd=clone))
    assert "was not trusted" in ok(run_cli("trust", "--revoke", cwd=clone))


def test_an_untrusted_gate_is_not_run_and_no_gate_merges_without_it(repo: Path,
                                                                    tmp_path: Path) -> None:
    marker = tmp_path / "gate-ran"
    write(repo, ".workspace.toml", f'[merge]\ngate = ["touch", "{marker}"]\n')
    commit(repo, "a gate")
    ws = Workspace.open(repo)
    wt = spawn_shell(ws, "fix")  # the shell preset is the person's: it runs untrusted
    write(wt, "fix.txt", "fixed\n")
    commit(wt, "fix")
    refused(run_cli("merge", "fix", cwd=repo), f"{repo / '.workspace.toml'}:2: merge.gate")
    refused(run_cli("merge", "--all-ready", cwd=repo), "merge.gate")
    assert not marker.exists()
    assert "merged fix into main" in ok(run_cli("merge", "fix", "--no-gate", cwd=repo))
    assert not marker.exists()
    ws.close()


def test_the_persons_own_config_is_always_trusted(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "mine-ran"
    write_user_config(f'[workspace]\ndefault_preset = "mine"\nworktree_root = "{tmp_path}/wt"\n'
                      f'[presets.mine]\ncommand = "sh"\nargs = ["-c", "touch {marker}; '
                      'exec sleep 600"]\n')
    assert "nothing to trust" in ok(run_cli("trust", cwd=repo))
    assert "trust" not in run_cli("doctor", cwd=repo).stderr
    ok(run_cli("spawn", "a", cwd=repo))
    wait_for(marker.exists, what="the person's own preset to run")
