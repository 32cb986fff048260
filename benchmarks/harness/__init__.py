"""What every benchmark shares; a new benchmark is a script that opens a `BenchSandbox` with
`run_in_sandbox`, grows a `Fleet`, drives a `Tui` and reports with `stats` and `report`."""
