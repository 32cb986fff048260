"""Incremental transcript parsers, one per agent CLI. Pure: they get one line at a time and
return what it tells (usage records, status observations, session facts)."""
