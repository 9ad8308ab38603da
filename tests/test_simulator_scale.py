"""10,000 calls: filtered 1000-call pages come back complete, in order, with nothing repeated or lost."""

from __future__ import annotations

import json

import contract
from sim_helpers import Clock, calls_path, http, running, sdk

from calltui.simulator.records import parse_rfc2822

STATUSES = ("in-progress",) * 6 + ("ringing", "queued", "completed", "no-answer")


async def test_ten_thousand_calls_page_correctly_by_status() -> None:
    clock = Clock()
    # Not every page is checked against the spec (that is slow at this size): the first one is, below.
    async with running(clock=clock, record_exchanges=False) as sim, sdk(sim) as client, http(sim) as session:
        expected: dict[str, list[str]] = {status: [] for status in STATUSES}
        for i in range(10_000):
            if i % 7 == 0:
                clock.advance(1)  # several calls share each second, as at Twilio
            status = STATUSES[i % len(STATUSES)]
            expected[status].append(sim.add_call(status=status)["sid"])

        live = await client.calls.list_async(status="in-progress", page_size=1000)
        sids = [c.sid for c in live]
        assert len(sids) == len(expected["in-progress"]) == 6000
        assert set(sids) == set(expected["in-progress"])
        # Newest first; calls created in the same second come in SID order.
        assert sids == sorted(
            sids, key=lambda sid: (-parse_rfc2822(sim.call(sid)["date_created"]).timestamp(), sid)
        )
        pages = [r for r in sim.requests if r.path == calls_path()]
        assert len(pages) == 6 and all(r.query["PageSize"] == "1000" for r in pages)

        ringing = await client.calls.list_async(status="ringing", page_size=1000)
        assert {c.sid for c in ringing} == set(expected["ringing"])

        async with session.get(calls_path() + "?PageSize=1000") as response:
            body = await response.read()
        contract.validate_response("GET", calls_path(), 200, body, query=[("PageSize", "1000")])
        page = json.loads(body)
        assert len(page["calls"]) == 1000 and page["next_page_uri"]
