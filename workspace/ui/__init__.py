"""The Textual TUI. It talks only to `workspace.service` and never blocks on I/O: service calls
run in thread workers, which post messages named for facts."""
