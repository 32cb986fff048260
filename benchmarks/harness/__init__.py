"""What every benchmark shares; a new benchmark is a script that opens a `BenchSandbox` with
`run_in_sandbox`, grows a `Fleet`, drives a `Tui` and reports with `stats` and `report`.
`procstat` reads a process's CPU (`CpuMeter`: own, main thread, reaped children, peak RSS),
`turns` the demo agents' turn ends from their Stop events, `busy` keeps demo agents working with
no autopilot, and `profile` samples a process's main thread with py-spy."""
