"""Demo agents kept working with no autopilot: each time one's turn ends (its Stop hook event),
it is sent a message through the real service, as the autopilot's continue loop would. A floor
measured beside the autopilot then sees a fleet as busy as the autopilot keeps it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.harness.turns import TurnWatcher
from workspace.core.errors import UsageError
from workspace.service import Workspace


class KeepBusy:
    def __init__(self, ws: Workspace, files: dict[str, Path], message: str,
                 poll: float = 0.2) -> None:
        self.ws = ws
        self.watcher = TurnWatcher(files)
        self.message = message
        self.poll = poll
        self.sent = 0
        self.failed: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="keep-busy", daemon=True)
        # A send waits for its paste to land (the preset's submit delay): a few at once, so
        # one waiting send does not hold up the others.
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="keep-busy-send")
        self._lock = threading.Lock()

    def start(self) -> None:
        """Send every agent the message now (they are idle), then again at each turn end."""
        for name in self.watcher.files:
            self._pool.submit(self._send, name)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._pool.shutdown(wait=True)

    @property
    def turn_ends(self) -> int:
        return self.watcher.ends

    def _run(self) -> None:
        while not self._stop.wait(self.poll):
            for name in self.watcher.ended():
                self._pool.submit(self._send, name)

    def _send(self, name: str) -> None:
        if self._stop.is_set():
            return
        try:
            self.ws.send(name, self.message)
        except UsageError as exc:
            with self._lock:
                self.failed.append(f"{name}: {exc}")
            return
        with self._lock:
            self.sent += 1
