"""Runs an action on a live call exactly once, classifies its outcome honestly, and audits it: the intent
is on disk before the request leaves, the outcome follows with the same request id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from calltui.domain.actions import Action, Hangup, Redirect
from calltui.domain.call import Call, utcnow
from calltui.domain.errors import (
    GatewayError,
    MalformedResponse,
    ReadOnlyViolation,
    RequestTimeout,
    ServerError,
)
from calltui.domain.gateway import CallGateway
from calltui.monitor.audit import INTENT, AuditEntry, AuditLog
from calltui.monitor.redirects import RedirectMemory
from calltui.monitor.verify import Verdict


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    call_sid: str
    action: str
    parameters: dict[str, str]
    result: str
    """`ok`, `failed`, `unknown` (may have reached Twilio), `refused` (read-only), `dry-run` (not sent) or
    `not-sent` (its intent could not be written to the audit log: `audit_error` says why)."""
    call: Call | None = None
    """The call as Twilio returned it after a successful action."""
    error: GatewayError | None = None
    audit_error: str | None = None
    """Set when the intent or the outcome could not be written to the audit log."""
    request: str | None = None
    """The id pairing the audit log's intent and outcome lines."""


def classify(error: GatewayError) -> str:
    """`unknown` when a write may have been processed without our seeing success: never resend those."""
    if isinstance(error, ReadOnlyViolation):
        return "refused"
    if isinstance(error, RequestTimeout | ServerError | MalformedResponse) or error.outcome_unknown:
        return "unknown"
    return "failed"


def action_name(action: Action) -> str:
    return "redirect" if isinstance(action, Redirect) else "hangup"


def action_word(name: str) -> str:
    """`redirect` or `hang-up`: an action's name (as audited) in prose."""
    return "redirect" if name == "redirect" else "hang-up"


def action_title(name: str) -> str:
    """`Redirect` or `Hang-up`: the same, to start a sentence."""
    return action_word(name).capitalize()


class ActionRunner:
    def __init__(
        self,
        gateway: CallGateway,
        audit: AuditLog,
        account_sid: str,
        clock: Callable[[], datetime] = utcnow,
        *,
        dry_run: bool = False,
        redirects: RedirectMemory | None = None,
        on_intent: Callable[[ActionOutcome], object] | None = None,
        status_now: Callable[[str], str | None] = lambda sid: None,
    ) -> None:
        self._gateway = gateway
        self._audit = audit
        self._account_sid = account_sid
        self._clock = clock
        self._in_flight: set[str] = set()
        self.dry_run = dry_run
        """Rehearsal: every action is audited as `dry-run` and none reaches the gateway."""
        self.redirects = redirects or RedirectMemory()
        self._on_intent = on_intent
        """Told of each request about to leave (result `unknown` until its answer): the recording keeps it."""
        self._status_now = status_now
        """A call's status as last seen (the latest poll): a hang-up leaves as that status needs it."""

    def busy(self, sid: str) -> bool:
        return sid in self._in_flight

    async def run(self, sid: str, action: Action) -> ActionOutcome | None:
        """Send `action` once. None (nothing sent) when an action on this call is already in flight."""
        if sid in self._in_flight:
            return None
        self._in_flight.add(sid)
        if isinstance(action, Hangup):
            action = action.for_status(self._status_now(sid))
        try:
            name, parameters = action_name(action), action.parameters()
            request = self._audit.new_request()
            intent = self._entry(
                sid, name, parameters, None, kind=INTENT, request=request, dry_run=self.dry_run
            )
            problem = await self._write(intent, hold=False)
            if problem is not None:
                # No request without its record. The refusal itself waits for the log to come back.
                return await self._record(ActionOutcome(sid, name, parameters, "not-sent", request=request))
            if self._on_intent is not None:
                self._on_intent(ActionOutcome(sid, name, parameters, "unknown", request=request))
            previous = self.redirects.last(sid) if isinstance(action, Redirect) else None
            outcome = replace(await self._send(sid, action), request=request)
            if outcome.result == "ok" and isinstance(action, Redirect):
                self.redirects.remember(sid, action, self._clock())
            return await self._record(outcome, previous.target if previous else None)
        finally:
            self._in_flight.discard(sid)

    async def record_canceled(self, sid: str, action: Action, why: str | None = None) -> str | None:
        """Audit an action canceled in its grace window (nothing was sent): by the engineer, or with `why`
        (`canceled`: calltui was closed, say by SIGTERM, before the window ended). The write error, if any."""
        name, parameters = action_name(action), action.parameters()
        if why is None:
            return await self._write(self._entry(sid, name, parameters, "canceled-by-user"))
        return await self._write(self._entry(sid, name, parameters, "canceled", error=why))

    async def record_skipped(self, sid: str, action: Action, why: str) -> str | None:
        """Audit an action not sent at the end of its grace window because the call was over (`why`)."""
        entry = self._entry(sid, action_name(action), action.parameters(), "skipped-call-ended", error=why)
        return await self._write(entry)

    async def record_verdict(self, verdict: Verdict) -> str | None:
        """Audit whether an action took effect (action `verify`); the write error, if any."""
        entry = self._entry(
            verdict.sid,
            "verify",
            {"action": verdict.action},
            verdict.outcome,
            error_code=verdict.codes[0] if verdict.codes else None,
            error=verdict.detail,
        )
        return await self._write(entry)

    async def _send(self, sid: str, action: Action) -> ActionOutcome:
        name, parameters = action_name(action), action.parameters()
        if self.dry_run:
            return ActionOutcome(sid, name, parameters, "dry-run")
        try:
            if isinstance(action, Hangup):
                call = await self._gateway.hangup(sid, action)
            else:
                call = await self._gateway.redirect(sid, action)
        except GatewayError as error:
            return ActionOutcome(sid, name, parameters, classify(error), error=error)
        return ActionOutcome(sid, name, parameters, "ok", call=call)

    async def _record(self, outcome: ActionOutcome, previous_url: str | None = None) -> ActionOutcome:
        error = outcome.error
        entry = self._entry(
            outcome.call_sid,
            outcome.action,
            outcome.parameters,
            outcome.result,
            error_code=error.code if error else None,
            error=error.summary() if error else None,
            previous_url=previous_url,
            request=outcome.request,
        )
        problem = await self._write(entry)
        return replace(outcome, audit_error=problem) if problem else outcome

    def _entry(
        self, sid: str, action: str, parameters: dict[str, str], outcome: str, **details: Any
    ) -> AuditEntry:
        return AuditEntry(
            time=self._clock().isoformat(),
            account=self._account_sid,
            call_sid=sid,
            action=action,
            parameters=parameters,
            outcome=outcome,
            **details,
        )

    async def _write(self, entry: AuditEntry, *, hold: bool = True) -> str | None:
        """The reason the entry could not be written, or None. Held entries are written later."""
        try:
            await self._audit.append_async(entry, hold=hold)
        except OSError as exc:
            return str(exc)
        return None
