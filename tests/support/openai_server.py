"""A scripted local server that speaks the OpenAI Responses API (`POST /v1/responses`, streaming
SSE), for driving the real Codex CLI with no network.

The conversation script: the first request of a turn answers with a function call that runs a
shell command (so Codex asks for approval when its policy says so); once the call's output comes
back, a short final answer. Every response's usage is recorded, so a test can compare what the
product counted with what the server reported. Requests that carry no tools (side calls such as
titles) get a plain answer and are recorded as not `main`.
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

MODEL = "gpt-5.1-codex"


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    """Includes the cached tokens, as the Responses API counts them."""
    cached_tokens: int
    output_tokens: int
    reasoning_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass
class Reply:
    response_id: str
    main: bool
    usage: Usage
    kind: str
    """'call', 'final' or 'side'."""


@dataclass
class Script:
    command: list[str]
    """The shell command the model asks to run (argv)."""
    final_text: str = "Done: I ran the command."
    delay: float = 0.0
    """Seconds to wait before each main response completes (so a test sees `working`)."""
    escalate: bool = True
    """Ask to run the command outside the sandbox: Codex asks the person to approve."""
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def main_usage(self) -> dict[str, int]:
        """Sums over the main thread's responses, in the product's terms (input excludes
        cache reads). Side calls (a session title) are Codex threads with no rollout."""
        with self.lock:
            replies = [r for r in self.replies if r.main]
        cached = sum(r.usage.cached_tokens for r in replies)
        return {
            "input": sum(r.usage.input_tokens for r in replies) - cached,
            "output": sum(r.usage.output_tokens for r in replies),
            "cache_read": cached,
            "cache_write": 0,
            "total": sum(r.usage.total for r in replies),
        }

    def kinds(self) -> list[str]:
        with self.lock:
            return [r.kind for r in self.replies]


def _last_input_type(body: dict[str, Any]) -> str:
    items = body.get("input") or []
    for item in reversed(items):
        if isinstance(item, dict):
            return str(item.get("type") or item.get("role") or "")
    return ""


def _shell_tool(body: dict[str, Any]) -> tuple[str, str] | None:
    """(tool name, how it takes the command) of the shell tool this Codex offers."""
    names = []
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            names.append(str(tool.get("name") or tool.get("type") or ""))
    for name in ("shell", "exec_command", "shell_command", "local_shell"):
        if name in names:
            return name, name
    return None


class _Handler(BaseHTTPRequestHandler):
    server: ScriptHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        script = self.server.script
        with script.lock:
            script.paths.append(f"GET {self.path}")
        if self.path.rstrip("/").endswith("/models"):
            self._json({"object": "list", "data": [{"id": MODEL, "object": "model"}],
                        "models": []})
            return
        self._json({}, status=404)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        script = self.server.script
        with script.lock:
            script.paths.append(f"POST {self.path}")
            script.requests.append(body)
        if self.path.rstrip("/").endswith("/chat/completions"):
            self._chat(body)
            return
        if not self.path.rstrip("/").endswith("/responses"):
            self._json({}, status=404)
            return
        self._respond(body)

    def _chat(self, body: dict[str, Any]) -> None:
        """Chat Completions, not streamed (Aider with --no-stream): a plain answer."""
        script = self.server.script
        with script.lock:
            n = len(script.replies)
        usage = Usage(input_tokens=900 + 100 * n, cached_tokens=0, output_tokens=40 + 5 * n)
        response_id = f"chatcmpl-{uuid.uuid4().hex[:16]}"
        with script.lock:
            script.replies.append(Reply(response_id, True, usage, "chat"))
        self._json({"id": response_id, "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model") or MODEL,
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {
                        "role": "assistant", "content": script.final_text}}],
                    "usage": {"prompt_tokens": usage.input_tokens,
                              "completion_tokens": usage.output_tokens,
                              "total_tokens": usage.total}})

    def _json(self, value: object, status: int = 200) -> None:
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _respond(self, body: dict[str, Any]) -> None:
        script = self.server.script
        tool = _shell_tool(body)
        with script.lock:
            n = len(script.replies)
        usage = Usage(input_tokens=1200 + 100 * n, cached_tokens=400 + 10 * n,
                      output_tokens=60 + 5 * n, reasoning_tokens=20)
        response_id = f"resp_{uuid.uuid4().hex[:16]}"
        items: list[dict[str, Any]]
        if tool is None:
            kind = "side"
            items = [_message("ok")]
        elif _last_input_type(body) in ("function_call_output", "custom_tool_call_output"):
            kind = "final"
            items = [_message(script.final_text)]
        else:
            kind = "call"
            name = tool[0]
            arguments: dict[str, Any]
            if name == "exec_command":
                arguments = {"cmd": " ".join(script.command)}
                if script.escalate:
                    arguments["sandbox_permissions"] = "require_escalated"
                    arguments["justification"] = "May I run the scripted command?"
            elif name == "shell_command":
                arguments = {"command": " ".join(script.command)}
            else:
                arguments = {"command": script.command}
            items = [{"type": "function_call", "id": f"fc_{uuid.uuid4().hex[:12]}",
                      "call_id": f"call_{uuid.uuid4().hex[:12]}", "name": name,
                      "arguments": json.dumps(arguments)}]
        with script.lock:
            script.replies.append(Reply(response_id, kind != "side", usage, kind))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.end_headers()
        self._stream(response_id, body, items, usage)

    def _event(self, kind: str, data: dict[str, Any]) -> None:
        data = {"type": kind, **data}
        self.wfile.write(f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()

    def _stream(self, response_id: str, body: dict[str, Any], items: list[dict[str, Any]],
                usage: Usage) -> None:
        model = str(body.get("model") or MODEL)
        response = {"id": response_id, "object": "response", "model": model,
                    "status": "in_progress", "output": []}
        self._event("response.created", {"response": response})
        if self.server.script.delay and body.get("tools"):
            time.sleep(self.server.script.delay)
        for index, item in enumerate(items):
            self._event("response.output_item.added", {"output_index": index, "item": item})
            if item.get("type") == "message":
                text = item["content"][0]["text"]
                self._event("response.output_text.delta", {
                    "item_id": item["id"], "output_index": index, "content_index": 0,
                    "delta": text})
            self._event("response.output_item.done", {"output_index": index, "item": item})
        done = {**response, "status": "completed", "output": items, "usage": {
            "input_tokens": usage.input_tokens,
            "input_tokens_details": {"cached_tokens": usage.cached_tokens},
            "output_tokens": usage.output_tokens,
            "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
            "total_tokens": usage.total,
        }}
        self._event("response.completed", {"response": done})


def _message(text: str) -> dict[str, Any]:
    return {"type": "message", "id": f"msg_{uuid.uuid4().hex[:12]}", "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


class OpenAIServer(Serving):
    """`with OpenAIServer(script) as server:` serves on `server.base_url` until the block ends."""

    handler = _Handler

    @property
    def base_url(self) -> str:
        return self.root + "/v1"
