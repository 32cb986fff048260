"""Adapters: the only code that touches tmux, git, the file system, SQLite and the agent CLIs."""
