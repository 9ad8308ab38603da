"""Which marked calls a bulk action will send to, and how the confirm dialog says what it will send."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from calltui.domain.actions import Hangup, Redirect
from calltui.domain.call import Call
from calltui.domain.text import clean
from calltui.monitor.bulk import CONCURRENCY, BulkItem
from calltui.ui.describe import counted
from calltui.ui.widgets.call_table import CallTable


@dataclass(frozen=True, slots=True)
class Marked:
    """The marked calls split by what a bulk action can do with them."""

    live: list[Call]
    skipped: int
    """Marked calls that ended (or already have an action in flight): never sent."""
    hidden: int
    """Live marked calls the current filter hides."""


@dataclass(frozen=True, slots=True)
class BulkPlan:
    name: str
    """`hangup` or `redirect`, as in the audit log."""
    items: tuple[BulkItem, ...]
    skipped: int
    hidden: int

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def title(self) -> str:
        verb = "Hang up" if self.name == "hangup" else "Redirect"
        return f"{verb} {counted(self.count, 'call')}"


def marked_calls(table: CallTable, busy: Callable[[str], bool]) -> Marked:
    """Calls the table knows have ended are skipped here: sending them would only earn 21220s. A call
    that ended since the last poll is still sent, and Twilio's 21220 for it is reported as a failure."""
    live: list[Call] = []
    skipped = hidden = 0
    for sid in table.marked_sids():
        call = table.get_call(sid)
        if call is None or not call.is_active or table.lingering(sid) or busy(sid):
            skipped += 1
            continue
        live.append(call)
        hidden += not table.is_shown(sid)
    return Marked(live, skipped, hidden)


def hangup_plan(marked: Marked) -> BulkPlan:
    items = tuple(BulkItem(call.sid, Hangup(call.end_status)) for call in marked.live)
    return BulkPlan("hangup", items, marked.skipped, marked.hidden)


def redirect_plan(marked: Marked, redirect: Redirect) -> BulkPlan:
    items = tuple(BulkItem(call.sid, redirect) for call in marked.live)
    return BulkPlan("redirect", items, marked.skipped, marked.hidden)


def confirm_lines(plan: BulkPlan, *, dry_run: bool = False, grace_seconds: float = 0.0) -> list[str]:
    """What the confirm dialog states: what goes to which calls, what is skipped, when it goes and whether
    it can be taken back (or, in a dry run, that nothing is sent)."""
    lines = ["DRY-RUN: nothing is sent; each call is audited as dry-run."] if dry_run else []
    if plan.name == "hangup":
        statuses = Counter(item.action.parameters()["Status"] for item in plan.items)
        sends = [f"Status={status} to {counted(n, 'call')}" for status, n in sorted(statuses.items())]
        lines.append("Sends " + " and ".join(sends) + ".")
    else:
        parameters = plan.items[0].action.parameters() if plan.items else {}
        if "Twiml" in parameters:
            lines.append(f"Sends this inline TwiML to each call: {clean(parameters['Twiml'], 300)}")
        else:
            url, method = clean(parameters.get("Url"), 300), clean(parameters.get("Method"), 10)
            lines.append(f"Redirects each call to {url} ({method}).")
    if plan.hidden:
        verb = "is" if plan.hidden == 1 else "are"
        lines.append(f"{plan.hidden} of them {verb} hidden by the current filter.")
    if plan.skipped:
        what = counted(plan.skipped, "marked call")
        lines.append(f"{what} skipped (ended, or an action already waiting or in flight).")
    if grace_seconds > 0:
        lines.append(
            f"Sent after one {grace_seconds:g}s countdown for the whole run: u cancels all of it until then."
        )
    if not dry_run:
        final = "" if grace_seconds > 0 else " This cannot be undone."
        lines.append(
            f"Up to {CONCURRENCY} requests at a time; a 429 (not processed) is retried after a pause, "
            f"nothing else is.{final}"
        )
    return lines
