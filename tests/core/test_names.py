from __future__ import annotations

import pytest

from workspace.core.errors import UsageError
from workspace.core.names import check_name, slugify, suggest_name


@pytest.mark.parametrize("name", ["a", "fix-login", "agent_2", "x" * 40])
def test_valid_names(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("", "empty"),
        ("Fix", "lowercase"),
        ("a b", "lowercase"),
        ("a--b", "single"),
        ("-a", "lowercase"),
        ("a;rm -rf", "lowercase"),
        ("$(x)", "lowercase"),
        ("x" * 41, "at most 40"),
        ("ü", "lowercase"),
    ],
)
def test_invalid_names_say_how_to_fix(name: str, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        check_name(name)


def test_suggestions() -> None:
    assert slugify("Fix the login bug!") == "fix-the-login-bug"
    assert suggest_name("claude", []) == "claude-1"
    assert suggest_name("claude", ["claude-1"]) == "claude-2"
    assert suggest_name("demo", [], "Add caching to lookup") == "add-caching-to-lookup"
    assert suggest_name("demo", ["add-caching"], "add caching") == "add-caching-1"
