"""Textual's Footer keeps every FooterKey it ever made: a minimal reproduction.

    python textual_footer_leak.py [N ...]

A bare app: one screen with three bindings and a Footer; a ModalScreen pushed and popped N
times. Each push and pop changes the screen's bindings, so the Footer recomposes and mounts new
FooterKeys; each is made with `.data_bind(compact=Footer.compact)`, which leaves a watcher
(key, callback) on the Footer's `compact`. Textual prunes those only when `compact` changes,
so the removed keys stay alive. Prints live FooterKey objects (after gc.collect()) and the
Footer's watcher entries after N rounds, then after one change of `compact`.
"""

from __future__ import annotations

import asyncio
import gc
import sys

import textual
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Footer, Label
from textual.widgets._footer import FooterKey


class Dialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        yield Label("a dialog")


class Bare(App[None]):
    BINDINGS = [Binding("a", "bell", "One"), Binding("b", "bell", "Two"),
                Binding("d", "push_screen('dialog')", "Dialog")]
    SCREENS = {"dialog": Dialog}

    def compose(self) -> ComposeResult:
        yield Label("main")
        yield Footer()


def live_keys() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey))


def compact_watchers(footer: Footer) -> int:
    return len(getattr(footer, "__watchers", {}).get("compact", []))


async def rounds(n: int) -> tuple[int, int, int, int]:
    app = Bare()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        for _ in range(n):
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        for _ in range(3):
            await pilot.pause()
        footer = app.screen.query_one(Footer)
        before = (live_keys(), compact_watchers(footer))
        footer.compact = not footer.compact  # the only thing that prunes the watchers
        await pilot.pause()
        after = (live_keys(), compact_watchers(footer))
    return (*before, *after)


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [0, 10, 100]
    print(f"textual {textual.__version__}, python {sys.version.split()[0]}")
    print("rounds  live FooterKeys  compact watchers  | after compact changes: keys  watchers")
    for n in counts:
        keys, watchers, keys2, watchers2 = asyncio.run(rounds(n))
        print(f"{n:6}  {keys:15}  {watchers:16}  | {keys2:32}  {watchers2:8}")


if __name__ == "__main__":
    main()
