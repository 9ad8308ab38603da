"""Building recordings without the app: poll results and action outcomes as the app would hand them over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from calltui.domain.call import Call
from calltui.domain.diff import diff_calls
from calltui.domain.errors import GatewayError
from calltui.monitor.actions import ActionOutcome
from calltui.monitor.poller import PollResult, PollState, View
from calltui.monitor.recording import SqliteRecorder

ACCOUNT = "AC" + "1" * 32
T0 = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def sid(n: int) -> str:
    return f"CA{n:032x}"


class Session:
    """Feeds a recorder poll by poll, remembering what each poll showed."""

    def __init__(self, path: Path, *, keyframe_every: int = 50, linger: float = 5.0) -> None:
        self.recorder = SqliteRecorder(
            path, account_sid=ACCOUNT, interval=2.0, linger=linger, keyframe_every=keyframe_every
        )
        self.recorder.open()
        self.now = T0
        self.calls: dict[str, Call] = {}
        self.shown: list[dict[str, Call]] = []
        """The calls at each recorded poll index."""

    def at(self, seconds: float) -> datetime:
        self.now = T0 + timedelta(seconds=seconds)
        return self.now

    def poll(self, calls: dict[str, Call], view: View = View.ACTIVE) -> None:
        result = PollResult(PollState(last_ok=self.now), 2.0, diff_calls(self.calls, calls), dict(calls))
        self.recorder.poll(result, self.now, view)
        self.calls = dict(calls)
        self.shown.append(self.calls)

    def switch(self, account_sid: str) -> None:
        """An account switch: the app empties its table, then polls the other account."""
        self.recorder.switched(account_sid)
        self.calls = {}

    def fail(self, error: GatewayError, view: View = View.ACTIVE) -> None:
        self.recorder.poll(PollResult(PollState(error=error, failures=1), 4.0), self.now, view)
        self.shown.append(self.calls)

    def act(self, call_sid: str, action: str, parameters: dict[str, str], result: str = "ok", **kw) -> None:  # type: ignore[no-untyped-def]
        self.recorder.action(ActionOutcome(call_sid, action, parameters, result, **kw), self.now)

    def close(self) -> None:
        self.recorder.close()
