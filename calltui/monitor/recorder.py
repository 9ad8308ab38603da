"""`SessionRecorder`: what the app tells a session recording, if one is running (`--record FILE`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

from calltui.monitor.actions import ActionOutcome
from calltui.monitor.poller import PollResult, View
from calltui.monitor.verify import Verdict


class SessionRecorder(Protocol):
    """Called on the event loop: `poll` and `action` must return at once (the writing happens elsewhere)."""

    path: Path
    """The file the session goes to (the help screen names it)."""

    def poll(self, result: PollResult, now: datetime, view: View) -> None:
        """A poll was applied to the table (or failed)."""

    def switched(self, account_sid: str) -> None:
        """The engineer switched accounts: the polls that follow read `account_sid`."""

    def action(self, outcome: ActionOutcome, now: datetime) -> None:
        """An action's outcome was reported (as in the audit log)."""

    def verdict(self, verdict: Verdict, now: datetime) -> None:
        """Whether an action took effect (as the audit log's `verify` entry)."""

    def take_problem(self) -> str | None:
        """Why the recording stopped, once; None when all is well or it was already reported."""

    def close(self) -> None:
        """Blocking: write what is queued and close the file."""
