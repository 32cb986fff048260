"""The part the scripted API servers share: a loopback HTTP server on a free port, run in a
thread for the length of a `with` block, whose handlers find the test's script on it."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self


class ScriptHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler], script: Any) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.script = script


class Serving:
    """Subclasses name their request handler; `with Sub(script) as server:` serves it."""

    handler: ClassVar[type[BaseHTTPRequestHandler]]

    def __init__(self, script: Any) -> None:
        self.script = script
        self._server = ScriptHTTPServer(self.handler, script)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
