"""Proof of effect: after an action Twilio accepted, check that it did what it was meant to.

- A hang-up took effect when a follow-up fetch (a moment later, then every few seconds for half a
  minute) shows the call in an ended status. The hang-up's own answer is not taken as proof: it is the
  request we are checking.
- A redirect took effect when, for a minute, Twilio logs no error against the call (its Notifications):
  a TwiML URL that cannot be fetched shows up there as 11200 within seconds.

Checks are due by the app's clock and run when the app's tick asks, so tests drive them by moving a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from calltui.domain.errors import GatewayError
from calltui.domain.gateway import CallGateway
from calltui.domain.text import clean

HANGUP_RECHECK = timedelta(seconds=2)
HANGUP_DEADLINE = timedelta(seconds=30)
REDIRECT_RECHECK = timedelta(seconds=10)
REDIRECT_WINDOW = timedelta(seconds=60)
# Errors a redirect typically meets, in Twilio's words (https://www.twilio.com/docs/api/errors).
ERROR_NAMES = {
    11200: "HTTP retrieval failure",
    11205: "HTTP connection failure",
    11206: "HTTP protocol violation",
    11210: "HTTP bad host name",
    11215: "HTTP too many redirects",
    12100: "document parse failure",
    12200: "schema validation warning",
    12300: "invalid Content-Type",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    sid: str
    action: str
    verified: bool
    detail: str
    codes: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        return f"verified: {self.detail}" if self.verified else f"not verified: {self.detail}"

    @property
    def outcome(self) -> str:
        """As the audit log and a recording keep it (action `verify`)."""
        return "verified" if self.verified else "not-verified"


@dataclass(slots=True)
class Check:
    sid: str
    action: str
    since: datetime
    deadline: datetime
    next_at: datetime
    running: bool = False


def describe_codes(codes: tuple[int, ...]) -> str:
    """`11200 HTTP retrieval failure` (each distinct code once, in the order logged)."""
    return ", ".join(f"{code} {ERROR_NAMES.get(code, 'error')}".strip() for code in dict.fromkeys(codes))


class Verifier:
    def __init__(self, gateway: CallGateway) -> None:
        self._gateway = gateway
        self._checks: dict[str, Check] = {}

    def checking(self, sid: str) -> bool:
        return sid in self._checks

    def start(self, sid: str, action: str, now: datetime) -> None:
        """Begin verifying an action Twilio accepted (a newer action on the call replaces its check)."""
        recheck, window = (
            (HANGUP_RECHECK, HANGUP_DEADLINE) if action == "hangup" else (REDIRECT_RECHECK, REDIRECT_WINDOW)
        )
        self._checks[sid] = Check(sid, action, since=now, deadline=now + window, next_at=now + recheck)

    def due(self, now: datetime) -> list[Check]:
        """Checks to run now; each is handed out once until it has run."""
        ready = [c for c in self._checks.values() if not c.running and c.next_at <= now]
        for check in ready:
            check.running = True
        return ready

    async def run(self, check: Check, now: datetime) -> Verdict | None:
        """Look once; a verdict when decided, else None and the check is due again later."""
        try:
            verdict, pending = await self._look(check, now)
        except GatewayError as error:
            verdict, pending = None, f"could not check: {clean(error.summary(), 200)}"
        if verdict is None and now >= check.deadline:
            verdict = Verdict(check.sid, check.action, False, pending)
        check.running = False
        if verdict is None:
            recheck = HANGUP_RECHECK if check.action == "hangup" else REDIRECT_RECHECK
            check.next_at = min(now + recheck, check.deadline)
        elif self._checks.get(check.sid) is check:
            del self._checks[check.sid]
        return verdict

    async def _look(self, check: Check, now: datetime) -> tuple[Verdict | None, str]:
        """(verdict or None, what to say if the deadline passes undecided)."""
        if check.action == "hangup":
            call = await self._gateway.fetch(check.sid)
            status = clean(call.status, 20) or "unknown"
            if not call.is_active:
                return Verdict(check.sid, check.action, True, f"call {status}"), ""
            waited = int((check.deadline - check.since).total_seconds())
            return None, f"still {status} after {waited}s"
        codes = tuple(await self._gateway.recent_errors(check.sid, check.since))
        if codes:
            return Verdict(check.sid, check.action, False, describe_codes(codes), codes), ""
        if now >= check.deadline:
            window = int(REDIRECT_WINDOW.total_seconds())
            return Verdict(check.sid, check.action, True, f"no error from Twilio in {window}s"), ""
        return None, ""
