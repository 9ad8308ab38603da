"""`AccountSession`: everything that belongs to the one account being watched, with no UI in it.

The app holds one session and an account switch replaces it. The session polls, runs actions, verifies
them and keeps the alert and activity memory; the app draws what the session's methods return.

The action path, in order (each step a method the app calls from its workers and tick):

    confirm(call, action)      -> queued in the grace window, or "send now"
    due(now)                   -> the actions whose grace window has passed, the checks now due
    ended(item)                -> the calls of a due action (or run) not to be sent after all: they ended
    record_skipped(one, why)      (then audit each as skipped)
    send(call, action)         -> sent once, outcome classified and audited; verification starts on `ok`
    verify(check, now)         -> a verdict when decided (kept in `verdicts`)
    record_verdict(verdict)    -> the verdict audited as `verify`
    cancel_latest()            -> take back the newest action or bulk run still in its grace window (then
    record_canceled(item))        audit each of its calls as canceled: nothing was sent)
    cancel_all(why)            -> everything still in its grace window taken back and audited with
                                  the reason (calltui closing on SIGTERM/SIGHUP, or the engineer quitting)

A bulk run goes the same way: `start_bulk(items)` at confirmation reserves its calls (so no second run can
start meanwhile) and queues it in the grace window as one `PendingRun`; `due` hands it out whole,
`ended(run)` names the calls that ended during the countdown (`record_skipped` each; the run no longer
holds them), then `run_bulk(on_progress)` sends the rest. `held(sid)` says whether an action on a call is
waiting, in flight or queued in a bulk run: a second one must not be sent.

In team mode (`settings.team`) the session follows the team's poll unless it polls for the team, and the
action path gains a claim before the grace window and a check of it as the request goes:

    claim(call, action)        -> CLAIMED, HeldBy (a teammate's: nothing is sent) or OFFLINE (the engineer
                                  must say yes to act alone); then confirm(call, action) as above
    send(call, action)         -> the claim checked at the moment of sending (result `held` if it was lost
                                  to a teammate), the outcome published, the claim released
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from calltui.domain.actions import Action
from calltui.domain.call import Call, format_local, utcnow
from calltui.domain.errors import GatewayError
from calltui.domain.gateway import CallGateway
from calltui.domain.text import clean
from calltui.monitor.actions import ActionOutcome, ActionRunner, action_name
from calltui.monitor.activity import ActivityHistory
from calltui.monitor.alerts import AlertMonitor, AlertReport
from calltui.monitor.audit import AuditLog
from calltui.monitor.bulk import BulkItem, BulkReport, BulkRunner
from calltui.monitor.grace import GraceQueue, PendingAction, PendingRun, Waiting
from calltui.monitor.poller import Poller, PollResult, View
from calltui.monitor.redirects import RedirectMemory
from calltui.monitor.team.claims import CLAIMED, ClaimVerdict
from calltui.monitor.team.link import TeamConfig
from calltui.monitor.unanswered import UNANSWERED_ERROR, UNANSWERED_OUTCOME, Unanswered
from calltui.monitor.verify import Check, Verdict, Verifier
from calltui.userconfig import AlertRules

if TYPE_CHECKING:
    from calltui.monitor.team.side import TeamSide
    from calltui.monitor.team.wire import TeamAction


class SessionListener(Protocol):
    """How the UI hears what the team does (team mode only; called on the event loop, must not block)."""

    def team_action(self, step: TeamAction) -> None:
        """A teammate's action step: intent, outcome, verification or cancellation."""

    def team_changed(self) -> None:
        """Online/offline, who polls or who is online changed."""


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """What every account's session shares: an account switch builds the next session from these."""

    audit: AuditLog
    interval: float
    clock: Callable[[], datetime] = utcnow
    grace_seconds: float = 0.0
    dry_run: bool = False
    redirects: RedirectMemory | None = None
    """calltui's own redirects (from the audit log), shared by every account; None: this session's only."""
    team: TeamConfig | None = None
    """Team mode (`--team`); None: this instance is alone, as without it."""
    unanswered: tuple[Unanswered, ...] = ()
    """Requests an earlier session sent without living to see the answer: shown as unknown in details."""
    on_intent: Callable[[ActionOutcome], object] | None = None
    """Told of each request about to leave (result `unknown`): the recording keeps it until its outcome."""


class AccountSession:
    def __init__(
        self,
        gateway: CallGateway,
        account_sid: str,
        settings: SessionSettings,
        listener: SessionListener | None = None,
    ) -> None:
        self.gateway = gateway
        self.account_sid = account_sid
        self.settings = settings
        self.clock = settings.clock
        self.poller = Poller(gateway, settings.interval, clock=settings.clock)
        self.actions = ActionRunner(
            gateway,
            settings.audit,
            account_sid,
            settings.clock,
            dry_run=settings.dry_run,
            redirects=settings.redirects,
            on_intent=settings.on_intent,
            status_now=self.poller.status_of,
        )
        self.grace = GraceQueue(settings.grace_seconds)
        self.verifier = Verifier(gateway)
        self.verdicts: dict[str, Verdict] = {}
        """The latest proof-of-effect verdict per call SID, oldest first (see `_keep_verdict`)."""
        self._verdict_times: dict[str, datetime] = {}
        """When each of `verdicts` was decided, in the same order."""
        self.listener = listener
        self.team: TeamSide | None = None
        self._alone = False
        self._claiming: set[str] = set()
        self.bulk = BulkRunner(self.actions)
        if settings.team is not None:
            self.team = self._join(settings.team)
            self.bulk = BulkRunner(self.team.sender(self.actions, lambda: self._alone))
        self._bulk_items: tuple[BulkItem, ...] | None = None
        self.activity = ActivityHistory()
        self.alert_monitor = AlertMonitor()
        self._wake = asyncio.Event()

    def _join(self, config: TeamConfig) -> TeamSide:
        from calltui.monitor.team.side import TeamSide  # team mode only
        from calltui.monitor.team.team import TeamEvents

        def heard(step: TeamAction) -> None:
            assert self.team is not None
            self.team.heard(step)
            if self.listener is not None:
                self.listener.team_action(step)

        def changed() -> None:
            if self.listener is not None:
                self.listener.team_changed()

        events = TeamEvents(
            action=heard, changed=changed, role=lambda polling: self._wake.set(), poll_requested=self.poll_now
        )
        settings = self.settings
        return TeamSide(
            config,
            self.account_sid,
            interval=settings.interval,
            grace_seconds=settings.grace_seconds,
            clock=settings.clock,
            events=events,
        )

    def switched_to(self, gateway: CallGateway, account_sid: str) -> AccountSession:
        """A fresh session on another account, with the same settings (the poll interval as it is now);
        in team mode it joins that account's team."""
        return AccountSession(gateway, account_sid, self.settings, self.listener)

    async def close(self) -> None:
        if self.team is not None:
            await self.team.close()
        await self.gateway.close()

    # ----------------------------------------------------------------- polling

    async def polls(self) -> AsyncIterator[PollResult]:
        """Poll, hand the result over, wait out its delay (or a `poll_now`), and again. Polls never
        overlap: the next one starts only after the caller has applied this one. In team mode a follower
        hands over the team poller's polls instead, and the poller publishes its own."""
        team = self.team
        if team is not None:
            team.start()
        while True:
            if self._following():
                assert team is not None
                followed = await team.follow(self.poller)
                if followed is not None:
                    yield followed
                continue
            result = await self.poller.poll()
            if team is not None and self.view is View.ACTIVE and result.diff is not None:
                team.team.publish_poll(result)
            self._wake.clear()  # before the caller applies it: a poll asked for meanwhile is not lost
            yield result
            if self._following():
                continue  # a teammate took over the polling meanwhile
            timeout = None if math.isinf(result.delay) else result.delay
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _following(self) -> bool:
        """A teammate polls the live calls for us (the ended view polls for itself)."""
        return self.team is not None and self.team.following and self.view is View.ACTIVE

    def poll_now(self) -> None:
        """Poll at once (restarting a poller that stopped on refused credentials); a follower asks the
        team's poller."""
        if self.poller.state.stopped:
            self.poller.resume()
        if self.team is not None and self._following():
            self.team.team.ask_for_poll()
        self._wake.set()

    @property
    def view(self) -> View:
        return self.poller.view

    def switch_view(self, view: View) -> None:
        """The next poll starts `view` from empty."""
        self.poller.switch_view(view)
        if self.team is not None:
            self.team.start_over()

    def record_activity(self, result: PollResult, active: Callable[[], int]) -> None:
        """One activity sample per good poll of the active view; `active` counts the live calls."""
        if self.view is View.ACTIVE and result.diff is not None and result.state.last_ok is not None:
            self.activity.record(result.state.last_ok, active())

    async def refetch(self, sid: str) -> Call | None:
        """The call as Twilio has it now; None when that cannot be read (the next poll will tell)."""
        try:
            return await self.gateway.fetch(sid)
        except GatewayError:
            return None

    # ----------------------------------------------------------------- alerts

    def check_alerts(self, rules: AlertRules, calls: Iterable[Call], now: datetime) -> AlertReport:
        """Evaluate `rules` on the live calls. The ended view has none, and a view not polled yet knows
        none: nothing stands there, and the monitor keeps its memory for the first poll."""
        if self.view is not View.ACTIVE or not self.poller.filled:
            return AlertReport()
        return self.alert_monitor.evaluate(rules, calls, now)

    # ----------------------------------------------------------------- the action path

    async def claim(self, call: Call, action: Action) -> ClaimVerdict:
        """Team mode: claim the call before the action is confirmed. Alone: always CLAIMED."""
        if self.team is None:
            return CLAIMED
        self._claiming.add(call.sid)  # held from now: a second key press must not claim it again
        try:
            return await self.team.claim(call.sid, action)
        finally:
            self._claiming.discard(call.sid)

    def teammate_on(self, sid: str) -> TeamAction | None:
        """A teammate's action on `sid` under way (team mode): this instance must not start one."""
        return self.team.teammate_on(sid) if self.team is not None else None

    def confirm(self, call: Call, action: Action) -> bool:
        """A confirmed action: True when it waits in the grace window, False when it is to be sent now."""
        if self.grace.seconds <= 0:
            return False
        self.grace.add(call, action, self.clock())
        return True

    def cancel_latest(self) -> Waiting | None:
        """Take back the newest action or bulk run still in its grace window (audit it with
        `record_canceled`)."""
        item = self.grace.cancel_latest()
        self._release_runs([item] if item is not None else [])
        return item

    async def record_canceled(self, item: Waiting, why: str | None = None) -> str | None:
        """Audit each call of a canceled action or run (nothing was sent): `canceled-by-user`, or
        `canceled` with `why`. The first write error, if any. The team sees a single action's claim go
        (a bulk run claims its calls only as it sends them)."""
        if self.team is not None and isinstance(item, PendingAction):
            self.team.announce("cancel", item.call.sid, action_name(item.action))
            await self.team.release(item.call.sid)
        problems = [await self.actions.record_canceled(one.sid, one.action, why) for one in item.items]
        return next((problem for problem in problems if problem), None)

    async def cancel_all(self, why: str) -> tuple[list[Waiting], str | None]:
        """Take back everything still in its grace window and audit each call as `canceled` with `why`
        (nothing was sent). What was taken back, and the first audit write error if any."""
        items = self.grace.cancel_all()
        self._release_runs(items)
        problems = [await self.record_canceled(item, why) for item in items]
        return items, next((problem for problem in problems if problem), None)

    def due(self, now: datetime) -> tuple[list[Waiting], list[Check]]:
        """What has waited out its grace window (each handed out once) and the checks due now."""
        return self.grace.due(now), self.verifier.due(now)

    def ended(self, item: Waiting) -> list[tuple[BulkItem, str]]:
        """The calls of `item` that must not be sent after all, with why: the latest poll shows them ended
        (see `Poller.over`); a hang-up or redirect to an ended call would only earn Twilio's 21220. A bulk
        run no longer holds them: `run_bulk` sends only the others."""
        over = [(one, why) for one in item.items if (why := self.poller.over(one.sid)) is not None]
        if over and isinstance(item, PendingRun) and self._bulk_items is not None:
            gone = {one.sid for one, _ in over}
            kept = tuple(one for one in self._bulk_items if one.sid not in gone)
            self._bulk_items = kept or None  # all of them ended: no run is left to send
        return over

    async def record_skipped(self, item: BulkItem, why: str) -> str | None:
        """Audit an action not sent because its call was over (`skipped-call-ended`); the write error."""
        return await self.actions.record_skipped(item.sid, item.action, why)

    async def send(self, call: Call, action: Action) -> ActionOutcome | None:
        """Send `action` once; None (nothing sent) when an action on the call is already in flight.
        Twilio's `ok` starts the proof-of-effect check. In team mode the claim is checked first (result
        `held`, nothing sent, when a teammate has it now), and the team sees the outcome."""
        team = self.team
        if team is not None and not await team.still_ours(call.sid):
            team.forget(call.sid)
            return ActionOutcome(call.sid, action_name(action), action.parameters(), "held")
        outcome = await self.actions.run(call.sid, action)
        if team is not None:
            await team.finished(call.sid, outcome)
        if outcome is not None and outcome.result == "ok":
            self.verifier.start(call.sid, outcome.action, self.clock())
        return outcome

    async def verify(self, check: Check, now: datetime) -> Verdict | None:
        """Look once; the verdict (also kept in `verdicts`) when decided."""
        verdict = await self.verifier.run(check, now)
        if verdict is not None:
            self._keep_verdict(verdict, now)
            if self.team is not None:
                self.team.announce("verify", verdict.sid, verdict.action, verdict.outcome)
        return verdict

    def _keep_verdict(self, verdict: Verdict, now: datetime) -> None:
        """Keep `verdict` for the details, and forget those no view can show any more: decided longer ago
        than the ended view looks back (an hour) on calls the live view no longer lists. A long session
        sends thousands of actions; their verdicts were kept until it closed."""
        sid = verdict.sid
        self.verdicts.pop(sid, None)
        self._verdict_times.pop(sid, None)
        self.verdicts[sid], self._verdict_times[sid] = verdict, now  # newest last
        horizon = now - self.poller.recent_window
        for old, decided in list(self._verdict_times.items()):
            if decided > horizon:
                break
            if self.poller.over(old) is not None:  # a call still live (or one no poll can tell of) stays
                del self.verdicts[old], self._verdict_times[old]

    async def record_verdict(self, verdict: Verdict) -> str | None:
        """Audit a verdict as `verify`; the write error, if any."""
        return await self.actions.record_verdict(verdict)

    def held(self, sid: str) -> bool:
        """Whether an action on `sid` is in flight, waiting in its grace window or queued in a bulk run:
        a second one must not be sent (a redirect then a hang-up would both take effect)."""
        items = self._bulk_items
        in_bulk = items is not None and any(item.sid == sid for item in items)
        return self.actions.busy(sid) or self.grace.holds(sid) or in_bulk or sid in self._claiming

    @property
    def idle(self) -> bool:
        """Nothing waits in the grace window and no bulk run is on: the session can be replaced."""
        return not self.grace.pending and self._bulk_items is None

    # ----------------------------------------------------------------- bulk runs

    @property
    def bulk_running(self) -> bool:
        """A bulk run is reserved: waiting in its grace window or sending."""
        return self._bulk_items is not None

    @property
    def bulk_items(self) -> tuple[BulkItem, ...]:
        """The calls the reserved bulk run still has to send (see `ended`); none when no run is reserved."""
        return self._bulk_items or ()

    @property
    def bulk_sending(self) -> bool:
        """A bulk run is past its grace window, sending."""
        return self._bulk_items is not None and not self.grace.runs

    def start_bulk(self, items: Sequence[BulkItem], *, alone: bool = False) -> bool:
        """Reserve the calls of a confirmed bulk run at once: `held` covers them before it starts.
        True when the run waits in the grace window (`due` hands it out), False when it goes now.
        `alone`: the engineer said yes to sending with the team offline (no claims)."""
        self._bulk_items = tuple(items)
        self._alone = alone
        if self.grace.seconds <= 0:
            return False
        self.grace.add_run(self._bulk_items, self.clock())
        return True

    def _release_runs(self, items: Iterable[Waiting]) -> None:
        """A bulk run taken back in its grace window reserves its calls no more."""
        if any(isinstance(item, PendingRun) for item in items):
            self._bulk_items = None

    async def run_bulk(self, on_progress: Callable[[int, int], object] | None = None) -> BulkReport:
        """Send the reserved bulk run; `on_progress(done, total)` after each call's final outcome."""
        assert self._bulk_items is not None, "start_bulk first"
        try:
            return await self.bulk.run(self._bulk_items, on_progress)
        finally:
            self._bulk_items = None

    # ----------------------------------------------------------------- what the details show

    def safety_notes(self, sid: str) -> list[tuple[str, str]]:
        """Extra detail rows: calltui's own redirects of the call, and whether its last action took effect."""
        notes = []
        memory = self.actions.redirects
        for label, sent in (
            ("previous redirect (by calltui)", memory.last(sid)),
            ("the one before (by calltui)", memory.before_last(sid)),
        ):
            if sent is not None:
                when = format_local(sent.time, "%H:%M:%S") or "—"  # the time comes from a file
                notes.append((label, f"{clean(sent.target, 1000)} ({sent.method}) at {when}"))
        for earlier in self.settings.unanswered:
            if earlier.call_sid == sid:
                when = format_local(earlier.time, "%H:%M:%S") or "—"
                notes.append(
                    (f"{clean(earlier.action, 20)} at {when}", f"{UNANSWERED_OUTCOME}: {UNANSWERED_ERROR}")
                )
        verdict = self.verdicts.get(sid)
        if verdict is not None:
            notes.append((f"{verdict.action} check", verdict.text))
        elif self.verifier.checking(sid):
            notes.append(("action check", "checking…"))
        return notes
