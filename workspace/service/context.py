"""What every part of the service shares: the repository, the settings, the private tmux
server, the store, where per-agent files live, one lock for actions on agents, and how a
person's action is recorded in an agent's status.

Opening checks every prerequisite a person can get wrong and says how to fix it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from workspace.adapters.agents import integration_for
from workspace.adapters.agents.base import AgentPaths, Generic
from workspace.adapters.files import atomic_write
from workspace.adapters.git import GitRepo
from workspace.adapters.locations import state_dir
from workspace.adapters.repo_trust import (
    RepoTrust,
    load_trusted_settings,
    revoke_repo_file,
    settings_mark,
    trust_repo_file,
)
from workspace.adapters.store import Store, restrict
from workspace.adapters.tmux import PaneInfo, Tmux, find_tmux, tmux_config, workspace_socket
from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.core.settings import PresetSpec, Settings
from workspace.core.status import PersonDid, Policy, initial_state, reduce


class Context:
    def __init__(self, repo: GitRepo, settings: Settings, tmux: Tmux, state: Path,
                 repo_trust: RepoTrust | None = None, store: Store | None = None) -> None:
        self.repo = repo
        self.settings = settings
        self.repo_trust = repo_trust
        """The repository's own config file and what of it waits for the person's trust
        (not applied to `settings`); None when there is no such file."""
        self.tmux = tmux
        self.state_dir = state
        self.store = store or Store(state / "state.db")
        self.lock = threading.RLock()
        """Serialises actions on agents within this process (the UI runs them in workers)."""
        self._integrations: dict[str, Generic] = {}
        self._paths: dict[str, AgentPaths] = {}
        self._settings_mark = settings_mark(repo.top)

    @classmethod
    def open(cls, cwd: Path | None = None) -> Context:
        cwd = Path.cwd() if cwd is None else cwd
        tmux_bin = find_tmux()
        repo = GitRepo.discover(cwd)
        # Untrusted, the repository's file applies less what could run a program or choose a
        # path; whatever would use that refuses, naming `workspace trust`.
        settings, repo_trust = load_trusted_settings(repo.top)
        state = state_dir(repo.common_dir)
        state.mkdir(parents=True, exist_ok=True)
        # Prompts and environments live here: the folder is this user's alone (an older
        # one is fixed now), whatever the umask made of it.
        restrict(state)
        # The store first: a read-only or damaged state is said in its one line.
        store = Store(state / "state.db")
        conf = state / "tmux.conf"
        text = tmux_config(settings.workspace.detach_key, settings.workspace.history_limit)
        try:
            if not conf.is_file() or conf.read_text() != text:
                atomic_write(conf, text)
        except OSError as exc:
            store.close()
            raise UsageError(f"cannot write {conf} ({exc.strerror}); make {state} writable "
                             "('workspace doctor' checks it)") from None
        tmux = Tmux(workspace_socket(state, repo.top), conf, tmux_bin)
        return cls(repo, settings, tmux, state, repo_trust, store)

    # -- lookups ------------------------------------------------------------------------

    def agent(self, name: str) -> Agent:
        found = self.store.agent_by_name(name)
        if found is None:
            raise UsageError(self._no_agent(name))
        return found

    def _no_agent(self, name: str) -> str:
        """Why there is no such agent, saying so when the agent still runs or its worktree
        is still there although no row owns it (a lost or repaired state)."""
        if self.tmux.has_session(name):
            return (f"no agent named {name!r} in the state, but its tmux session runs on this "
                    f"workspace's server (its row was lost); 'workspace adopt {name}' brings "
                    "it back")
        worktree = self.worktree_root() / name
        if worktree.is_dir() and self.repo.branch_exists(self.branch_for(name)):
            return (f"no agent named {name!r}, but its worktree {worktree} is still there; "
                    f"'workspace adopt {name}' makes it an agent again, 'workspace cleanup' "
                    "lists what no agent owns")
        names = [a.name for a in self.store.agents()]
        known = f"; agents here: {', '.join(names)}" if names else "; there are no agents"
        return f"no agent named {name!r}{known}"

    def preset(self, name: str) -> PresetSpec:
        """The preset to run: refused while the repository's file defines or changes it and is
        not trusted."""
        self.check_trusted(f"presets.{name}")
        return self._preset(name)

    def _preset(self, name: str) -> PresetSpec:
        spec = self.settings.preset(name)
        if spec is None:
            known = ", ".join(sorted(p.name for p in self.settings.presets))
            raise UsageError(f"unknown preset {name!r}; known presets: {known}")
        return spec

    def integration(self, preset: str) -> Generic:
        found = self._integrations.get(preset)
        if found is None:
            # Reading an agent's status runs nothing: an untrusted file's agents stay visible.
            found = self._integrations[preset] = integration_for(self._preset(preset))
        return found

    def task_text(self, agent: Agent) -> str:
        """The agent's task as words for commit messages and pull requests (its integration
        drops what only steers its CLI); as given when its preset is no longer configured."""
        try:
            integration = self.integration(agent.preset)
        except UsageError:
            return agent.task
        return integration.task_text(agent.task)

    def paths(self, agent_id: str) -> AgentPaths:
        # Asked several times per agent per poll tick: Path building adds up at 50 agents.
        found = self._paths.get(agent_id)
        if found is None:
            found = self._paths[agent_id] = AgentPaths.under(self.state_dir, agent_id)
        return found

    def policy(self, preset: str) -> Policy:
        ws = self.settings.workspace
        base = Policy(stuck_after=ws.stuck_after, quiet_after=ws.quiet_after)
        return self.integration(preset).policy(base)

    def pane(self, agent: Agent) -> PaneInfo | None:
        for pane in self.tmux.list_panes() or []:
            if pane.session == agent.session:
                return pane
        return None

    def window_size(self) -> tuple[int, int]:
        width, height = self.settings.workspace.window_size.split("x")
        return int(width), int(height)

    def worktree_root(self) -> Path:
        root = self.settings.workspace.worktree_root.replace("{repo}", self.repo.name)
        path = Path(root).expanduser()
        return (path if path.is_absolute() else self.repo.top / path).resolve()

    def merge_record(self, agent_id: str) -> Path:
        """What the last merge of an agent recorded (tip merged, base, strategy): written by
        the merge, read by kill and cleanup to tell work that is on base in content."""
        return self.paths(agent_id).dir / "merge.json"

    def progress_file(self, task_id: str) -> Path:
        """Where a task's agent may leave notes for its next attempt: in the state dir, never
        in the worktree (nothing there is merged)."""
        return self.state_dir / "tasks" / task_id / "progress.md"

    def branch_for(self, name: str) -> str:
        return f"{self.settings.workspace.branch_prefix}/{name}"

    # -- trust in the repository's own config file ---------------------------------------

    def check_trusted(self, key: str) -> None:
        """Refuse, in one line naming `workspace trust`, if `key` ("merge.gate",
        "workspace.worktree_root", "presets.<name>") waits for trust."""
        trust = self.repo_trust
        if trust is not None and trust.withholds(key):
            raise UsageError(trust.refusal(key))

    def trust_repo_config(self, sha256: str) -> RepoTrust:
        """Trust the repository's file as it was shown (digest `sha256`), then use all of it."""
        trust = trust_repo_file(self.repo.top, sha256)
        self.reload_settings()
        return trust

    def revoke_repo_trust(self) -> bool:
        revoked = revoke_repo_file(self.repo.top)
        self.reload_settings()
        return revoked

    def reload_settings(self) -> None:
        mark = settings_mark(self.repo.top)  # before reading: a change while read is seen next
        settings, trust = load_trusted_settings(self.repo.top)
        with self.lock:
            self.settings, self.repo_trust = settings, trust
            self._settings_mark = mark
            self._integrations.clear()

    def follow_settings(self) -> str | None:
        """For a long-running process (the autopilot): the settings again when a config file
        or the trust record changed since they were read. None: nothing changed; "": read
        again; else the one line that says why the file cannot be used (the settings stay as
        they were, and the same file is not reported again until it changes)."""
        mark = settings_mark(self.repo.top)
        if mark == self._settings_mark:
            return None
        try:
            self.reload_settings()
        except UsageError as exc:
            self._settings_mark = mark
            return str(exc)
        return ""

    # -- recording what the person did -----------------------------------------------------

    def record(self, agent: Agent, action: str, detail: str = "") -> None:
        """Fold a person's action (paused, approved, merged...) into the agent's status."""
        now = time.time()
        state = self.store.state_of(agent.id) or initial_state(now)
        new = reduce(state, [PersonDid(now, action, detail)], now, self.policy(agent.preset))
        self.store.set_state(agent.id, new)

    def close(self) -> None:
        self.store.close()
