"""What a repository's own `.workspace.toml` may do before the person trusts it.

A cloned repository's file is someone else's text. Until the person trusts its content
(`workspace trust`, recorded by `TrustStore`), the keys of it that run a program or choose a
path are not applied; everything else applies as usual. Not applied (docs/config.md, "Trust"):

- every `[presets.<name>]` table, whole (kind too: it decides the command line and hooks):
  the preset is there, but refuses to run until the file is trusted;
- `[merge] gate`, `[notify] command`, `[worktree] copy`, `symlink` and `post_create`
  (every other key declared sensitive, too);
- `[workspace] worktree_root`, unless it stays inside the repository (not its .git) or in a
  folder beside it named after it (the default `../{repo}-worktrees` is one);
- `[workspace] default_preset`, where the person's own file chose another one (theirs
  stands). Naming a preset this file defines or changes, it is kept: that preset refuses.

The person's own config file is always trusted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workspace.adapters.config import (
    ConfigFile,
    read_files,
    sensitive_of,
    settings_from,
)
from workspace.adapters.locations import REPO_CONFIG_NAME, user_config_file
from workspace.adapters.trust import TrustStore, trust_file
from workspace.core.errors import UsageError
from workspace.core.settings import SensitiveKey, Settings
from workspace.core.settings.render import toml_value

TRUST_VERB = "workspace trust"
GATE = "merge.gate"
WORKTREE_ROOT = "workspace.worktree_root"
DEFAULT_PRESET = "workspace.default_preset"


@dataclass(frozen=True)
class RepoTrust:
    """The repository's config file, what of it waits for trust, and whether it is trusted."""

    path: Path
    digest: str
    """The sha256 of the content these keys were read from: trusting records exactly it."""
    keys: tuple[SensitiveKey, ...]
    """What trusting allows, in file order: each key that runs a program or chooses a path."""
    notes: tuple[tuple[str, str], ...]
    """(dotted key, why it waits) where the key alone does not say it."""
    trusted: bool
    changed: bool
    """Not trusted now, but trusted once with other content."""
    withheld: frozenset[str]
    """What is not applied now: GATE, WORKTREE_ROOT, DEFAULT_PRESET, "presets.<name>",
    "notify.command", "worktree.post_create"... (a dotted key, or a whole preset)."""

    @property
    def needs_trust(self) -> bool:
        return bool(self.keys) and not self.trusted

    def withholds(self, key: str) -> bool:
        return key in self.withheld

    def note(self, key: str) -> str:
        return dict(self.notes).get(key, "")

    def refusal(self, key: str) -> str:
        """One line for a verb that would use `key` ("merge.gate", "presets.evil"): where the
        file sets it, to what, and that `workspace trust` is how to allow it."""
        shown = [k for k in self.keys if k.key == key or k.key.startswith(key + ".")]
        # A preset's command says more than its kind.
        shown.sort(key=lambda k: k.key.endswith(".kind"))
        first = shown[0] if shown else None
        where = f"{self.path}:{first.line}" if first and first.line else str(self.path)
        what = f"{first.key} = {short(toml_value(first.value))}" if first else key
        does = "chooses no path" if key == WORKTREE_ROOT else "runs nothing"
        if self.changed:
            return (f"{where}: {what}: this file changed since you trusted it, and {does} "
                    f"until you trust it again: {TRUST_VERB}")
        return f"{where}: {what}: a repository's config {does} until you trust it: {TRUST_VERB}"

    def lines(self) -> list[str]:
        """What trusting allows, one line per key, as `workspace trust` and the TUI show it."""
        out = []
        for k in self.keys:
            note = self.note(k.key)
            at = f"line {k.line}" if k.line else "line ?"
            shown = f"  {at}: {k.key} = {toml_value(k.value)}"
            out.append(f"{shown}  ({note})" if note else shown)
        return out

    def summary(self) -> str:
        """One line for the whole file (doctor, the TUI's title)."""
        names = ", ".join(k.key for k in self.keys[:4]) + (", ..." if len(self.keys) > 4 else "")
        again = " (it changed since you trusted it)" if self.changed else ""
        return (f"{self.path} sets what runs a program or chooses a path ({names}); none of it "
                f"is used until you trust the file{again}: {TRUST_VERB}")


def short(text: str, most: int = 72) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


SettingsMark = tuple[tuple[int, int, int] | None, ...]


def settings_mark(repo_root: Path | None) -> SettingsMark:
    """What the settings were read from, as a stat of each file (the person's config, the
    repository's, the trust record): a long-running process compares it to see they changed,
    for three stats instead of parsing TOML."""
    paths = [user_config_file(), trust_file()]
    if repo_root is not None:
        paths.append(repo_root / REPO_CONFIG_NAME)
    marks: list[tuple[int, int, int] | None] = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            marks.append(None)
        else:
            marks.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(marks)


def load_trusted_settings(repo_root: Path | None, store: TrustStore | None = None
                          ) -> tuple[Settings, RepoTrust | None]:
    """The settings to run things with: the repository's file without what waits for trust.
    The RepoTrust is None when there is no repository file."""
    files = read_files(repo_root)
    datas = [c.data for c in files]
    for index, config in enumerate(files):
        if repo_root is None or config.path != repo_root / REPO_CONFIG_NAME:
            continue
        trust = review(config, datas[:index], repo_root, store or TrustStore())
        if trust.needs_trust:
            datas[index] = _without(config.data, trust)
        return settings_from(files, datas), trust
    return settings_from(files, datas), None


def trust_repo_file(repo_root: Path, sha256: str, store: TrustStore | None = None) -> RepoTrust:
    """Trust the repository's file, if its content is still the one with digest `sha256` (the
    one the person was shown): a file changed meanwhile is not trusted unseen."""
    store = store or TrustStore()
    _, trust = load_trusted_settings(repo_root, store)
    if trust is None:
        raise UsageError(f"{repo_root / REPO_CONFIG_NAME} is gone; there is nothing to trust")
    if trust.digest != sha256:
        raise UsageError(f"{trust.path} changed since it was shown; look at it again: "
                         f"{TRUST_VERB}")
    if not trust.keys:
        return trust  # it runs nothing: there is nothing to record
    store.trust(trust.path, sha256)
    return replace(trust, trusted=True, changed=False, withheld=frozenset())


def revoke_repo_file(repo_root: Path, store: TrustStore | None = None) -> bool:
    """Forget the trust in the repository's file; False if it was not trusted."""
    return (store or TrustStore()).revoke(repo_root / REPO_CONFIG_NAME)


def review(config: ConfigFile, earlier: list[dict[str, Any]], repo_root: Path,
           store: TrustStore) -> RepoTrust:
    """What of the repository's file `config` waits for trust, given the data of the person's
    own files (`earlier`)."""
    keys: list[SensitiveKey] = []
    notes: list[tuple[str, str]] = []
    presets = _table(config.data, "presets")
    for name, body in presets.items():
        if isinstance(body, dict) and "kind" in body:
            where = ["presets", name, "kind"]
            keys.append(SensitiveKey(str(config.path), ".".join(where), body["kind"],
                                     config.line(where)))
    for key in sensitive_of(config):
        if key.key == WORKTREE_ROOT:
            if isinstance(key.value, str) and stays_beside(key.value, repo_root):
                continue
            notes.append((key.key, "outside the repository and the folders beside it named"
                                   " after it"))
        keys.append(key)
    withheld = {f"presets.{name}" for name in presets}
    # A preset is withheld whole (above); every other sensitive key on its own.
    withheld |= {k.key for k in keys if not k.key.startswith("presets.")}
    default = _table(config.data, "workspace").get("default_preset")
    mine = next((d for d in (_table(e, "workspace").get("default_preset")
                             for e in reversed(earlier)) if d is not None), None)
    if isinstance(default, str) and (default in presets or (mine and mine != default)):
        where = ["workspace", "default_preset"]
        keys.append(SensitiveKey(str(config.path), DEFAULT_PRESET, default, config.line(where)))
        if mine and mine != default:
            withheld.add(DEFAULT_PRESET)
            notes.append((DEFAULT_PRESET, f"instead of yours, {mine!r}"))
        else:
            notes.append((DEFAULT_PRESET, "a preset this file defines or changes"))
    keys.sort(key=lambda k: (k.line is None, k.line or 0))
    trusted = bool(keys) and store.trusted(config.path, config.digest)
    recorded = store.recorded(config.path)
    return RepoTrust(
        path=config.path, digest=config.digest, keys=tuple(keys), notes=tuple(notes),
        trusted=trusted, changed=not trusted and recorded not in (None, config.digest),
        withheld=frozenset() if trusted or not keys else frozenset(withheld),
    )


def stays_beside(value: str, repo_root: Path) -> bool:
    """A worktree_root that needs no trust: relative, and (after {repo} and symlinks) inside
    the repository but not its .git, or in a folder beside it named after it plus '-', '_' or
    '.' (`../{repo}-worktrees`). Anything else could put an agent's files where something
    runs them (`~/.config/autostart`, a sibling project)."""
    top = repo_root.resolve()
    raw = value.replace("{repo}", top.name)
    if raw.startswith("~") or Path(raw).is_absolute():
        return False
    target = (top / raw).resolve()
    if not target.is_relative_to(top.parent) or target == top.parent:
        return False
    if target.is_relative_to(top):
        return not target.is_relative_to(top / ".git")
    first = target.relative_to(top.parent).parts[0]
    return first.startswith(top.name) and first[len(top.name):][:1] in ("-", "_", ".")


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    found = data.get(name)
    return found if isinstance(found, dict) else {}


def _without(data: dict[str, Any], trust: RepoTrust) -> dict[str, Any]:
    """`data` less what `trust` withholds. A withheld preset stays as an empty table, so a
    name it defines still exists (the default preset may be it): asked to run, it refuses."""
    out = dict(data)
    for name, body in data.items():
        if name != "presets" and isinstance(body, dict):
            out[name] = {k: v for k, v in body.items() if not trust.withholds(f"{name}.{k}")}
    out["presets"] = {name: {} for name in _table(data, "presets")}
    return {k: v for k, v in out.items() if v or k in data}
