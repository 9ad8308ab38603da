"""Runs an action on a live call exactly once, classifies its outcome honestly, and audits it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

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
from calltui.monitor.audit import AuditEntry, AuditLog


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    call_sid: str
    action: str
    parameters: dict[str, str]
    result: str
    """`ok`, `failed`, `unknown` (may have reached Twilio) or `refused` (read-only)."""
    call: Call | None = None
    """The call as Twilio returned it after a successful action."""
    error: GatewayError | None = None
    audit_error: str | None = None
    """Set when the outcome could not be written to the audit log."""


def classify(error: GatewayError) -> str:
    """`unknown` when a write may have been processed without our seeing success: never resend those."""
    if isinstance(error, ReadOnlyViolation):
        return "refused"
    if isinstance(error, RequestTimeout | ServerError | MalformedResponse) or error.outcome_unknown:
        return "unknown"
    return "failed"


def action_name(action: Action) -> str:
    return "redirect" if isinstance(action, Redirect) else "hangup"


class ActionRunner:
    def __init__(
        self,
        gateway: CallGateway,
        audit: AuditLog,
        account_sid: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._gateway = gateway
        self._audit = audit
        self._account_sid = account_sid
        self._clock = clock
        self._in_flight: set[str] = set()

    def busy(self, sid: str) -> bool:
        return sid in self._in_flight

    async def run(self, sid: str, action: Action) -> ActionOutcome | None:
        """Send `action` once. None (nothing sent) when an action on this call is already in flight."""
        if sid in self._in_flight:
            return None
        self._in_flight.add(sid)
        try:
            outcome = await self._send(sid, action)
            return await self._record(outcome)
        finally:
            self._in_flight.discard(sid)

    async def _send(self, sid: str, action: Action) -> ActionOutcome:
        name, parameters = action_name(action), action.parameters()
        try:
            if isinstance(action, Hangup):
                call = await self._gateway.hangup(sid, action)
            else:
                call = await self._gateway.redirect(sid, action)
        except GatewayError as error:
            return ActionOutcome(sid, name, parameters, classify(error), error=error)
        return ActionOutcome(sid, name, parameters, "ok", call=call)

    async def _record(self, outcome: ActionOutcome) -> ActionOutcome:
        error = outcome.error
        entry = AuditEntry(
            time=self._clock().isoformat(),
            account=self._account_sid,
            call_sid=outcome.call_sid,
            action=outcome.action,
            parameters=outcome.parameters,
            outcome=outcome.result,
            error_code=error.code if error else None,
            error=error.summary() if error else None,
        )
        try:
            await self._audit.append_async(entry)
        except OSError as exc:
            return replace(outcome, audit_error=str(exc))
        return outcome
