"""What of a repository's `.workspace.toml` waits for trust, and what applies untrusted: the
default preset, where worktrees may go, preset tables, the trust record, and the service
calls a front end uses (trust_notice, trust_repo_config)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.gitrepo import make_repo
from tests.support.review import write
from tests.support.terminal import Terminal
from tests.support.wait import wait_for
from workspace.adapters.repo_trust import load_trusted_settings, stays_beside
from workspace.adapters.trust import TrustStore, trust_file
from workspace.core.errors import UsageError
from workspace.service import Workspace


def repo_file(repo: Path, text: str) -> Path:
    path = repo / ".workspace.toml"
    path.write_text(text)
    return path


def test_the_repository_may_choose_a_default_preset_only_where_the_person_chose_none(
        repo: Path) -> None:
    # Like the demo repository: a preset the person has, none of the person's own choosing.
    repo_file(repo, '[workspace]\ndefault_preset = "demo"\n')
    settings, trust = load_trusted_settings(repo)
    assert settings.workspace.default_preset == "demo"
    assert trust is not None and trust.keys == () and not trust.needs_trust
    assert "runs no program and chooses no path" in run_cli("trust", cwd=repo).stdout

    # The person chose one: theirs stands until the file is trusted.
    write_user_config('[workspace]\ndefault_preset = "shell"\n')
    settings, trust = load_trusted_settings(repo)
    assert settings.workspace.default_preset == "shell"
    assert trust is not None and trust.needs_trust
    assert [k.key for k in trust.keys] == ["workspace.default_preset"]
    assert "instead of yours, 'shell'" in trust.lines()[0]
    assert run_cli("trust", "--yes", cwd=repo).returncode == 0
    assert load_trusted_settings(repo)[0].workspace.default_preset == "demo"


def test_a_default_preset_the_repository_defines_is_kept_and_refuses_to_run(
        repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "team-ran"
    write_user_config('[workspace]\nbell = false\n')
    repo_file(repo, f'[workspace]\ndefault_preset = "team"\n'
                    f'[presets.team]\ncommand = "touch"\nargs = ["{marker}"]\n')
    ws = Workspace.open(repo)
    assert ws.settings.workspace.default_preset == "team"
    assert "team" in ws.preset_names()  # the spawn form can still show it
    for preset in (None, "team"):
        with pytest.raises(UsageError, match=r"\.workspace\.toml:4: presets\.team\.command"):
            ws.spawn("a", preset=preset)
    assert ws.agents() == [] and not marker.exists()
    ws.close()


def test_the_persons_default_may_name_a_preset_only_the_repository_defines(repo: Path) -> None:
    write_user_config('[workspace]\ndefault_preset = "team"\n')
    repo_file(repo, '[presets.team]\ncommand = "sh"\n')
    settings, trust = load_trusted_settings(repo)
    assert settings.workspace.default_preset == "team"
    assert trust is not None and trust.withholds("presets.team")


def test_a_preset_table_waits_for_trust_whole_even_with_only_its_kind(repo: Path) -> None:
    repo_file(repo, '[presets.shell]\nkind = "claude"\n[keys]\nspawn = "ctrl+n"\n')
    settings, trust = load_trusted_settings(repo)
    assert trust is not None and [k.key for k in trust.keys] == ["presets.shell.kind"]
    shell = settings.preset("shell")
    assert shell is not None and shell.kind == "shell"
    assert settings.key_for("spawn") == "ctrl+n"  # keys run nothing: they apply untrusted


@pytest.mark.parametrize(("value", "applies"), [
    ("../{repo}-worktrees", True),
    ("../{repo}_wt/deeper", True),
    (".worktrees", True),
    ("../{repo}", True),
    (".git/worktrees", False),
    ("../{repo}wt", False),
    ("../other", False),
    ("..", False),
    ("../../elsewhere", False),
    ("~/.config/x", False),
    ("/tmp/x", False),
    ("link/inside", False),
])
def test_where_worktrees_may_go_untrusted(repo: Path, isolated_env: Path, value: str,
                                         applies: bool) -> None:
    (repo / "link").symlink_to(isolated_env)  # committed symlinks are followed, then judged
    assert stays_beside(value, repo) is applies
    repo_file(repo, f'[workspace]\nworktree_root = "{value}"\n')
    settings, trust = load_trusted_settings(repo)
    assert (settings.workspace.worktree_root == value) is applies
    assert trust is not None and trust.needs_trust is not applies


def test_a_moved_repository_needs_trust_again(tmp_path: Path) -> None:
    first = make_repo(tmp_path / "first")
    repo_file(first, '[merge]\ngate = ["make", "check"]\n')
    assert run_cli("trust", "--yes", cwd=first).returncode == 0
    assert run_cli("trust", "--show", cwd=first).returncode == 0
    moved = tmp_path / "moved"
    first.rename(moved)
    shown = run_cli("trust", "--show", cwd=moved)
    assert shown.returncode == 1 and "not trusted" in shown.stdout


def test_an_unreadable_trust_record_trusts_nothing_and_is_rewritten(repo: Path) -> None:
    path = repo_file(repo, '[merge]\ngate = ["make", "check"]\n')
    trust_file().parent.mkdir(parents=True)
    trust_file().write_text("{not json")
    assert load_trusted_settings(repo)[1].needs_trust  # type: ignore[union-attr]
    assert run_cli("trust", "--yes", cwd=repo).returncode == 0
    assert TrustStore().recorded(path) is not None
    assert trust_file().stat().st_mode & 0o777 == 0o600


def test_a_bad_repository_file_is_reported_not_trusted(repo: Path) -> None:
    repo_file(repo, '[merge]\ngate = "make check"\n')
    result = run_cli("trust", "--yes", cwd=repo)
    assert result.returncode == 2 and "merge.gate: must be a list" in result.stderr
    assert not trust_file().exists()


def test_the_service_calls_a_front_end_uses(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "mine-ran"
    path = repo_file(repo, f'[presets.mine]\ncommand = "sh"\n'
                           f'args = ["-c", "touch {marker}; exec sleep 600"]\n')
    ws = Workspace.open(repo)
    notice = ws.trust_notice()
    assert notice is not None and notice.path == path
    assert notice.lines() == ['  line 2: presets.mine.command = "sh"',
                              f'  line 3: presets.mine.args = ["-c", "touch {marker}; exec '
                              'sleep 600"]']
    assert "workspace trust" in notice.summary()
    with pytest.raises(UsageError, match="workspace trust"):
        ws.spawn("a", preset="mine")

    path.write_text(path.read_text() + "# edited after it was shown\n")
    with pytest.raises(UsageError, match="changed since it was shown"):
        ws.trust_repo_config(notice.digest)
    assert not TrustStore().trusted(path, notice.digest)
    fresh = ws.trust_notice()
    assert fresh is not None and fresh.digest != notice.digest

    assert ws.trust_repo_config(fresh.digest).trusted
    assert ws.trust_notice() is None
    ws.spawn("a", preset="mine")  # the settings in use follow the trust at once
    wait_for(marker.exists, what="the trusted preset to run")

    assert ws.revoke_repo_trust()
    with pytest.raises(UsageError, match="workspace trust"):
        ws.spawn("b", preset="mine")
    assert ws.trust_notice() is not None
    ws.close()


def test_agents_of_a_file_no_longer_trusted_stay_visible_but_do_not_restart(
        repo: Path) -> None:
    path = repo_file(repo, '[presets.mine]\ncommand = "sh"\nargs = ["-c", "exit 0"]\n')
    assert run_cli("trust", "--yes", cwd=repo).returncode == 0
    assert run_cli("spawn", "a", "--preset", "mine", cwd=repo).returncode == 0
    write(repo, ".workspace.toml", path.read_text() + "# changed\n")
    wait_for(lambda: '"status": "exited"' in run_cli("ls", "--json", cwd=repo).stdout,
             what="a to be seen exiting")
    restart = run_cli("restart", "a", cwd=repo)
    assert restart.returncode == 2 and "changed since you trusted it" in restart.stderr
    assert run_cli("kill", "a", cwd=repo).returncode == 0


def test_trust_asks_on_a_terminal_and_no_is_the_default(term: Terminal, repo: Path) -> None:
    path = repo_file(repo, '[merge]\ngate = ["make", "check"]\n')
    term.start_workspace(repo, "trust")
    term.wait_text('line 2: merge.gate = ["make", "check"]', "[y/N]")
    term.keys("Enter")
    term.wait_text("not trusted; nothing changed")
    assert TrustStore().recorded(path) is None
    yes = Terminal("person-yes")
    try:
        yes.start_workspace(repo, "trust")
        yes.wait_text("[y/N]")
        yes.keys("y", "Enter")
        # The store, not the screen: the line naming two long paths may wrap anywhere.
        wait_for(lambda: TrustStore().recorded(path), what="the trust to be recorded")
    finally:
        yes.close()
    assert TrustStore().recorded(path) == hashlib.sha256(path.read_bytes()).hexdigest()
