"""Claude Code transcripts: `<config>/projects/<encoded cwd>/<session-id>.jsonl`.

One JSON object per line. Assistant lines carry `message.usage`; Claude writes one line per
content block of a streamed message, each repeating the message id with a usage snapshot, and a
resumed session replays earlier lines. The dedup key is the API message id (the same response
can appear with different request ids when a side chain replays it, and the request id is absent
when the API sent no `request-id` header); the store keeps the largest copy per key.
The demo agent writes the same format.
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

_RATE_WORDS = ("rate limit", "rate_limit", "usage limit", "overloaded", "429")


class ClaudeTranscript(JsonLines):
    def feed(self, line: str, where: str) -> list[Finding]:
        record = self._load(line)
        if record is None:
            return []
        found: list[Finding] = []
        session = record.get("sessionId")
        if isinstance(session, str) and session and session != self._session:
            self._session = session
            cwd = record.get("cwd")
            found.append(SessionSeen(session_id=session, cwd=cwd if isinstance(cwd, str) else None))
        at = parse_time(record.get("timestamp"))
        kind = record.get("type")
        if kind == "assistant":
            found.extend(self._assistant(record, at, where))
        elif kind == "user" and at is not None:
            found.append(self._user(record, at))
        elif at is not None:
            found.append(Observed(Source.TRANSCRIPT, at, None))
        return found

    def _assistant(self, record: dict[str, object], at: float | None, where: str) -> list[Finding]:
        message = get_dict(record, "message")
        model = message.get("model")
        model_name = model if isinstance(model, str) and model else None
        found: list[Finding] = []
        usage = get_dict(message, "usage")
        if usage and model_name != "<synthetic>":
            tokens = Tokens(
                input=as_int(usage.get("input_tokens")),
                output=as_int(usage.get("output_tokens")),
                cache_read=as_int(usage.get("cache_read_input_tokens")),
                cache_write=as_int(usage.get("cache_creation_input_tokens")),
            )
            key = _first_str(message.get("id"), record.get("requestId"), record.get("uuid"))
            found.append(
                UsageRecord(
                    key=f"claude:{key}" if key else f"claude@{where}",
                    model=model_name,
                    tokens=tokens,
                    at=at,
                    context_tokens=tokens.input + tokens.cache_read + tokens.cache_write,
                )
            )
        if at is None:
            return found
        if record.get("isApiErrorMessage"):
            text = _text_of(message).strip()
            lowered = text.lower()
            status = (
                Status.RATE_LIMITED if any(w in lowered for w in _RATE_WORDS) else Status.ERROR
            )
            found.append(Observed(Source.TRANSCRIPT, at, status, text[:160] or "API error"))
        elif message.get("stop_reason") == "end_turn":
            found.append(Observed(Source.TRANSCRIPT, at, Status.WAITING, "turn finished"))
        elif message.get("stop_reason") == "tool_use":
            found.append(Observed(Source.TRANSCRIPT, at, Status.WORKING, "calling a tool"))
        else:
            found.append(Observed(Source.TRANSCRIPT, at, None))
        return found

    def _user(self, record: dict[str, object], at: float) -> Observed:
        message = get_dict(record, "message")
        content = message.get("content")
        # A prompt (plain text) starts a turn; tool results are activity inside one.
        if isinstance(content, str) and not record.get("isMeta"):
            return Observed(Source.TRANSCRIPT, at, Status.WORKING, "working on your message")
        return Observed(Source.TRANSCRIPT, at, None)


def _first_str(*values: object) -> str:
    for value in values:
        if isinstance(value, str) and value:
            return value
    return ""


def _text_of(message: dict[str, object]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            str(block.get("text", ""))
            for block in content
            if isinstance(block, dict) and block.get("type") == "text"
        ]
        return " ".join(parts)
    return ""
