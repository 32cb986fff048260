"""Aider's analytics log (`--analytics-log FILE`, written locally even with `--no-analytics`).

One JSON object per line: `{"event", "properties", "user_id", "time"}` (epoch seconds).
- `message_send_starting` -> working (a request to the model starts).
- `message_send`: one model request done, with `prompt_tokens`, `completion_tokens`, `cost`
  (this request, computed by Aider itself) and `total_cost` (this launch). No request id: the
  key is the line's place in the file, which does not change when the file is read again.
  Aider redacts model names its price list does not know (`openai/REDACTED`): no model then.
  No cache figures are logged (they are only in the chat history's "Tokens:" lines).
- `exit` -> a sign of life only: the pane tells whether the process ended.
Waiting for the person comes from the notifications command (a hook event) and the pane.
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


def _model(properties: dict[str, object]) -> str | None:
    model = properties.get("main_model")
    if not isinstance(model, str) or not model or model.endswith("REDACTED"):
        return None
    return model


class AiderAnalytics(JsonLines):
    def feed(self, line: str, where: str) -> list[Finding]:
        record = self._load(line)
        if record is None:
            return []
        if not isinstance(record.get("event"), str):
            self.skipped += 1  # JSON, but not an analytics event
            return []
        event = record["event"]
        properties = get_dict(record, "properties")
        at = parse_time(record.get("time"))
        found: list[Finding] = []
        model = _model(properties)
        if model and model != self._model:
            self._model = model
            found.append(SessionSeen(model=model))
        if event == "message_send":
            tokens = Tokens(input=as_int(properties.get("prompt_tokens")),
                            output=as_int(properties.get("completion_tokens")))
            cost = properties.get("cost")
            if tokens.total:
                found.append(UsageRecord(
                    key=f"aider:{where}", model=self._model, tokens=tokens, at=at,
                    context_tokens=tokens.input,
                    cost_usd=float(cost) if isinstance(cost, int | float) else None))
        if at is None:
            return found
        if event == "message_send_starting":
            found.append(Observed(Source.TRANSCRIPT, at, Status.WORKING, "working on your message"))
        else:
            found.append(Observed(Source.TRANSCRIPT, at, None))
        return found
