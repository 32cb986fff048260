"""Benchmarks of the budgets of DESIGN.md §5 (see docs/benchmarks.md).

harness/ holds what every benchmark shares (the sandbox, the tmux shim, a fleet of demo agents,
a TUI-in-tmux driver, stats and report helpers); measure/ holds measurements that more than one
benchmark can run; each `*_bench.py` here is one benchmark's command line.
"""
