"""Gemini CLI session files: `<GEMINI_CLI_HOME or ~>/.gemini/tmp/<project>/chats/session-*.jsonl`.

Format read from gemini-cli 0.61.0's bundle (`ChatRecordingService`, `loadConversationRecord`):
- first line: metadata `{sessionId, projectHash (sha256 of the project root), startTime,
  lastUpdated, kind}`; `{"$set": {...}}` lines update it;
- message lines `{id, timestamp, type: user|gemini|info|error|warning, content, ...}`; a `gemini`
  message carries `model` and, once the response's usage arrives, `tokens {input, output,
  cached, thoughts, tool, total}` (`input` = promptTokenCount, which includes `cached`). The
  whole message is appended again every time it changes: keep the last copy per id (the store
  keeps the largest copy per key);
- `{"$rewindTo": id}` drops messages from the conversation, but they were billed: ignored here.
A resumed session writes its history again: message ids repeat, so it counts once.
Thoughts are billed as output and tool-use prompt tokens as input.
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

_RATE_WORDS = ("rate limit", "quota", "429", "resource_exhausted", "resource exhausted")


def tokens_of(tokens: dict[str, object]) -> Tokens:
    cached = as_int(tokens.get("cached"))
    prompt = as_int(tokens.get("input")) + as_int(tokens.get("tool"))
    return Tokens(input=max(prompt - cached, 0),
                  output=as_int(tokens.get("output")) + as_int(tokens.get("thoughts")),
                  cache_read=cached)


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


class GeminiSession(JsonLines):
    def feed(self, line: str, where: str) -> list[Finding]:
        record = self._load(line)
        if record is None:
            return []
        if "$set" in record:
            record = get_dict(record, "$set")
        session = record.get("sessionId")
        if isinstance(session, str) and session and session != self._session:
            self._session = session
            return [SessionSeen(session_id=session)]
        message_id = record.get("id")
        if not isinstance(message_id, str) or not message_id:
            return []
        at = parse_time(record.get("timestamp"))
        kind = record.get("type")
        found: list[Finding] = []
        if kind == "gemini":
            model = record.get("model")
            model_name = model if isinstance(model, str) and model else None
            tokens = get_dict(record, "tokens")
            if tokens:
                usage = tokens_of(tokens)
                if usage.total:
                    found.append(UsageRecord(
                        key=f"gemini:{self._session}:{message_id}", model=model_name,
                        tokens=usage, at=at,
                        context_tokens=as_int(tokens.get("input")) or None))
        if at is None:
            return found
        if kind == "user":
            found.append(Observed(Source.TRANSCRIPT, at, Status.WORKING,
                                  "working on your message"))
        elif kind == "error":
            text = _text(record.get("content")).strip()
            rate = any(word in text.lower() for word in _RATE_WORDS)
            found.append(Observed(Source.TRANSCRIPT, at,
                                  Status.RATE_LIMITED if rate else Status.ERROR,
                                  text.splitlines()[0][:160] if text else "error"))
        else:
            found.append(Observed(Source.TRANSCRIPT, at, None))
        return found
