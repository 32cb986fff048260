"""`workspace usage [--by day|preset|agent|task] [--since DATE] [--json]`: what the workspace's
agents used and cost, killed and cleaned-up ones included (their usage stays in the state)."""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING

from workspace.cli.common import add_verb, open_workspace
from workspace.core import format as fmt
from workspace.core.usage import GROUPS, Figures, UsageGroup

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers
    from workspace.service import UsageReport


def register(sub: Subparsers) -> None:
    p = add_verb(sub, "usage", command_usage,
                 "tokens and cost of every agent, ended ones included, per day, preset, "
                 "agent or task")
    p.add_argument("--by", choices=GROUPS, default="day",
                   help="how to group the requests (default: day)")
    p.add_argument("--since", metavar="DATE",
                   help="only requests from this day on (YYYY-MM-DD, local time)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def command_usage(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    try:
        report = ws.usage(args.by, args.since)
    finally:
        ws.close()
    if args.json:
        print(json.dumps(as_json(report), indent=2))
        return 0
    if not report.groups:
        since = f" since {args.since}" if args.since else ""
        print(f"no usage recorded{since}")
        return 0
    print_table(report)
    return 0


def as_json(report: UsageReport) -> dict[str, object]:
    since = time.strftime("%Y-%m-%d", time.localtime(report.since)) if report.since else None
    rows: list[dict[str, object]] = []
    for g in report.groups:
        row: dict[str, object] = {report.by: g.key, **g.figures.as_dict()}
        if report.by == "agent":
            row.update(preset=g.preset, task=g.task or None, ended=g.ended)
        else:
            row["agents"] = list(g.agents)
        rows.append(row)
    return {"by": report.by, "since": since, "rows": rows, "total": report.total.as_dict()}


def print_table(report: UsageReport) -> None:
    head = [report.by.upper(), *(["PRESET", "TASK"] if report.by == "agent" else [])]
    rows = [[*head, "REQUESTS", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "TOKENS",
             "COST"]]
    for g in report.groups:
        rows.append([*_labels(report.by, g), *_figures(g.figures)])
    rows.append(["total", *([""] * (len(head) - 1)), *_figures(report.total)])
    left = len(head)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = [c.ljust(w) if i < left else c.rjust(w)
                 for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        print("  ".join(cells).rstrip())
    if report.total.unpriced:
        print(f"{fmt.plural(report.total.unpriced, 'request')} had no known price "
              "(a model genai-prices does not know): not in the cost")


def _labels(by: str, g: UsageGroup) -> list[str]:
    if by != "agent":
        return [g.key]
    return [g.key + (" (ended)" if g.ended else ""), g.preset, g.task or "—"]


def _figures(f: Figures) -> list[str]:
    t = f.tokens
    return [str(f.requests), fmt.tokens(t.input), fmt.tokens(t.output),
            fmt.tokens(t.cache_read), fmt.tokens(t.cache_write), fmt.tokens(t.total),
            fmt.cost(f.cost_usd)]
