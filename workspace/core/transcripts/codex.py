"""Codex CLI rollouts: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl`.

Each line is `{"timestamp", "type", "payload"}`. What this parser reads:
- `session_meta` (first line): the thread id and the cwd, to match the agent's worktree.
- `turn_context`: the model of the turn (for prices).
- `token_usage_record` (Codex 0.169 and later): one line per model response with its
  `response_id` and `usage`; the response id is the dedup key.
- `event_msg` / `token_count`: cumulative `total_token_usage` and the request's
  `last_token_usage`. Older builds have only these, and re-emit them with unchanged totals (a
  rate-limit refresh), so usage is the delta of consecutive totals (keyed by the totals),
  repeats skipped; a drop in the totals (a reset) starts a new baseline counted by
  `last_token_usage`. Once a file has
  `token_usage_record` lines, `token_count` only feeds the context-window gauge, so nothing is
  counted twice.
- `event_msg` / `task_started`, `user_message` -> working; `task_complete`, `turn_aborted` ->
  waiting; `error` -> error (or rate_limited). Approval requests are not written to rollouts:
  they come from the pane text.
Codex's `input_tokens` include cached (and cache-write) tokens and `output_tokens` include
reasoning; `Tokens.input` is the uncached rest. Resuming appends to the same file.
"""

from __future__ import annotations

from workspace.core.agent import Status, Tokens
from workspace.core.status import Observed, Source
from workspace.core.transcripts.base import (
    Finding,
    JsonLines,
    SessionSeen,
    UsageRecord,
    as_int,
    get_dict,
    parse_time,
)

_FIELDS = ("input_tokens", "cached_input_tokens", "cache_write_input_tokens", "output_tokens",
           "reasoning_output_tokens", "total_tokens")
_RATE_WORDS = ("rate limit", "rate_limit", "usage limit", "429", "too many requests")


def tokens_of(usage: dict[str, object]) -> Tokens:
    """Codex usage -> Tokens (input without the cached part, as every other CLI counts it)."""
    cached = as_int(usage.get("cached_input_tokens"))
    written = as_int(usage.get("cache_write_input_tokens"))
    return Tokens(
        input=max(as_int(usage.get("input_tokens")) - cached - written, 0),
        output=as_int(usage.get("output_tokens")),
        cache_read=cached,
        cache_write=written,
    )


def _vector(usage: dict[str, object]) -> list[int]:
    return [as_int(usage.get(name)) for name in _FIELDS]


class CodexRollout(JsonLines):
    def __init__(self, state: dict[str, object] | None = None) -> None:
        super().__init__(state)
        state = state or {}
        window = state.get("window")
        self._window = window if isinstance(window, int) and window > 0 else None
        self._per_response = bool(state.get("per_response", False))
        last = state.get("last")
        self._last = [as_int(v) for v in last] if isinstance(last, list) else None

    def state(self) -> dict[str, object]:
        return {**super().state(), "window": self._window,
                "per_response": self._per_response, "last": self._last}

    def feed(self, line: str, where: str) -> list[Finding]:
        record = self._load(line)
        if record is None:
            return []
        kind = record.get("type")
        payload = get_dict(record, "payload")
        at = parse_time(record.get("timestamp"))
        if kind == "session_meta":
            return self._meta(payload)
        if kind == "turn_context":
            model = payload.get("model")
            if isinstance(model, str) and model and model != self._model:
                self._model = model
                return [SessionSeen(model=model)]
            return []
        if kind == "token_usage_record":
            return self._usage_record(payload, at)
        if kind == "event_msg":
            return self._event(payload, at, where)
        if kind in ("response_item", "compacted") and at is not None:
            return [Observed(Source.TRANSCRIPT, at, None)]
        return []

    def _meta(self, payload: dict[str, object]) -> list[Finding]:
        session = payload.get("id")
        if not isinstance(session, str) or not session or self._session:
            return []  # a later session_meta (fork, resume) does not change whose file it is
        self._session = session
        cwd = payload.get("cwd")
        model = payload.get("model")
        return [SessionSeen(session_id=session, cwd=cwd if isinstance(cwd, str) else None,
                            model=model if isinstance(model, str) and model else None)]

    def _usage_record(self, payload: dict[str, object], at: float | None) -> list[Finding]:
        usage = get_dict(payload, "usage")
        response = payload.get("response_id")
        if not usage or not isinstance(response, str) or not response:
            return []
        self._per_response = True
        tokens = tokens_of(usage)
        if tokens.total == 0:
            return []
        return [UsageRecord(key=f"codex:{response}", model=self._model, tokens=tokens, at=at,
                            context_tokens=as_int(usage.get("input_tokens")),
                            context_window=self._window)]

    def _event(self, payload: dict[str, object], at: float | None, where: str) -> list[Finding]:
        kind = payload.get("type")
        window = payload.get("model_context_window")
        if isinstance(window, int) and window > 0:
            self._window = window
        if kind == "token_count":
            return self._token_count(payload, at, where)
        if at is None:
            return []
        match kind:
            case "task_started":
                return [Observed(Source.TRANSCRIPT, at, Status.WORKING, "working on your message")]
            case "user_message":
                return [Observed(Source.TRANSCRIPT, at, Status.WORKING, "working on your message")]
            case "task_complete":
                return [Observed(Source.TRANSCRIPT, at, Status.WAITING, "turn finished")]
            case "turn_aborted":
                return [Observed(Source.TRANSCRIPT, at, Status.WAITING, "turn interrupted")]
            case "error" | "stream_error":
                text = str(payload.get("message") or payload.get("error") or "error")
                if kind == "stream_error":  # Codex retries these itself
                    return [Observed(Source.TRANSCRIPT, at, None)]
                rate = any(word in text.lower() for word in _RATE_WORDS)
                status = Status.RATE_LIMITED if rate else Status.ERROR
                return [Observed(Source.TRANSCRIPT, at, status, text.splitlines()[0][:160]
                                 if text.strip() else "error")]
        return [Observed(Source.TRANSCRIPT, at, None)]

    def _token_count(self, payload: dict[str, object], at: float | None,
                     where: str) -> list[Finding]:
        info = get_dict(payload, "info")
        window = info.get("model_context_window")
        if isinstance(window, int) and window > 0:
            self._window = window
        total = get_dict(info, "total_token_usage")
        last = get_dict(info, "last_token_usage")
        if not total:
            return []
        vector = _vector(total)
        previous = self._last
        if previous == vector:
            return []  # a repeat (rate-limit refresh): nothing new
        self._last = vector
        if self._per_response:
            return []
        if previous is None:
            delta = tokens_of(total)
        elif all(now >= before for now, before in zip(vector, previous, strict=True)):
            delta = _delta(vector, previous)
        else:
            delta = tokens_of(last)  # the totals went down: a new baseline
        if delta.total == 0:
            return []
        # Keyed by the running totals themselves: history read again (a replaced file, a
        # resumed session copying it) gives the same keys, so it counts once.
        session = self._session or where
        key = f"codex:{session}:" + ".".join(str(v) for v in vector)
        return [UsageRecord(key=key, model=self._model,
                            tokens=delta, at=at,
                            context_tokens=as_int(last.get("input_tokens")) or None,
                            context_window=self._window)]


def _delta(now: list[int], before: list[int]) -> Tokens:
    diff = {name: a - b for name, a, b in zip(_FIELDS, now, before, strict=True)}
    return tokens_of(dict(diff))
