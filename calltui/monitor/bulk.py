"""Bulk actions: one action per call on many calls, a few requests at a time, 429s waited out.

Each call goes through `ActionRunner`, so each request is sent once and audited as it happened. The one
answer that is retried is 429 (20429): Twilio did not process that request, so sending it again after a
pause cannot act twice. Anything else — a refusal, a timeout, a 5xx — is that call's outcome.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from calltui.domain.actions import Action
from calltui.domain.errors import RateLimited
from calltui.monitor.actions import ActionOutcome
from calltui.monitor.backoff import Backoff

CONCURRENCY = 5
"""Requests in flight at once: far below Twilio's per-account concurrency limit (about 100), which the
engineer's other tools and the account's own application share."""
MAX_ATTEMPTS = 8
"""Tries per call while Twilio keeps answering 429; after that the 429 is the call's outcome."""
RETRY_BASE = 1.0
"""First pause after a 429 without Retry-After (seconds); doubles per 429 up to RETRY_CAP."""
RETRY_CAP = 30.0


class Sender(Protocol):
    """What sends one call's action: an `ActionRunner`, or in team mode one that claims the call first."""

    async def run(self, sid: str, action: Action) -> ActionOutcome | None:
        """The outcome; None when nothing was sent (the call is busy, or held by a teammate)."""
        ...


@dataclass(frozen=True, slots=True)
class BulkItem:
    sid: str
    action: Action


@dataclass(slots=True)
class BulkReport:
    """What a bulk run did: the last outcome per call sent, and the calls it did not send."""

    outcomes: list[ActionOutcome] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    """Not sent: another action on that call was still in flight, or a teammate holds the call."""

    def count(self, result: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.result == result)


def error_label(outcome: ActionOutcome) -> str:
    """How a failure is named in the summary: Twilio's code, else the HTTP status, else its kind."""
    error = outcome.error
    if error is None:
        return outcome.result
    if error.code:
        return str(error.code)
    return f"HTTP {error.status}" if error.status else error.kind


def summary(report: BulkReport, skipped: int = 0) -> str:
    """`38 succeeded, 2 failed: 21220 ×2, 1 skipped`."""  # noqa: RUF002 (the multiplication sign is meant)
    ok, rehearsed = report.count("ok"), report.count("dry-run")
    parts = [f"{ok} succeeded"] if ok or not rehearsed else []
    if rehearsed:
        parts.append(f"{rehearsed} rehearsed (dry run: nothing sent)")
    failed = [outcome for outcome in report.outcomes if outcome.result in ("failed", "refused")]
    if failed:
        codes = Counter(error_label(outcome) for outcome in failed)
        listed = ", ".join(
            label if n == 1 else f"{label} ×{n}"  # noqa: RUF001 (the multiplication sign is meant)
            for label, n in sorted(codes.items())
        )
        parts.append(f"{len(failed)} failed: {listed}")
    unknown = report.count("unknown")
    if unknown:
        parts.append(f"{unknown} unknown (may have reached Twilio)")
    unrecorded = report.count("not-sent")
    if unrecorded:
        parts.append(f"{unrecorded} not sent (the audit log refused their record)")
    if skipped or report.busy:
        parts.append(f"{skipped + len(report.busy)} skipped")
    return ", ".join(parts)


class BulkRunner:
    """Runs a batch through a `Sender` with at most `limit` requests in flight."""

    def __init__(
        self,
        runner: Sender,
        *,
        limit: int = CONCURRENCY,
        max_attempts: int = MAX_ATTEMPTS,
        retry_base: float = RETRY_BASE,
        retry_cap: float = RETRY_CAP,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._runner = runner
        self.limit = max(1, limit)
        self._max_attempts = max(1, max_attempts)
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.in_flight = 0
        self.peak = 0
        """The most requests this runner ever had in flight at once (never above `limit`)."""

    async def run(
        self, items: Sequence[BulkItem], on_progress: Callable[[int, int], object] | None = None
    ) -> BulkReport:
        """Send every item; `on_progress(done, total)` after each call's final outcome."""
        slots = asyncio.Semaphore(self.limit)
        report = BulkReport()
        done = 0

        async def one(item: BulkItem) -> None:
            nonlocal done
            outcome = await self._send(item, slots)
            if outcome is None:
                report.busy.append(item.sid)
            else:
                report.outcomes.append(outcome)
            done += 1
            if on_progress is not None:
                on_progress(done, len(items))

        await asyncio.gather(*(one(item) for item in items))
        return report

    async def _send(self, item: BulkItem, slots: asyncio.Semaphore) -> ActionOutcome | None:
        backoff = Backoff(self._retry_base, cap=self._retry_cap, rng=self._rng)
        attempts = 0
        while True:
            async with slots:
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
                try:
                    outcome = await self._runner.run(item.sid, item.action)
                finally:
                    self.in_flight -= 1
            attempts += 1
            if (
                outcome is None
                or not isinstance(outcome.error, RateLimited)
                or attempts >= self._max_attempts
            ):
                return outcome
            # The pause is taken outside the semaphore: a call waiting out a 429 holds no slot.
            await self._sleep(backoff.next_delay(outcome.error))
