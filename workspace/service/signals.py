"""Reading an agent's structured signals since the last tick: its hook event file and its
transcripts, each from the offset stored for it, never re-read whole. Usage records found on
the way are stored (priced when the CLI gives no cost), and so are the session id and model.

A tick reads every agent's offsets in one query (`Store.all_sources`) and hands each agent's
here; a file that did not grow since costs a `stat` and nothing else."""

from __future__ import annotations

import json
import time
from pathlib import Path

from workspace.adapters import pricing
from workspace.adapters.agents.base import Generic, TranscriptSource
from workspace.adapters.store.sources import Offsets
from workspace.adapters.tail import read_new_lines, size_of
from workspace.core.agent import Agent
from workspace.core.status import Observed, Signal
from workspace.core.transcripts.base import SessionSeen, UsageRecord
from workspace.core.transcripts.claude import ClaudeTranscript
from workspace.service.context import Context

TRANSCRIPT = "transcript:"
"""Key prefix of a transcript's stored offset (the hook event file's key is its path)."""
Offset = tuple[int, dict[str, object]]


class SignalReader:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def read(self, agent: Agent, integ: Generic, known: Offsets | None = None) -> list[Signal]:
        """`known`: the agent's stored offsets, as the tick read them (path -> (offset,
        state)); else they are read here."""
        offsets = dict(known) if known is not None else {
            path: self.ctx.store.source(agent.id, path)
            for path in self.ctx.store.sources_of(agent.id)}
        return [*self._hook_signals(agent, integ, offsets),
                *self._transcript_signals(agent, integ, offsets)]

    # -- hook events ----------------------------------------------------------------------

    def _hook_signals(self, agent: Agent, integ: Generic, offsets: dict[str, Offset]
                      ) -> list[Signal]:
        store = self.ctx.store
        path = self.ctx.paths(agent.id).events
        key = str(path)
        offset, state = offsets.get(key, (0, {}))
        size = size_of(path)
        if size is None or size == offset:
            return []
        chunk = read_new_lines(path, offset)
        signals: list[Signal] = []
        for line, _ in chunk.lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict):
                continue
            event = str(record.get("event", ""))
            data = record.get("data")
            data = data if isinstance(data, dict) else {}
            at = record.get("at")
            at = float(at) if isinstance(at, int | float) else time.time()
            observation = integ.agent_hook_observation(agent, event, data, at)
            if observation is not None:
                signals.append(observation)
            announced = integ.announced_transcript(event, data)
            if announced is not None:
                self._register_transcript(agent, announced, offsets)
            session = data.get("session_id")
            if isinstance(session, str) and session and session != agent.session_id:
                store.update_agent(agent.id, session_id=session)
        store.set_source(agent.id, key, chunk.offset, state)
        return signals

    def _register_transcript(self, agent: Agent, path: Path, offsets: dict[str, Offset]
                             ) -> None:
        key = f"{TRANSCRIPT}{path}"
        if key not in offsets:
            self.ctx.store.set_source(agent.id, key, 0, {})
            offsets[key] = (0, {})

    # -- transcripts ----------------------------------------------------------------------

    def _transcript_sources(self, agent: Agent, integ: Generic, offsets: dict[str, Offset]
                            ) -> list[TranscriptSource]:
        sources = {str(s.path): s for s in integ.transcripts(agent, self.ctx.paths(agent.id))}
        for key in offsets:
            if key.startswith(TRANSCRIPT):
                path = key.removeprefix(TRANSCRIPT)
                if path not in sources:
                    parser = (next(iter(sources.values())).parser if sources
                              else integ.transcript_parser() or ClaudeTranscript)
                    sources[path] = TranscriptSource(Path(path), parser)
        return list(sources.values())

    def _transcript_signals(self, agent: Agent, integ: Generic, offsets: dict[str, Offset]
                            ) -> list[Signal]:
        store = self.ctx.store
        signals: list[Signal] = []
        for source in self._transcript_sources(agent, integ, offsets):
            key = f"{TRANSCRIPT}{source.path}"
            offset, state = offsets.get(key, (0, {}))
            size = size_of(source.path)
            if size is None or size == offset:
                continue
            chunk = read_new_lines(source.path, offset)
            saved = state.get("parser")
            parser = source.parser(saved if isinstance(saved, dict) else None)
            last_usage: UsageRecord | None = None
            with store.transaction():
                for line, where in chunk.lines:
                    for finding in parser.feed(line, f"{source.path.name}@{where}"):
                        if isinstance(finding, UsageRecord):
                            self._record_usage(agent, finding)
                            last_usage = finding
                        elif isinstance(finding, Observed):
                            signals.append(finding)
                        elif isinstance(finding, SessionSeen):
                            self._session_seen(agent, finding)
                parser.skipped += chunk.skipped
                store.set_source(agent.id, key, chunk.offset, {"parser": parser.state()})
            if last_usage is not None:
                self._update_context(agent, last_usage)
        return signals

    def _record_usage(self, agent: Agent, record: UsageRecord) -> None:
        cost = record.cost_usd
        if cost is None:
            cost = pricing.cost_usd(record.model, record.tokens, record.at)
        self.ctx.store.add_usage(agent.id, record.key, record.model, record.tokens, cost,
                                 record.at)

    def _update_context(self, agent: Agent, record: UsageRecord) -> None:
        window = record.context_window or pricing.context_window(record.model)
        pct = None
        if window and record.context_tokens is not None:
            pct = round(100.0 * record.context_tokens / window, 1)
        self.ctx.store.update_agent(agent.id, model=record.model, context_pct=pct)

    def _session_seen(self, agent: Agent, seen: SessionSeen) -> None:
        if seen.session_id and not agent.session_id:
            self.ctx.store.update_agent(agent.id, session_id=seen.session_id)
        if seen.model:
            self.ctx.store.update_agent(agent.id, model=seen.model)
