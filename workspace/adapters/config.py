"""Read and strictly validate config files (TOML) against the declared settings.

Who reads what: the user file `$XDG_CONFIG_HOME/workspace/config.toml`, then the optional
per-repo file `<main checkout>/.workspace.toml`, which wins key by key. Every problem of every
file is collected (`Problems`) and raised together as one ConfigError, one line per problem:
`file:line: key: problem`, with a "did you mean" where a known key is close.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from workspace.adapters.agents.presets import builtin_presets
from workspace.adapters.locations import REPO_CONFIG_NAME, user_config_file
from workspace.adapters.trust import digest as sha256_of
from workspace.core.actions import ACTIONS
from workspace.core.errors import UsageError
from workspace.core.names import NAME_RE
from workspace.core.settings import (
    PRESET_NAME_RULE,
    TABLE_NAMES,
    TABLES,
    MergeSettings,
    NotifySettings,
    PresetSpec,
    SensitiveKey,
    Settings,
    SettingValue,
    Table,
    TasksSettings,
    WorkspaceSettings,
    WorktreeSettings,
    key_clashes,
    problems,
    table,
)
from workspace.core.settings.render import docs_markdown, example_toml


class ConfigError(UsageError):
    pass


@dataclass
class Problems:
    """Where checks put what they find, so one run reports every problem, not the first."""

    lines: list[str] = field(default_factory=list)

    def add(self, where: str, keys: list[str], problem: str) -> None:
        self.lines.append(f"{where}: {'.'.join(keys)}: {problem}" if keys else
                          f"{where}: {problem}")

    def raise_any(self) -> None:
        if self.lines:
            raise ConfigError("\n".join(self.lines))


@dataclass(frozen=True)
class ConfigFile:
    """One parsed file: its text (for line numbers) and its data."""

    path: Path
    text: str
    data: dict[str, Any]
    digest: str = ""
    """The sha256 of the bytes `text` and `data` were read from (what a trust record holds)."""

    def line(self, keys: list[str]) -> int | None:
        return line_of(self.text, keys)

    def where(self, keys: list[str]) -> str:
        line = self.line(keys)
        return f"{self.path}:{line}" if line else str(self.path)


def config_files(repo_root: Path | None) -> list[Path]:
    files = [user_config_file()]
    if repo_root is not None:
        files.append(repo_root / REPO_CONFIG_NAME)
    # Anything at those paths counts: a directory or a dangling link is reported, not skipped.
    return [f for f in files if f.exists() or f.is_symlink()]


def load_settings(repo_root: Path | None) -> Settings:
    """Every file as it is written, the repository's too. What runs anything opens settings
    through `workspace.adapters.repo_trust.load_trusted_settings` instead."""
    files = read_files(repo_root)
    return settings_from(files, [c.data for c in files])


def read_files(repo_root: Path | None) -> list[ConfigFile]:
    """The config files, each checked; raises one ConfigError naming every problem."""
    found = Problems()
    parsed: list[ConfigFile] = []
    known = {p.name for p in builtin_presets()}
    for path in config_files(repo_root):
        config = _parse(path, found)
        if config is None:
            continue
        _Checker(config, found, known).check()
        known |= set(_presets_of(config.data))
        parsed.append(config)
    found.raise_any()
    return parsed


def settings_from(files: list[ConfigFile], datas: list[dict[str, Any]]) -> Settings:
    """Settings from checked files, using `datas[i]` as what `files[i]` sets (the file's data,
    or less of it: the keys of an untrusted repository file that may run nothing)."""
    found = Problems()
    merged: dict[str, Any] = {}
    for data in datas:
        _merge(merged, data)

    def where(keys: list[str]) -> str:
        for index in reversed(range(len(files))):
            if _lookup(datas[index], keys):
                return files[index].where(keys)
        return "config"

    # Each file alone was fine; two files may still bind one key to two actions.
    remapped = merged.get("keys", {})
    for action, key, other in key_clashes(remapped):
        found.add(where(["keys", action]), ["keys", action],
                  f"{key!r} is already bound to {other}")
    found.raise_any()
    sources = tuple(str(c.path) for c in files)
    settings = build_settings(merged, sources, where=where)
    return replace(settings, sensitive=tuple(s for c in files for s in sensitive_of(c)))


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse and validate one file on its own; raises ConfigError naming every problem."""
    return _read_alone(path).data


def sensitive_keys(path: Path) -> list[SensitiveKey]:
    """The keys of one (valid) file that run a program or choose a path, with their values
    and lines: what a person would be asked to trust."""
    return sensitive_of(_read_alone(path))


def generated_docs() -> dict[str, str]:
    """The files written from the declarations, by path from the project's top."""
    # $SHELL and sys.executable differ per machine: those two built-ins stay out of the example.
    shown = [p for p in builtin_presets() if p.kind not in ("shell", "demo")]
    return {
        "config.example.toml": example_toml(shown),
        "docs/config.md": docs_markdown(shown),
    }


def _read_alone(path: Path) -> ConfigFile:
    found = Problems()
    config = _parse(path, found)
    if config is not None:
        _Checker(config, found, {p.name for p in builtin_presets()}).check()
        keys = config.data.get("keys")
        if isinstance(keys, dict):
            _check_clashes(config, found, keys)
    found.raise_any()
    assert config is not None  # no problems means it parsed
    return config


def _parse(path: Path, found: Problems) -> ConfigFile | None:
    if path.is_dir():
        found.add(str(path), [], "is a directory, not a config file; remove or rename it")
        return None
    if not path.is_file():
        what = "a broken link" if path.is_symlink() and not path.exists() else "not a file"
        found.add(str(path), [], f"is {what}, not a config file; remove or fix it")
        return None
    try:
        # Read once: the digest a trust record compares is of exactly the bytes parsed.
        raw = path.read_bytes()
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        found.add(str(path), [], f"cannot read config: {exc}")
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = match.group(1) if match else "?"
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        found.add(f"{path}:{line}", [], f"invalid TOML: {message}")
        return None
    return ConfigFile(path, text, data, sha256_of(raw))


def _presets_of(data: dict[str, Any]) -> dict[str, Any]:
    presets = data.get("presets")
    return presets if isinstance(presets, dict) else {}


def _lookup(data: dict[str, Any], keys: list[str]) -> bool:
    node: Any = data
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _merge(into: dict[str, Any], data: dict[str, Any]) -> None:
    """Merge `data` into `into` key by key; tables are copied, so no file's data changes (an
    env table is replaced whole)."""
    for key, value in data.items():
        if isinstance(value, dict) and key != "env":
            if not isinstance(into.get(key), dict):
                into[key] = {}
            _merge(into[key], value)
        else:
            into[key] = value


def _check_clashes(config: ConfigFile, found: Problems, keys: dict[str, Any]) -> None:
    wellformed = {a: k for a, k in keys.items() if isinstance(k, str) and re.fullmatch(r"\S+", k)}
    for action, key, other in key_clashes(wellformed):
        where = ["keys", action]
        found.add(config.where(where), where, f"{key!r} is already bound to {other}")


class _Checker:
    """Checks one file against the declarations, adding each problem to `found`."""

    def __init__(self, config: ConfigFile, found: Problems, presets: set[str]) -> None:
        self.config = config
        self.found = found
        self.presets = presets
        """Presets already defined (built-in or by an earlier file): they need no command."""

    def add(self, keys: list[str], problem: str) -> None:
        self.found.add(self.config.where(keys), keys, problem)

    def unknown(self, keys: list[str], choices: list[str]) -> None:
        close = difflib.get_close_matches(keys[-1], choices, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(choices)}"
        if len(keys) == 1 and not close:
            homes = [t.name for t in TABLES if not t.named and t.key(keys[0])]
            hint = f"; it belongs in a table: [{homes[0]}]" if homes else hint
        self.add(keys, f"unknown key{hint}")

    def check(self) -> None:
        for name, value in self.config.data.items():
            declared = table(name)
            if declared is None:
                self.unknown([name], list(TABLE_NAMES))
            elif not isinstance(value, dict):
                self.add([name], f"must be a table, like [{name}]")
            elif declared.named:
                for preset, body in value.items():
                    self.check_preset(declared, preset, body)
            else:
                self.check_table([name], value, declared)

    def check_preset(self, declared: Table, preset: str, body: Any) -> None:
        keys = ["presets", preset]
        if not NAME_RE.match(preset):
            self.add(keys, PRESET_NAME_RULE)
        if not isinstance(body, dict):
            self.add(keys, f"must be a table, like [presets.{preset}]")
            return
        self.check_table(keys, body, declared)
        if preset not in self.presets and "command" not in body:
            self.add(keys, "a new preset needs a 'command'")

    def check_table(self, keys: list[str], body: dict[str, Any], declared: Table) -> None:
        for name, value in body.items():
            key = declared.key(name)
            if key is None:
                self.unknown([*keys, name], declared.names)
                continue
            for below, problem in problems(key, value):
                self.add([*keys, name, *below], problem)


def sensitive_of(config: ConfigFile) -> list[SensitiveKey]:
    out: list[SensitiveKey] = []
    for declared in TABLES:
        body = config.data.get(declared.name)
        if not isinstance(body, dict):
            continue
        bodies = body.items() if declared.named else [("", body)]
        for name, values in bodies:
            if not isinstance(values, dict):
                continue
            for key in declared.keys:
                if key.spec.sensitive and key.name in values:
                    where = [declared.name, *([name] if name else []), key.name]
                    out.append(SensitiveKey(str(config.path), ".".join(where),
                                            _frozen(values[key.name]), config.line(where)))
    return out


def _frozen(value: Any) -> SettingValue:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    assert isinstance(value, str | int | float | bool)
    return value


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_PART = r"(?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)"
_KEYLINE = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def _split_key(dotted: str) -> list[str]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", dotted)
    return [a or b or c for a, b, c in parts]


def line_of(text: str, keys: list[str]) -> int | None:
    """The line where `keys` (a dotted path) is set or its table opens; None if not found."""
    table_: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table_ = _split_key(header.group(1))
            if table_ == keys:
                return number
            continue
        keyline = _KEYLINE.match(line)
        if keyline:
            full = table_ + _split_key(keyline.group(1))
            if full == keys[: len(full)] or keys == full[: len(keys)]:
                return number
    return None


def _tuples(body: dict[str, Any]) -> dict[str, Any]:
    """A table's values with its lists (TOML arrays) as the tuples the settings hold."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in body.items()}


def build_settings(data: dict[str, Any], sources: tuple[str, ...] = (),
                   where: Callable[[list[str]], str] | None = None) -> Settings:
    """Settings from merged, validated data; `where(keys)` says which file and line set a key
    (for the one check that needs every file: the default preset must exist)."""
    ws_data = data.get("workspace", {})
    ws = WorkspaceSettings(
        **{f.name: ws_data[f.name] for f in fields(WorkspaceSettings) if f.name in ws_data}
    )
    merge_data = dict(data.get("merge", {}))
    if "gate" in merge_data:
        merge_data["gate"] = tuple(merge_data["gate"])
    merge = MergeSettings(**merge_data)
    tasks = TasksSettings(**data.get("tasks", {}))
    notify = NotifySettings(**_tuples(data.get("notify", {})))
    worktree = WorktreeSettings(**_tuples(data.get("worktree", {})))
    keys = tuple((a.name, data.get("keys", {}).get(a.name, a.key)) for a in ACTIONS)
    presets = {p.name: p for p in builtin_presets()}
    for name, body in data.get("presets", {}).items():
        base = presets.get(name) or PresetSpec(name=name, kind="generic", command="", rules="")
        changes: dict[str, Any] = {}
        for key, value in body.items():
            if key == "env":
                changes["env"] = tuple(sorted({**base.env_dict, **value}.items()))
            elif key in ("args", "prompt_args", "unattended_args"):
                changes[key] = tuple(value)
            else:
                changes[key] = value
        presets[name] = replace(base, **changes)
    if ws.default_preset not in presets:
        here = ["workspace", "default_preset"]
        place = where(here) if where else (sources[-1] if sources else "config")
        close = difflib.get_close_matches(ws.default_preset, list(presets), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(presets))}"
        raise ConfigError(
            f"{place}: workspace.default_preset: unknown preset {ws.default_preset!r}; {hint}"
        )
    return Settings(
        workspace=ws,
        merge=merge,
        tasks=tasks,
        notify=notify,
        worktree=worktree,
        keys=keys,
        presets=tuple(presets.values()),
        sources=sources,
    )
