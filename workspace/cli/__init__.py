"""The command line: `workspace` and its verbs."""
