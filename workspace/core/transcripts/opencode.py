"""opencode messages, one JSON object per line: a message's info as opencode stores it (the
`data` of a row of the `message` table of `opencode.db`, with the row's `id` and `session_id`
added as `id` and `sessionID`; or a legacy `storage/message/<session>/<message>.json` file, which
has them already). The adapter writes a line each time it sees a message change, so one message
comes many times as opencode rewrites it while it streams: every copy gives a usage record keyed
by the message id, and the store keeps the largest.

What a message says (opencode 1.18, `MessageV2.Info`):
- `role: "user"` -> working (a new turn), `time.created`;
- `role: "assistant"`: `modelID`, `providerID`, `cost` (USD, opencode's own from the model's
  prices), `tokens {input, output, reasoning, cache {read, write}}` with `input` exclusive of
  the cache and `output` exclusive of `reasoning` (both billed as output here), `time {created,
  completed}`, `finish` ("stop", "tool-calls", ...), `error {name, data {message}}`.
  Not completed -> working; completed with `finish` "tool-calls" -> working (the next step
  follows); completed otherwise -> waiting; an error -> error, rate_limited for quota words,
  waiting for `MessageAbortedError` (the person pressed Esc).
Messages of sub-agent sessions (the adapter copies them along with `parentSessionID` = the
agent's session added; in lines without it, any other session than the first one seen) count
for usage but claim no status: a sub-agent finishing is not the agent's turn ending.
Permission requests are not in messages: they come from the pane text.
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

_RATE_WORDS = ("rate limit", "rate_limit", "usage limit", "quota", "429", "too many requests")
_STEP_FINISHES = ("tool-calls", "tool_calls")


def tokens_of(tokens: dict[str, object]) -> Tokens:
    cache = get_dict(tokens, "cache")
    return Tokens(
        input=as_int(tokens.get("input")),
        output=as_int(tokens.get("output")) + as_int(tokens.get("reasoning")),
        cache_read=as_int(cache.get("read")),
        cache_write=as_int(cache.get("write")),
    )


def _cost(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value >= 0 else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _error_text(error: dict[str, object]) -> str:
    data = get_dict(error, "data")
    text = data.get("message") or error.get("message") or error.get("name") or "error"
    return str(text)


class OpencodeMessages(JsonLines):
    def feed(self, line: str, where: str) -> list[Finding]:
        record = self._load(line)
        if record is None:
            return []
        message_id = record.get("id")
        role = record.get("role")
        if not isinstance(message_id, str) or not message_id or role not in ("user",
                                                                             "assistant"):
            return []
        found: list[Finding] = []
        session = _text(record.get("sessionID"))
        parent = _text(record.get("parentSessionID"))
        if (parent or session) and not self._session:
            # A sub-agent's line may come first: it names the agent's session as its parent.
            self._session = parent or session
            cwd = _text(get_dict(record, "path").get("cwd"))
            found.append(SessionSeen(session_id=self._session, cwd=cwd or None))
        own = not parent and (not session or session == self._session)
        times = get_dict(record, "time")
        created = parse_time(times.get("created"))
        completed = parse_time(times.get("completed"))
        if role == "user":
            if created is not None and own:
                found.append(Observed(Source.TRANSCRIPT, created, Status.WORKING,
                                      "working on your message"))
            return found
        model = record.get("modelID")
        if isinstance(model, str) and model and model != self._model:
            self._model = model
            found.append(SessionSeen(model=model))
        tokens_info = get_dict(record, "tokens")
        tokens = tokens_of(tokens_info)
        cost = _cost(record.get("cost"))
        if tokens.total > 0 or cost:
            cache = get_dict(tokens_info, "cache")
            context = (as_int(tokens_info.get("input")) + as_int(cache.get("read"))
                       + as_int(cache.get("write")))
            found.append(UsageRecord(key=f"opencode:{message_id}", model=self._model,
                                     tokens=tokens, at=completed or created,
                                     context_tokens=context or None, cost_usd=cost))
        if not own:
            at = completed or created
            if at is not None:
                found.append(Observed(Source.TRANSCRIPT, at, None))  # a sub-agent is busy
            return found
        found.extend(self._status(record, created, completed))
        return found

    def _status(self, record: dict[str, object], created: float | None,
                completed: float | None) -> list[Finding]:
        error = get_dict(record, "error")
        at = completed or created
        if at is None:
            return []
        if error:
            if error.get("name") == "MessageAbortedError":
                return [Observed(Source.TRANSCRIPT, at, Status.WAITING, "turn interrupted")]
            text = _error_text(error)
            rate = any(word in text.lower() for word in _RATE_WORDS)
            first = text.splitlines()[0][:160] if text.strip() else "error"
            return [Observed(Source.TRANSCRIPT, at,
                             Status.RATE_LIMITED if rate else Status.ERROR, first)]
        if completed is None:
            return [Observed(Source.TRANSCRIPT, at, Status.WORKING, "working")]
        if record.get("finish") in _STEP_FINISHES:
            return [Observed(Source.TRANSCRIPT, at, Status.WORKING, "working")]
        return [Observed(Source.TRANSCRIPT, at, Status.WAITING, "turn finished")]
