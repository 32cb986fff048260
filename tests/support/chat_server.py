"""A scripted local server that speaks the OpenAI Chat Completions API with streaming SSE
(`POST /v1/chat/completions`, `"stream": true`), as `@ai-sdk/openai-compatible` calls it: the
provider opencode uses for a custom `provider` with a `baseURL`. No network involved.

The conversation script: the first request of a turn that offers tools answers with a tool call
(`bash` running a command, so opencode asks for permission when its config says `ask`); once
the tool's result comes back, a short final answer. Requests with no tools (opencode's title
and summary side calls) get a plain answer and are recorded as not `main`. Every reply's usage
is recorded, so a test can compare what the product counted with what the server reported.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.scripted_http import ScriptHTTPServer, Serving

MODEL = "gpt-scripted"
SUB_PROMPT = "SCRIPTED-SUBAGENT: reply with one line."


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    """Includes the cached tokens, as the Chat Completions API counts them."""
    cached_tokens: int
    completion_tokens: int
    """Includes the reasoning tokens."""
    reasoning_tokens: int = 0


@dataclass
class Reply:
    reply_id: str
    main: bool
    usage: Usage
    kind: str
    """'call' (bash), 'task' (a sub-agent), 'sub' (the sub-agent's request), 'final' or
    'side'."""


@dataclass
class Script:
    command: str
    """The shell command the model asks the `bash` tool to run."""
    final_text: str = "Done: I ran the command."
    delay: float = 0.0
    """Seconds to wait before each main reply completes (so a test sees `working`)."""
    subagent: bool = False
    """Ask for a sub-agent (the `task` tool) instead of running the command: opencode runs it
    in a child session, whose request gets a plain answer (kind 'sub')."""
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def main_replies(self) -> list[Reply]:
        with self.lock:
            return [r for r in self.replies if r.main]

    def kinds(self) -> list[str]:
        with self.lock:
            return [r.kind for r in self.replies]


def _tool_names(body: dict[str, Any]) -> list[str]:
    names = []
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            function = tool.get("function")
            if isinstance(function, dict):
                names.append(str(function.get("name") or ""))
    return names


def _last_role(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    last = messages[-1] if messages else {}
    return str(last.get("role") or "") if isinstance(last, dict) else ""


def _user_asked(body: dict[str, Any], text: str) -> bool:
    """A user message of the conversation holds `text` (the sub-agent's own session; the parent
    session only has it inside its tool call)."""
    for message in body.get("messages") or []:
        if isinstance(message, dict) and message.get("role") == "user" \
                and text in json.dumps(message.get("content")):
            return True
    return False


class _Handler(BaseHTTPRequestHandler):
    server: ScriptHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._json({"object": "list", "data": [{"id": MODEL, "object": "model"}]})
            return
        self._json({}, status=404)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if not isinstance(body, dict) or not self.path.rstrip("/").endswith("/chat/completions"):
            self._json({}, status=404)
            return
        script = self.server.script
        with script.lock:
            script.requests.append(body)
            n = len(script.replies)
        tools = _tool_names(body)
        if "bash" not in tools:
            kind = "side"
        elif _user_asked(body, SUB_PROMPT):
            kind = "sub"
        elif _last_role(body) == "tool":
            kind = "final"
        else:
            kind = "task" if script.subagent else "call"
        usage = Usage(prompt_tokens=1500 + 100 * n, cached_tokens=300 + 10 * n,
                      completion_tokens=50 + 5 * n, reasoning_tokens=8 if kind != "side" else 0)
        reply_id = f"chatcmpl-{uuid.uuid4().hex[:16]}"
        with script.lock:
            script.replies.append(Reply(reply_id, kind != "side", usage, kind))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.end_headers()
        model = str(body.get("model") or MODEL)
        if kind == "side":
            self._stream_text(reply_id, model, "Scripted title", usage)
            return
        if script.delay:
            time.sleep(script.delay)
        if kind == "final":
            self._stream_text(reply_id, model, script.final_text, usage)
        elif kind == "sub":
            self._stream_text(reply_id, model, "Sub-agent: nothing to do.", usage)
        elif kind == "task":
            self._stream_call(reply_id, model, usage, "task", {
                "description": "Scripted sub-task", "prompt": SUB_PROMPT,
                "subagent_type": "general"})
        else:
            self._stream_call(reply_id, model, usage, "bash", {
                "command": script.command, "description": "Run the scripted command"})

    def _json(self, value: object, status: int = 200) -> None:
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _chunk(self, reply_id: str, model: str, delta: dict[str, Any],
               finish: str | None = None, usage: Usage | None = None) -> None:
        chunk: dict[str, Any] = {
            "id": reply_id, "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if usage is not None:
            chunk["usage"] = {
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "total_tokens": usage.prompt_tokens + usage.completion_tokens,
                "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
                "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
            }
        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.flush()

    def _done(self) -> None:
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _stream_text(self, reply_id: str, model: str, text: str, usage: Usage) -> None:
        self._chunk(reply_id, model, {"role": "assistant", "content": ""})
        half = len(text) // 2
        self._chunk(reply_id, model, {"content": text[:half]})
        self._chunk(reply_id, model, {"content": text[half:]})
        self._chunk(reply_id, model, {}, "stop", usage)
        self._done()

    def _stream_call(self, reply_id: str, model: str, usage: Usage, tool: str,
                     args: dict[str, Any]) -> None:
        arguments = json.dumps(args)
        self._chunk(reply_id, model, {"role": "assistant", "content": None, "tool_calls": [{
            "index": 0, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
            "function": {"name": tool, "arguments": ""}}]})
        self._chunk(reply_id, model, {"tool_calls": [{
            "index": 0, "function": {"arguments": arguments}}]})
        self._chunk(reply_id, model, {}, "tool_calls", usage)
        self._done()


class ChatServer(Serving):
    """`with ChatServer(script) as server:` serves on `server.base_url` until the block ends."""

    handler = _Handler

    @property
    def base_url(self) -> str:
        return self.root + "/v1"
