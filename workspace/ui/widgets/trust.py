"""The TUI side of repository trust: at start, and when the person asks (T), read what of the
repository's `.workspace.toml` waits for trust and show it with a key to trust it. At start it
says so once per content (digest) in a run; asked, it always shows it. Shows nothing itself."""

from __future__ import annotations

from functools import partial

from textual import on, work
from textual.widget import Widget

from workspace.core.errors import UsageError
from workspace.service import RepoTrust, Workspace
from workspace.ui.dialogs.trust import TrustScreen
from workspace.ui.jobs import run_job
from workspace.ui.messages import ActionFinished, TrustNoticeRead


class RepoTrustCheck(Widget):
    DEFAULT_CSS = "RepoTrustCheck { display: none; }"

    def __init__(self, ws: Workspace, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.ws = ws
        self._shown: set[str] = set()
        """Digests already put to the person in this run."""

    def on_mount(self) -> None:
        self.check()

    def check(self) -> None:
        """What the TUI's start does: show the notice unless this content was shown already."""
        self._look(asked=False)

    def ask(self) -> None:
        """The person asked to see what the repository's config would run."""
        self._look(asked=True)

    @work(thread=True, exclusive=True, group="trust", exit_on_error=False,
          description="read the repository's config")
    def _look(self, asked: bool) -> None:
        try:
            notice = self.ws.trust_notice()  # reads the file again: it may have changed
        except UsageError as exc:
            self.post_message(ActionFinished(str(exc), error=True, refresh=False))
            return
        self.post_message(TrustNoticeRead(notice, asked))

    @on(TrustNoticeRead)
    def _read(self, message: TrustNoticeRead) -> None:
        notice = message.notice
        if notice is None:
            if message.asked:
                self.notify("Nothing waits for trust: this repository's .workspace.toml runs "
                            "nothing, or you trust it as it is.")
            return
        if not message.asked and notice.digest in self._shown:
            return
        self._shown.add(notice.digest)
        self.app.push_screen(TrustScreen(notice, message.note), partial(self._answered, notice))

    def _answered(self, notice: RepoTrust, trust: bool | None) -> None:
        if trust:
            run_job(self, "trust the repository's config", partial(self._trust, notice))

    def _trust(self, notice: RepoTrust) -> str:
        try:
            trusted = self.ws.trust_repo_config(notice.digest)
        except UsageError:
            # The file changed since it was shown (or went): show what it says now, ask again.
            note = "The file changed while it was shown; nothing was trusted. It says now:"
            self.post_message(TrustNoticeRead(self.ws.trust_notice(), True, note))
            return ""
        return f"trusted {trusted.path}: all of it applies from now on"
