"""Reconciling a poll: calls live in the last poll but missing from this one are looked up before anything is
concluded, so a call that changed status while the lists were read, or slipped between shifting pages, never
looks ended while its caller is still on the line."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta

from calltui.domain.call import Call
from calltui.domain.errors import NotFound
from calltui.domain.gateway import CallGateway

FETCH_MAX = 3
"""Missing calls up to this many are fetched one by one (at once); more are looked for in one `EndTime>` list,
whose first page holds a thousand. What that list does not show is fetched, this many per poll."""
END_MARGIN = timedelta(minutes=2)
"""The `EndTime>` list starts this long before the last poll that listed a call: clocks differ."""


class Reconciler:
    """Looks up missing calls, cheapest way first, and remembers those it could not settle yet."""

    def __init__(self, gateway: CallGateway) -> None:
        self.gateway = gateway
        self._listed_at: dict[str, datetime] = {}
        """Calls still missing: when the last poll that listed them started."""

    def reset(self) -> None:
        """Forget what is pending (a view switch starts from an empty table)."""
        self._listed_at.clear()

    async def reconcile(self, missing: Mapping[str, Call], listed_at: datetime) -> dict[str, Call]:
        """The record each missing call has now: a live call's fresh record, an ended call's final one, or,
        for a call not looked up yet, the record it had (it stays live until calltui knows). Calls Twilio
        does not know (404) are left out. `listed_at`: when the poll before this one started.

        Raises GatewayError when a lookup fails: the poll fails with it and nothing is concluded.
        """
        self._listed_at = {sid: self._listed_at.get(sid, listed_at) for sid in missing}
        unknown = dict(missing)
        settled: dict[str, Call] = {}
        if len(unknown) > FETCH_MAX:
            since = min(self._listed_at.values()) - END_MARGIN
            for call in await self.gateway.find_ended(since, unknown.values()):
                settled[call.sid] = call
                del unknown[call.sid]
        # Longest missing first, so every call is settled within a few polls however many went missing.
        oldest = sorted(unknown, key=self._listed_at.__getitem__)[:FETCH_MAX]
        answers = await asyncio.gather(*(self.gateway.fetch(sid) for sid in oldest), return_exceptions=True)
        for sid, answer in zip(oldest, answers, strict=True):
            if isinstance(answer, Call):
                settled[sid] = answer
            elif not isinstance(answer, NotFound):  # a 404: Twilio has no such call, it leaves the table
                raise answer
            del unknown[sid]
        for sid in missing.keys() - unknown.keys():
            del self._listed_at[sid]
        return {**unknown, **settled}
