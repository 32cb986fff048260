"""How a setting is declared: once, as a dataclass field annotated `Annotated[type, Spec(...)]`.

The type says which TOML value the key takes (a `Literal` lists the allowed strings), the
`Spec` says what the key means and which values it allows, and the field's default is the
default. The loader's checks, config.example.toml and docs/config.md are all derived from
these declarations, so they cannot drift apart.
"""

from __future__ import annotations

import math
import re
import types
import typing
from dataclasses import MISSING, dataclass, fields
from typing import Any, Literal, get_args, get_origin, get_type_hints

Kind = Literal["str", "bool", "int", "float", "choice", "list[str]", "table[str]"]


@dataclass(frozen=True)
class Spec:
    """What one key means and which values it allows, beyond its type."""

    doc: str
    """For people: becomes the comment in config.example.toml and the row in docs/config.md.
    A newline starts a new comment line."""
    above: float | None = None
    """Values must be greater than this."""
    least: float | None = None
    most: float | None = None
    pattern: str = ""
    """A string value must match this whole (re.fullmatch)."""
    shape: str = ""
    """What a matching value is, after "must": "look like '200x50'"."""
    names: str = ""
    """For a table: each of its names must match this whole."""
    names_are: str = ""
    """What a matching name is, after "is not": "a valid environment variable name"."""
    nonempty: bool = False
    sensitive: bool = False
    """The key runs a program or chooses a path: a repository's own file will need the
    person's trust before such a key is used."""


@dataclass(frozen=True)
class Key:
    """One declared config key: `[table] name = value`."""

    table: str
    """The table it sits in: "workspace", "merge", "keys", or "presets.<name>"."""
    name: str
    kind: Kind
    spec: Spec
    default: object = None
    """None where there is no single default (presets' keys differ per preset)."""
    choices: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"{self.table}.{self.name}"


def keys_of(cls: type, table: str) -> tuple[Key, ...]:
    """The config keys a settings dataclass declares: its fields annotated with a Spec."""
    hints = get_type_hints(cls, include_extras=True)
    declared: list[Key] = []
    for f in fields(cls):
        hint = hints[f.name]
        specs = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Spec)]
        if not specs:
            continue  # not settable from config (a preset's name, its install hint)
        kind, choices = kind_of(get_args(hint)[0])
        default = None if f.default is MISSING else f.default
        declared.append(Key(table, f.name, kind, specs[0], default, choices))
    return tuple(declared)


def kind_of(hint: Any) -> tuple[Kind, tuple[str, ...]]:
    """Which TOML value a field's type takes; `X | None` means the key may be left out."""
    origin = get_origin(hint)
    if origin is Literal:
        return "choice", tuple(str(a) for a in get_args(hint))
    if origin in (types.UnionType, typing.Union):
        (inner,) = [a for a in get_args(hint) if a is not type(None)]
        return kind_of(inner)
    if origin is tuple:
        args = get_args(hint)
        if args == (str, ...):
            return "list[str]", ()
        if args == (tuple[str, str], ...):
            return "table[str]", ()
    simple: dict[Any, Kind] = {str: "str", bool: "bool", int: "int", float: "float"}
    if hint in simple:
        return simple[hint], ()
    raise TypeError(f"no config kind for {hint!r}")


def describe(key: Key) -> str:
    """The kind of value, as the error says it: "must be <this>"."""
    if key.kind == "choice":
        return "one of " + ", ".join(key.choices)
    return {
        "str": "a string",
        "bool": "true or false",
        "int": "a whole number",
        "float": "a number",
        "list[str]": "a list of strings",
        "table[str]": "a table of strings",
    }[key.kind]


def number(value: float) -> str:
    """A bound or default as a person writes it: 1000000, 0.5, not 1e+06 or 300.0."""
    return str(int(value)) if float(value).is_integer() else repr(value)


def allowed(key: Key) -> str:
    """The values allowed beyond the type, as the error says it after "must"; "" when any
    value of the type will do."""
    spec = key.spec
    if key.kind == "choice":
        return "be one of " + ", ".join(key.choices)
    if spec.least is not None and spec.most is not None:
        return f"be between {number(spec.least)} and {number(spec.most)}"
    low = ""
    if spec.above is not None:
        low = f"greater than {number(spec.above)}"
    elif spec.least is not None:
        low = f"{number(spec.least)} or more"
    if spec.most is not None:
        return f"be {low} and at most {number(spec.most)}" if low else (
            f"be {number(spec.most)} or less")
    if low:
        return f"be {low}"
    if spec.pattern:
        return spec.shape
    return "not be empty" if spec.nonempty else ""


def _has_kind(key: Key, value: object) -> bool:
    match key.kind:
        case "str" | "choice":
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


def problems(key: Key, value: object) -> list[tuple[tuple[str, ...], str]]:
    """What is wrong with `value` for `key`: (where below the key, problem), empty if nothing.

    Where is () for the value itself, or (name,) for one name of a table value."""
    if not _has_kind(key, value):
        return [((), f"must be {describe(key)}, not {value!r:.40}")]
    spec = key.spec
    wrong = False
    if key.kind == "choice":
        wrong = value not in key.choices
    elif isinstance(value, int | float) and key.kind in ("int", "float"):
        if not math.isfinite(value):
            return [((), f"must be a finite number, not {value!r}")]
        wrong = (
            (spec.above is not None and value <= spec.above)
            or (spec.least is not None and value < spec.least)
            or (spec.most is not None and value > spec.most)
        )
    elif isinstance(value, str):
        wrong = bool(spec.pattern and not re.fullmatch(spec.pattern, value)) or (
            spec.nonempty and not value.strip()
        )
    elif isinstance(value, dict) and spec.names:
        return [((name,), f"is not {spec.names_are}")
                for name in value if not re.fullmatch(spec.names, name)]
    return [((), f"must {allowed(key)}")] if wrong else []
