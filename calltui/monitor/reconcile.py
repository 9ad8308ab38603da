"""Reconciling a poll: calls live in the last poll but missing from this one are looked up before anything is
concluded, so a call that changed status while the lists were read, or slipped between shifting pages, never
looks ended while its caller is still on the line."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from calltui.domain.call import Call
from calltui.domain.errors import NotFound
from calltui.domain.gateway import CallGateway

FETCH_MAX = 3
"""Missing calls up to this many are fetched one by one (at once); more are looked for in one `EndTime>` list,
whose first page holds a thousand. What that list does not show is fetched, this many per poll."""
END_MARGIN = timedelta(seconds=5)
"""The `EndTime>` list starts this long before the moment the last poll was served (which already allows for
that poll's own length): dates and the list's filter are to the second."""


class Reconciler:
    """Looks up missing calls, cheapest way first, and remembers those it could not settle yet."""

    def __init__(self, gateway: CallGateway) -> None:
        self.gateway = gateway
        self._listed_by: dict[str, datetime] = {}
        """Calls the `EndTime>` list did not settle: when, on Twilio's clock, they were last listed."""

    def reset(self) -> None:
        """Forget what is pending (a view switch starts from an empty table)."""
        self._listed_by.clear()

    async def reconcile(
        self, missing: Mapping[str, Call], listed_by: Callable[[], datetime]
    ) -> dict[str, Call]:
        """The record each missing call has now: a live call's fresh record, an ended call's final one, or,
        for a call not looked up yet, the record it had (it stays live until calltui knows). Calls Twilio
        does not know (404) are left out. `listed_by()`: a moment, on Twilio's clock, no later than when
        the last poll was served (asked for only when the `EndTime>` list is read).

        Raises GatewayError when a lookup fails: the poll fails with it and nothing is concluded.
        """
        unknown = dict(missing)
        settled: dict[str, Call] = {}
        if len(unknown) > FETCH_MAX:
            listed = listed_by()
            self._listed_by = {sid: self._listed_by.get(sid, listed) for sid in unknown}
            # From the last poll on, not from the oldest call still waiting: a call an earlier list did not
            # show is fetched, and a longer list would show it no sooner (Twilio lists the newest calls
            # first), only push this poll's ends past its last page, a backlog feeding itself (at 10,000
            # calls churning 1 % every half second it kept thousands of ended calls live).
            since = listed - END_MARGIN
            for call in await self.gateway.find_ended(since, unknown.values()):
                settled[call.sid] = call
                del unknown[call.sid]
        # Longest missing first, so every call is settled within a few polls however many went missing.
        oldest = sorted(unknown, key=lambda sid: self._listed_by.get(sid, datetime.max.replace(tzinfo=UTC)))
        asked = oldest[:FETCH_MAX]
        answers = await asyncio.gather(*(self.gateway.fetch(sid) for sid in asked), return_exceptions=True)
        for sid, answer in zip(asked, answers, strict=True):
            if isinstance(answer, Call):
                settled[sid] = answer
            elif not isinstance(answer, NotFound):  # a 404: Twilio has no such call, it leaves the table
                raise answer
            del unknown[sid]
        self._listed_by = {sid: at for sid, at in self._listed_by.items() if sid in unknown}
        return {**unknown, **settled}
