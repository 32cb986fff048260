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


def test_a_spawn_of_several_is_numbered_as_the_form_numbers_it() -> None:
    from workspace.core.names import numbered, spawn_names

    assert numbered("fix", 1) == ["fix"]
    assert numbered("fix", 3) == ["fix-1", "fix-2", "fix-3"]
    assert spawn_names("fix", 2, []) == [("fix-1", None), ("fix-2", None)]
    assert spawn_names("fix", 1, ["demo"]) == [("fix", "demo")]
    # The same prompt on several CLIs: one agent each, named after its preset.
    assert spawn_names("fix", 1, ["claude", "codex"]) == [("fix-claude", "claude"),
                                                          ("fix-codex", "codex")]
    assert spawn_names("fix", 2, ["claude", "my.tool"]) == [
        ("fix-claude-1", "claude"), ("fix-claude-2", "claude"),
        ("fix-my-tool-1", "my.tool"), ("fix-my-tool-2", "my.tool")]
