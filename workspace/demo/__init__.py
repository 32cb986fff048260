"""The demo: a built-in agent simulator and a sample repository to try workspace with no agent
CLI and no API key."""
