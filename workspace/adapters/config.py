"""Read and strictly validate config files (TOML).

Who reads what: the user file `$XDG_CONFIG_HOME/workspace/config.toml`, then the optional
per-repo file `<main checkout>/.workspace.toml`, which wins key by key. An unknown key or a bad
value stops with one line naming file, line and key, with a "did you mean" where one is close.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from workspace.adapters.agents.presets import builtin_presets
from workspace.adapters.locations import REPO_CONFIG_NAME, user_config_file
from workspace.core.actions import ACTIONS
from workspace.core.errors import UsageError
from workspace.core.names import NAME_RE
from workspace.core.settings import (
    CLEANUP_CHOICES,
    MERGE_STRATEGIES,
    PRESET_KINDS,
    SCHEMA,
    MergeSettings,
    PresetSpec,
    Settings,
    WorkspaceSettings,
)


class ConfigError(UsageError):
    pass


def config_files(repo_root: Path | None) -> list[Path]:
    files = [user_config_file()]
    if repo_root is not None:
        files.append(repo_root / REPO_CONFIG_NAME)
    return [f for f in files if f.is_file()]


def load_settings(repo_root: Path | None) -> Settings:
    merged: dict[str, Any] = {}
    sources: list[str] = []
    for path in config_files(repo_root):
        data = read_config_file(path)
        _merge(merged, data)
        sources.append(str(path))
    return build_settings(merged, tuple(sources))


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse and validate one file; raises ConfigError with file, line and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = match.group(1) if match else "?"
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"{path}:{line}: invalid TOML: {message}") from None
    _Validator(path, text).check(data)
    return data


def _merge(into: dict[str, Any], data: dict[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict) and key != "env":
            _merge(into[key], value)
        else:
            into[key] = value


class _Validator:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, keys: list[str], problem: str) -> ConfigError:
        line = line_of(self.text, keys)
        where = f"{self.path}:{line}" if line else str(self.path)
        return ConfigError(f"{where}: {'.'.join(keys)}: {problem}")

    def unknown(self, keys: list[str], choices: list[str]) -> ConfigError:
        close = difflib.get_close_matches(keys[-1], choices, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(choices)}"
        return self.fail(keys, f"unknown key{hint}")

    def check(self, data: dict[str, Any]) -> None:
        tables = ["workspace", "merge", "keys", "presets"]
        for name, value in data.items():
            if name not in tables:
                raise self.unknown([name], tables)
            if not isinstance(value, dict):
                raise self.fail([name], "must be a table, like [" + name + "]")
            if name == "presets":
                for preset, body in value.items():
                    self.check_preset(preset, body)
            else:
                self.check_table([name], value, SCHEMA[name])
        self.check_values(data)
        self.check_keys(data.get("keys", {}))

    def check_preset(self, preset: str, body: Any) -> None:
        keys = ["presets", preset]
        if not NAME_RE.match(preset):
            raise self.fail(keys, "preset names use lowercase letters, digits, '-' and '_'")
        if not isinstance(body, dict):
            raise self.fail(keys, "must be a table, like [presets." + preset + "]")
        self.check_table(keys, body, SCHEMA["presets.*"])
        kind = body.get("kind")
        if kind is not None and kind not in PRESET_KINDS:
            raise self.fail([*keys, "kind"], f"must be one of {', '.join(PRESET_KINDS)}")
        builtin = {p.name for p in builtin_presets()}
        if preset not in builtin and "command" not in body:
            raise self.fail(keys, "a new preset needs a 'command'")
        if "command" in body and not str(body["command"]).strip():
            raise self.fail([*keys, "command"], "is empty")
        for name in body.get("env", {}):
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
                raise self.fail([*keys, "env", name], "is not a valid environment variable name")

    def check_table(self, keys: list[str], table: dict[str, Any], schema: dict[str, str]) -> None:
        for key, value in table.items():
            here = [*keys, key]
            if key not in schema:
                raise self.unknown(here, sorted(schema))
            expected = schema[key]
            if not _has_type(value, expected):
                raise self.fail(here, f"must be {_describe(expected)}, not {value!r:.40}")

    def check_values(self, data: dict[str, Any]) -> None:
        ws = data.get("workspace", {})
        for key in ("poll_interval", "stuck_after", "quiet_after"):
            if key in ws and ws[key] <= 0:
                raise self.fail(["workspace", key], "must be greater than 0")
        if "budget_usd" in ws and ws["budget_usd"] < 0:
            raise self.fail(["workspace", "budget_usd"], "must be 0 (no budget) or more")
        if "window_size" in ws and not re.match(r"^\d{2,4}x\d{2,4}$", ws["window_size"]):
            raise self.fail(["workspace", "window_size"], "must look like '200x50'")
        if "history_limit" in ws and not 100 <= ws["history_limit"] <= 1_000_000:
            raise self.fail(["workspace", "history_limit"], "must be between 100 and 1000000")
        prefix = ws.get("branch_prefix")
        if prefix is not None and not re.match(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$", prefix):
            raise self.fail(["workspace", "branch_prefix"],
                            "must be a valid branch prefix like 'ws'")
        if "detach_key" in ws and not re.match(r"^[A-Za-z0-9-\]\[\\^_]+$", ws["detach_key"]):
            raise self.fail(["workspace", "detach_key"], "must be a tmux key name like 'C-]'")
        merge = data.get("merge", {})
        if "strategy" in merge and merge["strategy"] not in MERGE_STRATEGIES:
            raise self.fail(
                ["merge", "strategy"], f"must be one of {', '.join(MERGE_STRATEGIES)}"
            )
        if "cleanup" in merge and merge["cleanup"] not in CLEANUP_CHOICES:
            raise self.fail(["merge", "cleanup"], f"must be one of {', '.join(CLEANUP_CHOICES)}")
        if "gate_timeout" in merge and merge["gate_timeout"] <= 0:
            raise self.fail(["merge", "gate_timeout"], "must be greater than 0")

    def check_keys(self, keys: dict[str, str]) -> None:
        bound: dict[str, str] = {}
        # Defaults first, so a clash is reported at the line the person wrote.
        ordered = sorted(ACTIONS, key=lambda a: a.name in keys)
        for a in ordered:
            key = keys.get(a.name, a.key)
            if not key.strip() or " " in key:
                raise self.fail(["keys", a.name], "must be one key name, like 'n' or 'ctrl+n'")
            if key in bound:
                raise self.fail(["keys", a.name], f"{key!r} is already bound to {bound[key]}")
            bound[key] = a.name


def _has_type(value: Any, expected: str) -> bool:
    match expected:
        case "str":
            return isinstance(value, str)
        case "bool":
            return isinstance(value, bool)
        case "int":
            return isinstance(value, int) and not isinstance(value, bool)
        case "float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "list[str]":
            return isinstance(value, list) and all(isinstance(v, str) for v in value)
        case "table[str]":
            return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return False


def _describe(expected: str) -> str:
    return {
        "str": "a string",
        "bool": "true or false",
        "int": "a whole number",
        "float": "a number",
        "list[str]": "a list of strings",
        "table[str]": "a table of strings",
    }[expected]


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_PART = r"(?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)"
_KEYLINE = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def _split_key(dotted: str) -> list[str]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", dotted)
    return [a or b or c for a, b, c in parts]


def line_of(text: str, keys: list[str]) -> int | None:
    """The line where `keys` (a dotted path) is set or its table opens; None if not found."""
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _split_key(header.group(1))
            if table == keys:
                return number
            continue
        keyline = _KEYLINE.match(line)
        if keyline:
            full = table + _split_key(keyline.group(1))
            if full == keys[: len(full)] or keys == full[: len(keys)]:
                return number
    return None


def build_settings(data: dict[str, Any], sources: tuple[str, ...] = ()) -> Settings:
    ws = WorkspaceSettings(
        **{f.name: data.get("workspace", {})[f.name]
           for f in fields(WorkspaceSettings) if f.name in data.get("workspace", {})}
    )
    merge_data = dict(data.get("merge", {}))
    if "gate" in merge_data:
        merge_data["gate"] = tuple(merge_data["gate"])
    merge = MergeSettings(**merge_data)
    keys = tuple((a.name, data.get("keys", {}).get(a.name, a.key)) for a in ACTIONS)
    presets = {p.name: p for p in builtin_presets()}
    for name, body in data.get("presets", {}).items():
        base = presets.get(name) or PresetSpec(name=name, kind="generic", command="", rules="")
        changes: dict[str, Any] = {}
        for key, value in body.items():
            if key == "env":
                changes["env"] = tuple(sorted({**base.env_dict, **value}.items()))
            elif key in ("args", "prompt_args"):
                changes[key] = tuple(value)
            else:
                changes[key] = value
        presets[name] = replace(base, **changes)
    if ws.default_preset not in presets:
        where = sources[-1] if sources else "config"
        raise ConfigError(
            f"{where}: workspace.default_preset: unknown preset {ws.default_preset!r}; "
            f"known: {', '.join(sorted(presets))}"
        )
    return Settings(
        workspace=ws,
        merge=merge,
        keys=keys,
        presets=tuple(presets.values()),
        sources=sources,
    )
