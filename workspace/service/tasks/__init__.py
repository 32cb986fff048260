"""Tasks and the autopilot: the board (filing, approving, reports), the checks, the autopilot
that acts on the pure decisions of core/tasks, and the autopilot as a process."""
