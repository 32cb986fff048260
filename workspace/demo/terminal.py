"""The demo agent's terminal (raw keys, bracketed paste, Esc while it works) and its
records: a transcript in Claude Code's format and Claude-style hook events."""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import random
import select
import sys
import termios
import time
import tty
import uuid
from datetime import UTC, datetime
from pathlib import Path

from workspace.adapters.hook_sink import moved_path

MODEL = "claude-sonnet-4-5"


class Interrupted(Exception):
    pass


class Terminal:
    """Raw-ish keyboard input with bracketed paste, so pasted text arrives exactly."""

    def __init__(self) -> None:
        self.fd = sys.stdin.fileno()
        self.saved = termios.tcgetattr(self.fd) if os.isatty(self.fd) else None
        self.pending = ""
        # A character split across two reads must not turn into U+FFFD.
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def __enter__(self) -> Terminal:
        if self.saved is not None:
            tty.setcbreak(self.fd)
        self.write("\x1b[?2004h")
        return self

    def __exit__(self, *exc: object) -> None:
        self.write("\x1b[?2004l")
        if self.saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)

    @staticmethod
    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def read(self, timeout: float) -> str:
        """Whatever arrived within `timeout` seconds ('' if nothing)."""
        if self.pending:
            data, self.pending = self.pending, ""
            return data
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return ""
        chunks: list[bytes] = [os.read(self.fd, 65536)]
        # Drain what is already there so a paste is read whole.
        while select.select([self.fd], [], [], 0.02)[0]:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        raw = b"".join(chunks)
        if not raw:
            raise EOFError
        return self.decoder.decode(raw)

    def key_during_work(self, timeout: float) -> str:
        """A key pressed while working: Escape interrupts; other input is kept for later."""
        data = self.read(timeout)
        if data == "\x1b":
            raise Interrupted
        if data:
            self.pending += data
        return data


class Recorder:
    """Transcript (Claude Code format) and hook events (the hook sink's format)."""

    def __init__(self, transcript: Path | None, events: Path | None, cwd: str) -> None:
        self.transcript = transcript
        self.events = events
        self.cwd = cwd
        self.session = str(uuid.uuid4())
        self.parent: str | None = None

    @staticmethod
    def _now() -> str:
        return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _append(self, path: Path | None, record: dict[str, object]) -> None:
        if path is None:
            return
        try:
            self._write(path, record)
        except FileNotFoundError:
            # The repository moved: its state is found again from the worktree, as hooks do.
            moved = moved_path(str(path))
            if moved is not None:
                with contextlib.suppress(OSError):
                    self._write(Path(moved), record)
        except OSError:
            pass

    @staticmethod
    def _write(path: Path, record: dict[str, object]) -> None:
        # Private, as every state file: transcripts hold the prompts.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def event(self, name: str, **data: object) -> None:
        payload = {"session_id": self.session, "cwd": self.cwd, "hook_event_name": name, **data}
        self._append(self.events, {"at": time.time(), "event": name, "data": payload})

    def user(self, text: str) -> None:
        record_id = str(uuid.uuid4())
        self._append(
            self.transcript,
            {
                "type": "user",
                "uuid": record_id,
                "parentUuid": self.parent,
                "sessionId": self.session,
                "timestamp": self._now(),
                "cwd": self.cwd,
                "message": {"role": "user", "content": text},
            },
        )
        self.parent = record_id

    def assistant(self, rng: random.Random, stop_reason: str, text: str) -> int:
        """One model request, written as streamed lines: a first snapshot with partial usage,
        then the final one (same message id). Returns the request's total tokens."""
        message_id = f"msg_demo_{uuid.uuid4().hex[:20]}"
        request_id = f"req_demo_{uuid.uuid4().hex[:20]}"
        usage = {
            "input_tokens": rng.randint(3, 40),
            "cache_creation_input_tokens": rng.randint(0, 3000),
            "cache_read_input_tokens": rng.randint(4000, 30000),
            "output_tokens": rng.randint(120, 1800),
        }
        for final in (False, True):
            snapshot = dict(usage) if final else {**usage, "output_tokens": 1}
            record_id = str(uuid.uuid4())
            self._append(
                self.transcript,
                {
                    "type": "assistant",
                    "uuid": record_id,
                    "parentUuid": self.parent,
                    "sessionId": self.session,
                    "timestamp": self._now(),
                    "cwd": self.cwd,
                    "requestId": request_id,
                    "message": {
                        "id": message_id,
                        "role": "assistant",
                        "model": MODEL,
                        "type": "message",
                        "content": [{"type": "text", "text": text}],
                        "stop_reason": stop_reason if final else None,
                        "usage": snapshot,
                    },
                },
            )
            self.parent = record_id
        return sum(usage.values())
