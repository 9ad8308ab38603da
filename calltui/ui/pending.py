"""What quitting now would leave behind, in the quit dialog's words: actions and bulk runs waiting in their
grace window, requests in flight, a bulk run sending."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from calltui.ui.describe import counted


@dataclass(frozen=True, slots=True)
class Pending:
    """What quitting now would leave behind."""

    waiting: tuple[str, ...] = ()
    """The single actions in their grace window, by kind: `hang-up`, `redirect`."""
    run: int = 0
    """The calls of a bulk run waiting in its grace window (0: none waits)."""
    going: int = 0
    """Requests in flight."""
    sending: bool = False
    """A bulk run is past its grace window, sending."""

    def __bool__(self) -> bool:
        return bool(self.waiting or self.run or self.going or self.sending)

    def lines(self) -> list[str]:
        kinds = Counter(self.waiting)
        parts = [counted(n, kind) for kind, n in sorted(kinds.items())]
        if self.run:
            parts.append(f"a bulk run of {counted(self.run, 'call')}")
        lines = []
        if parts:
            listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
            one = len(parts) == 1 and (self.run or len(self.waiting) == 1)
            lines.append(
                f"{listed[0].upper()}{listed[1:]} {'is' if one else 'are'} waiting in the grace window."
            )
        if self.going == 1:
            lines.append("1 request in flight: calltui waits for its answer.")
        elif self.going:
            lines.append(f"{self.going} requests in flight: calltui waits for their answers.")
        if self.sending:
            lines.append("A bulk run is sending: calltui waits for it to finish.")
        return lines or ["Nothing is pending any more: it was sent, skipped or canceled since this opened."]

    def hint(self) -> str:
        if self.waiting or self.run:
            return "s sends what waits now, c cancels it (nothing sent), n stays."
        return "Nothing waits: s or c quits (after what is in flight), n stays."
