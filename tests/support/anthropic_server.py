"""A scripted local server that speaks the Anthropic Messages API (streaming SSE and plain
JSON), for driving the real Claude Code CLI with no network.

The conversation script: the first turn of the main conversation asks to create a file with
the Write tool; once the tool result comes back, a short final answer. Requests that are not
the main conversation (Claude Code's side calls: titles, topic checks, summaries; told apart by
carrying no tools) get a short text answer. Every response's usage is recorded with its message
id, so a test can compare what the product counted with what the server reported.
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

MODEL = "claude-sonnet-4-5-20250929"


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0

    @property
    def total(self) -> int:
        return (self.input_tokens + self.output_tokens + self.cache_read_input_tokens
                + self.cache_creation_input_tokens)


@dataclass
class Reply:
    message_id: str
    main: bool
    usage: Usage
    kind: str
    """'tool_use', 'final' or 'side'."""


@dataclass
class Script:
    file_path: str = ""
    """Where the model asks to write (absolute: in the agent's worktree). Main-conversation
    answers wait until `ready` is set, so a test can fill it in once the worktree exists."""
    delay: float = 1.5
    """Seconds each main-conversation answer takes, so `working` lasts long enough to see."""
    file_text: str = "created by the scripted model\n"
    final_text: str = "Done: I created the file."
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ready: threading.Event = field(default_factory=threading.Event)

    def main_usage(self) -> dict[str, int]:
        """Sums over the main conversation's responses (what the transcript records)."""
        with self.lock:
            replies = [r for r in self.replies if r.main]
        return {
            "input": sum(r.usage.input_tokens for r in replies),
            "output": sum(r.usage.output_tokens for r in replies),
            "cache_read": sum(r.usage.cache_read_input_tokens for r in replies),
            "cache_write": sum(r.usage.cache_creation_input_tokens for r in replies),
            "total": sum(r.usage.total for r in replies),
        }

    def kinds(self) -> list[str]:
        with self.lock:
            return [r.kind for r in self.replies]


def _has_tool_result(body: dict[str, Any]) -> bool:
    messages = body.get("messages") or []
    if not messages:
        return False
    content = messages[-1].get("content")
    return isinstance(content, list) and any(
        isinstance(block, dict) and block.get("type") == "tool_result" for block in content)


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    server: ScriptHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._json(404, {"type": "error", "error": {"type": "not_found_error",
                                                     "message": "not here"}})

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.end_headers()

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        path = self.path.split("?", 1)[0]
        script = self.server.script
        with script.lock:
            script.requests.append({"path": path, "body": body})
        if path.endswith("/count_tokens"):
            self._json(200, {"input_tokens": 42})
            return
        if not path.endswith("/v1/messages"):
            self._json(404, {"type": "error", "error": {"type": "not_found_error",
                                                         "message": path}})
            return
        self._messages(body)

    def _messages(self, body: dict[str, Any]) -> None:
        script = self.server.script
        main = bool(body.get("tools"))
        message_id = f"msg_{uuid.uuid4().hex[:24]}"
        if main:
            script.ready.wait(60)
            time.sleep(script.delay)
        n = len(script.replies)
        if not main:
            kind = "side"
            blocks: list[dict[str, Any]] = [{"type": "text", "text": "ok"}]
            usage = Usage(input_tokens=11 + n, output_tokens=3)
            stop = "end_turn"
        elif _has_tool_result(body):
            kind = "final"
            blocks = [{"type": "text", "text": script.final_text}]
            usage = Usage(input_tokens=31, output_tokens=17, cache_read_input_tokens=2000,
                          cache_creation_input_tokens=150)
            stop = "end_turn"
        else:
            kind = "tool_use"
            blocks = [
                {"type": "text", "text": "I'll create the file."},
                {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:24]}", "name": "Write",
                 "input": {"file_path": script.file_path, "content": script.file_text}},
            ]
            usage = Usage(input_tokens=1200, output_tokens=45, cache_read_input_tokens=0,
                          cache_creation_input_tokens=3000)
            stop = "tool_use"
        with script.lock:
            script.replies.append(Reply(message_id, main, usage, kind))
        model = str(body.get("model") or MODEL)
        if body.get("stream"):
            self._stream(message_id, model, blocks, usage, stop)
        else:
            self._json(200, {
                "id": message_id, "type": "message", "role": "assistant", "model": model,
                "content": blocks, "stop_reason": stop, "stop_sequence": None,
                "usage": _usage_json(usage, usage.output_tokens),
            })

    def _stream(self, message_id: str, model: str, blocks: list[dict[str, Any]], usage: Usage,
                stop: str) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.end_headers()
        out = [_sse("message_start", {"type": "message_start", "message": {
            "id": message_id, "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": _usage_json(usage, 1)}})]
        for index, block in enumerate(blocks):
            if block["type"] == "text":
                out.append(_sse("content_block_start", {
                    "type": "content_block_start", "index": index,
                    "content_block": {"type": "text", "text": ""}}))
                out.append(_sse("content_block_delta", {
                    "type": "content_block_delta", "index": index,
                    "delta": {"type": "text_delta", "text": block["text"]}}))
            else:
                out.append(_sse("content_block_start", {
                    "type": "content_block_start", "index": index,
                    "content_block": {"type": "tool_use", "id": block["id"],
                                      "name": block["name"], "input": {}}}))
                out.append(_sse("content_block_delta", {
                    "type": "content_block_delta", "index": index,
                    "delta": {"type": "input_json_delta",
                              "partial_json": json.dumps(block["input"])}}))
            out.append(_sse("content_block_stop", {"type": "content_block_stop",
                                                   "index": index}))
        out.append(_sse("message_delta", {
            "type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": {"output_tokens": usage.output_tokens}}))
        out.append(_sse("message_stop", {"type": "message_stop"}))
        for chunk in out:
            self.wfile.write(chunk)
            self.wfile.flush()


def _usage_json(usage: Usage, output_tokens: int) -> dict[str, int]:
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": output_tokens,
        "cache_read_input_tokens": usage.cache_read_input_tokens,
        "cache_creation_input_tokens": usage.cache_creation_input_tokens,
    }


class AnthropicServer(Serving):
    """Start with `with AnthropicServer(script) as server:`; `server.url` is the base URL."""

    handler = _Handler

    @property
    def url(self) -> str:
        return self.root
