"""Tasks and the autopilot's pure parts: the model, the dependency graph, the decisions, the
prompts, task files."""
