"""A seeded call-traffic generator: arrivals, ringing, answers, hang-ups and <Dial> legs.

Deterministic: the same seed and the same sequence of `step(now)` calls give the same calls. Every live call
gets a plan (when it rings, whether and when it is answered, when it ends) the first time a step sees it, so
calls created through the API or by a test move along too.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from calltui.simulator import endpoints, lifecycle, records
from calltui.simulator.calllog import CallLog
from calltui.simulator.store import CallStore

# Seconds. Talk time is log-normal around a minute: most calls short, a few long (lively in a demo).
_TALK_MEDIAN = 60.0
_TALK_SIGMA = 0.9
_TALK_MIN, _TALK_MAX = 5.0, 1800.0
NO_TRUNK = ""
"""Twilio's trunk_sid for a call that did not use a SIP trunk: an empty string, not null."""
LIVE = ("queued", "ringing", "in-progress")
"""Advanced in this order, so a call can ring and be answered within one step."""


@dataclass(slots=True)
class Plan:
    ring_at: datetime
    answer_at: datetime | None
    """None: never answered; ends at `end_at` with `unanswered` status."""
    end_at: datetime
    unanswered: str
    dials: bool
    """Answered inbound calls that <Dial> an agent get a child leg."""


class TrafficGenerator:
    def __init__(
        self, store: CallStore, account_sid: str, seed: int, target_active: int, log: CallLog | None = None
    ) -> None:
        self.store = store
        self.log = log
        """Hears of every generated call's webhooks (events, notifications, recordings)."""
        self.account_sid = account_sid
        self.target_active = target_active
        self.rng = random.Random(f"calltui-traffic-{seed}")
        self.numbers = endpoints.our_numbers(self.rng)
        self._plans: dict[str, Plan] = {}
        self._unpriced: dict[str, tuple[datetime, str]] = {}
        """Ended calls whose price Twilio has not posted yet: when it will, and what it will be."""
        self._pricing = random.Random(f"calltui-pricing-{seed}")  # its own: the calls stay as they were

    # -- population -------------------------------------------------------------------------------------

    def populate(self, count: int, now: datetime) -> None:
        """`count` live calls begun in the last few minutes: about 8% queued, 12% ringing, 12% <Dial> legs
        of talking inbound calls, the rest talking."""
        rng = self.rng
        queued, ringing, legs = round(count * 0.08), round(count * 0.12), round(count * 0.12)
        dialable: list[tuple[str, datetime]] = []  # talking inbound calls with no leg yet, and when answered
        for _ in range(count - queued - ringing - legs):
            created = now - timedelta(seconds=rng.uniform(15, 900))
            raw = self._arrival(created, inbound=rng.random() < 0.6)
            if raw["status"] == "queued":
                lifecycle.ring(self.store, raw["sid"], created + timedelta(seconds=1))
            answered_at = created + timedelta(seconds=rng.uniform(2, 10))
            self._answer(raw["sid"], answered_at)
            if raw["direction"] == "inbound":
                dialable.append((raw["sid"], answered_at))
        for _ in range(legs):
            if dialable:
                parent, answered_at = dialable.pop(rng.randrange(len(dialable)))
                self._child(parent, answered_at + timedelta(seconds=1), answered=True)
            else:
                self._arrival(now - timedelta(seconds=rng.uniform(1, 15)), inbound=True)
        for _ in range(ringing):
            self._arrival(now - timedelta(seconds=rng.uniform(1, 15)), inbound=True)
        for _ in range(queued):
            self._arrival(now - timedelta(seconds=rng.uniform(0, 3)), inbound=False)

    # -- one tick ---------------------------------------------------------------------------------------

    def step(self, now: datetime) -> None:
        """Advance every live call whose next event is due by `now`, then let new calls arrive."""
        for status in LIVE:
            for sid in self.store.sids_with_status(status):
                self._advance(sid, now)
        live = {sid for status in LIVE for sid in self.store.sids_with_status(status)}
        for sid in [sid for sid in self._plans if sid not in live]:
            del self._plans[sid]
        for _ in range(self._arrivals(len(live))):
            self._arrival(now, inbound=self.rng.random() < 0.55)
        for sid, (due, price) in list(self._unpriced.items()):
            if now >= due:
                self.store.update(sid, {"price": price, "date_updated": records.rfc2822(due)})
                del self._unpriced[sid]

    def _advance(self, sid: str, now: datetime) -> None:
        raw = self.store.get(sid)
        if not lifecycle.is_live(raw):
            return  # ended as a side effect of its parent ending earlier in this step
        plan = self._plans.get(sid) or self._plans.setdefault(sid, self._plan(raw, now))
        status = raw["status"]
        if status == "queued" and now >= plan.ring_at:
            lifecycle.ring(self.store, sid, plan.ring_at)
            status = "ringing"
        if status == "ringing":
            if plan.answer_at is not None and now >= plan.answer_at:
                self._answer(sid, plan.answer_at)
                status = "in-progress"
            elif plan.answer_at is None and now >= plan.end_at:
                self._end(sid, plan.unanswered, plan.end_at)
                return
        if status == "in-progress" and now >= plan.end_at:
            self._end(sid, "completed", plan.end_at)

    def _end(self, sid: str, status: str, when: datetime) -> None:
        """End the call (and its legs); as on Twilio, their prices come some seconds later."""
        lifecycle.end(self.store, sid, status, when, self.log)
        ended_now = records.rfc2822(when)
        for leg in (sid, *self.store.children(sid)):
            raw = self.store.get(leg) or {}
            if raw.get("end_time") == ended_now and raw.get("price") is not None:
                self._unpriced[leg] = (when + timedelta(seconds=self._pricing.uniform(5, 30)), raw["price"])
                self.store.update(leg, {"price": None})

    def _plan(self, raw: dict[str, Any], now: datetime) -> Plan:
        rng = self.rng
        direction = raw.get("direction")
        ring_at = now + timedelta(seconds=rng.uniform(0.5, 3))
        answered = rng.random() < (0.9 if direction == "inbound" else 0.78)
        answer_at = ring_at + timedelta(seconds=rng.uniform(2, 12)) if answered else None
        talk = min(max(rng.lognormvariate(math.log(_TALK_MEDIAN), _TALK_SIGMA), _TALK_MIN), _TALK_MAX)
        if answer_at is not None:
            end_at = answer_at + timedelta(seconds=talk)
        else:
            end_at = ring_at + timedelta(seconds=rng.uniform(8, 30))
        if direction == "inbound":
            unanswered = "canceled"  # the caller gave up
        else:
            unanswered = rng.choices(("no-answer", "busy", "failed"), weights=(5, 3, 2))[0]
        return Plan(ring_at, answer_at, end_at, unanswered, direction == "inbound" and rng.random() < 0.4)

    def _answer(self, sid: str, when: datetime) -> None:
        raw = self.store.get(sid) or {}
        extra = {}
        if raw.get("direction") == "outbound-api" and self.rng.random() < 0.3:
            extra["answered_by"] = self.rng.choice(("human", "machine_start", "fax"))
        answered = lifecycle.answer(self.store, sid, when, **extra)
        if self.log is not None:
            self.log.answered(answered, when)
        plan = self._plans.get(sid)
        if plan is not None and plan.dials:
            self._child(sid, when + timedelta(seconds=1), answered=False)

    def _arrivals(self, live: int) -> int:
        """New calls this tick: Poisson, faster while below the target, a trickle above it."""
        if self.target_active <= 0:
            return 0
        mean = max(0.0, self.target_active - live) * 0.25 + 0.3
        # Knuth's method: few draws for the small means used here, and only the seeded RNG.
        limit, count, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    # -- creating calls ---------------------------------------------------------------------------------

    def _arrival(self, when: datetime, *, inbound: bool) -> dict[str, Any]:
        rng = self.rng
        ours = rng.choice(self.numbers)
        if inbound:
            caller = endpoints.outside_party(rng)
            raw = records.new_call(
                sid=records.new_sid("CA", rng),
                account_sid=self.account_sid,
                now=when,
                status="ringing",
                direction="inbound",
                from_=caller,
                to=ours,
                caller_name=endpoints.caller_name(rng, caller),
                phone_number_sid=records.stable_sid("PN", ours),
                forwarded_from=endpoints.north_american(rng) if rng.random() < 0.05 else None,
                trunk_sid=NO_TRUNK,
            )
        else:
            raw = records.new_call(
                sid=records.new_sid("CA", rng),
                account_sid=self.account_sid,
                now=when,
                status="queued",
                direction="outbound-api",
                from_=ours,
                to=endpoints.outside_party(rng),
                phone_number_sid=records.stable_sid("PN", ours),
                trunk_sid=NO_TRUNK,
            )
        added = self.store.add(raw)
        if self.log is not None:
            self.log.arrived(added, when)
        return added

    def _child(self, parent_sid: str, when: datetime, *, answered: bool) -> None:
        parent = self.store.get(parent_sid) or {}
        raw = records.new_call(
            sid=records.new_sid("CA", self.rng),
            account_sid=self.account_sid,
            now=when,
            status="ringing",
            direction="outbound-dial",
            from_=parent.get("from") or "",
            to=endpoints.agent(self.rng),
            parent_call_sid=parent_sid,
            trunk_sid=NO_TRUNK,
        )
        # A <Dial> leg has a start_time from the moment it is dialled, and a duration of "0" while it rings.
        raw.update(start_time=records.rfc2822(when), duration="0")
        self.store.add(raw)
        if answered:
            lifecycle.answer(self.store, raw["sid"], when + timedelta(seconds=self.rng.uniform(2, 6)))
