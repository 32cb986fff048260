"""The person's actions on agents: approve, approve always, deny, interrupt, pause or resume,
restart, kill and send, each on every agent it is given (the marked ones the table shows, or
the cursor's). One service call per agent, all in one worker, and one line for the lot; what
cannot be undone (interrupt, restart, kill, and approving several for the whole session) asks
once first, listing them.

Shows nothing itself: it asks through dialogs and posts ActionFinished (which goes on up to
the screen, which shows it and polls again). A kill of several posts UnsavedWorkListed first.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.widget import Widget

from workspace.core import format as fmt
from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.service import Workspace
from workspace.ui.dialogs.confirm import ConfirmScreen
from workspace.ui.dialogs.kill import KillChoice, KillScreen
from workspace.ui.dialogs.send import SendScreen
from workspace.ui.jobs import run_job
from workspace.ui.messages import KillTarget, UnsavedWorkListed

Call = Callable[[str], object]
RUNNING = "{} is not running"
NONE_RUNNING = "none of the {} marked agents is running"


class AgentActions(Widget):
    DEFAULT_CSS = "AgentActions { display: none; }"

    def __init__(self, ws: Workspace, forget: Callable[[list[str]], None],
                 **kwargs: object) -> None:
        """`forget`: unmark these agent ids (they were killed)."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.ws = ws
        self.forget = forget

    # -- permission requests ----------------------------------------------------------------

    def approve(self, agents: list[Agent], always: bool = False) -> None:
        asking = self._only(agents, Status.NEEDS_PERMISSION)
        if not asking:
            return
        ws = self.ws
        done = "approved {} for this session" if always else "approved {}"
        if always and len(asking) > 1:
            self._confirm(f"Approve {len(asking)} agents and let them stop asking for the rest "
                          "of their sessions?", asking, "Approve always",
                          lambda: self._run("approve", asking, lambda n: ws.approve(n, True),
                                            done, agents))
            return
        self._run("approve", asking, lambda n: ws.approve(n, always), done, agents)

    def deny(self, agents: list[Agent]) -> None:
        asking = self._only(agents, Status.NEEDS_PERMISSION)
        if asking:
            self._run("deny", asking, self.ws.deny, "denied {}", agents)

    # -- the agents' processes --------------------------------------------------------------

    def interrupt(self, agents: list[Agent]) -> None:
        live = [a for a in agents if not a.status.ended]
        if not self._some(live, agents, RUNNING, NONE_RUNNING):
            return
        def run() -> None:
            self._run("interrupt", live, self.ws.interrupt, "interrupted {}", agents)

        if len(live) > 1:
            self._confirm(f"Interrupt the current turn of {len(live)} agents?", live,
                          "Interrupt", run)
        else:
            run()

    def pause(self, agents: list[Agent]) -> None:
        """Resume them if every one is paused, else pause those that run."""
        if agents and all(a.status == Status.PAUSED for a in agents):
            self._run("resume", agents, self.ws.resume, "resumed {}", agents)
            return
        live = [a for a in agents if not a.status.ended and a.status != Status.PAUSED]
        if self._some(live, agents, RUNNING, NONE_RUNNING):
            self._run("pause", live, self.ws.pause, "paused {}", agents)

    def restart(self, agents: list[Agent]) -> None:
        ended = [a for a in agents if a.status in (Status.EXITED, Status.CRASHED)]
        if not self._some(ended, agents, "{} has not exited or crashed: only those restart",
                          "none of the {} marked agents has exited or crashed"):
            return
        def run() -> None:
            self._run("restart", ended, self.ws.restart, "restarted {}", agents)

        if len(ended) > 1:
            self._confirm(f"Restart {len(ended)} agents?", ended, "Restart", run)
        else:
            run()

    def kill(self, agents: list[Agent]) -> None:
        """Look at what each would lose (in a worker), then ask once."""
        if not agents:
            return
        ws = self.ws

        def job() -> None:
            targets = []
            for agent in agents:
                unsaved = ws.kill_preview(agent.name)
                targets.append(KillTarget(agent.name, agent.worktree, agent.branch,
                                          unsaved.uncommitted, unsaved.commits))
            self.post_message(UnsavedWorkListed(agents, targets))

        run_job(self, f"check {fmt.listing([a.name for a in agents], 3)}", job)

    @on(UnsavedWorkListed)
    def _confirm_kill(self, message: UnsavedWorkListed) -> None:
        message.stop()
        agents = message.agents

        def chosen(choice: KillChoice | None) -> None:
            if choice is None:
                return
            self.forget([a.id for a in agents])
            discard = choice == "discard"

            def job() -> str:
                reports, errors = [], []
                for agent in agents:
                    try:
                        reports.append(self.ws.kill(agent.name, discard=discard))
                    except UsageError as exc:
                        errors.append(str(exc))
                if len(reports) == 1 and not errors:
                    return reports[0].summary()
                lines = [r.summary() for r in reports]
                if errors:
                    raise UsageError("\n".join([*errors, *lines]))
                return "\n".join(lines)

            run_job(self, f"kill {fmt.listing([a.name for a in agents], 3)}", job)

        self.app.push_screen(KillScreen(message.targets), chosen)

    # -- messages -----------------------------------------------------------------------------

    def send(self, agents: list[Agent]) -> None:
        names = [a.name for a in agents]
        if names:
            self.app.push_screen(SendScreen(names), lambda text: self._send(names, text))

    def _send(self, names: list[str], text: str | None) -> None:
        if not text:
            return

        def job() -> str:
            results = self.ws.send_many(names, text)
            failed = [r for r in results if not r.ok]
            if failed:
                raise UsageError("; ".join(r.error for r in failed))
            # What cleaning the message changed reads the same for every agent: say it once.
            changed = next((r.changes for r in results if r.changes), "")
            return f"sent to {fmt.listing(names)}" + (f" ({changed})" if changed else "")

        run_job(self, "send", job)

    # -- the one way they all run -------------------------------------------------------------

    def _only(self, agents: list[Agent], need: Status) -> list[Agent]:
        fit = [a for a in agents if a.status == need]
        if not fit and agents:
            if len(agents) == 1:
                a = agents[0]
                self.notify(f"{a.name} is {fmt.STATUS_LABEL[a.status]}, not "
                            f"{fmt.STATUS_LABEL[need]}", severity="warning")
            else:
                self.notify(f"none of the {len(agents)} marked agents is "
                            f"{fmt.STATUS_LABEL[need]}", severity="warning")
        return fit

    def _some(self, fit: list[Agent], agents: list[Agent], one: str, many: str) -> bool:
        """Are there agents to act on? If not, say why (`one` for one agent, `many` for
        several: 'none of the {} marked agents ...')."""
        if fit or not agents:
            return bool(fit)
        self.notify(one.format(agents[0].name) if len(agents) == 1 else many.format(len(agents)),
                    severity="warning")
        return False

    def _confirm(self, question: str, agents: list[Agent], yes: str,
                 then: Callable[[], None]) -> None:
        details = "\n".join(f"{a.name}  ({fmt.STATUS_LABEL[a.status]})" for a in agents)
        self.app.push_screen(ConfirmScreen(question, details, yes=yes, no="Cancel",
                                           danger=True),
                             lambda yes_: then() if yes_ else None)

    def _run(self, verb: str, agents: list[Agent], call: Call, done: str,
             asked: list[Agent]) -> None:
        """`call` each agent's name in one worker; `done` ('approved {}') says what was done
        to whom, and the line names those of `asked` that were left out."""
        names = [a.name for a in agents]
        skipped = [a for a in asked if a.name not in names]

        def job() -> str:
            ok, errors = [], []
            for name in names:
                try:
                    call(name)
                    ok.append(name)
                except UsageError as exc:
                    errors.append(str(exc))
            line = done.format(fmt.listing(ok)) if ok else ""
            if skipped:
                left = ", ".join(f"{a.name} ({fmt.STATUS_LABEL[a.status]})" for a in skipped[:3])
                more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
                line += f"; skipped {left}{more}"
            if errors:
                raise UsageError("; ".join([*errors, *([line] if line else [])]))
            return line

        run_job(self, f"{verb} {fmt.listing(names, 3)}", job)
