"""Test support: real tmux, real git, real processes; helpers to wait and to run the CLI."""
