"""Twilio's clock from the `Date` header: a local clock minutes off is corrected, one within 2 s is not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import make_settings
from sim_helpers import Clock

from calltui.gateway import TwilioGateway
from calltui.monitor.skew import TwilioClock, skew_text
from calltui.simulator import Simulator


async def active_with(sim: Simulator, clock: TwilioClock) -> list:
    assert sim.base_url
    gateway = TwilioGateway(make_settings(sim.base_url), on_date=clock.observe)
    try:
        return await gateway.list_active()
    finally:
        await gateway.close()


@pytest.mark.parametrize("off", [180.0, -95.0])
async def test_a_skewed_local_clock_is_corrected_by_twilios_date_header(
    sim: Simulator, clock: Clock, off: float
) -> None:
    sim.add_call()
    clock.advance(60)
    local = TwilioClock(lambda: clock() + timedelta(seconds=off))  # the laptop's clock, `off` seconds out
    assert local.skew == 0.0  # nothing known before the first answer
    [call] = await active_with(sim, local)
    assert abs(local.skew + off) <= 1.0
    assert call.elapsed(local()) in (59, 60, 61)  # the call's true age, not 60 + off
    expected = ("+3:00",) if off > 0 else ("-1:35", "-1:36")  # Date is whole seconds: ±1 s
    assert skew_text(local.skew) in {f"local clock {amount} vs Twilio" for amount in expected}


async def test_a_difference_within_two_seconds_is_left_alone(sim: Simulator, clock: Clock) -> None:
    local = TwilioClock(lambda: clock() + timedelta(seconds=1.2))
    await active_with(sim, local)
    assert local.skew == 0.0 and local() == clock() + timedelta(seconds=1.2)
    assert skew_text(local.skew) is None


def test_an_unparsable_date_header_is_ignored() -> None:
    local = TwilioClock()
    for header in (None, "", "yesterday", "Mon, 99 Foo 2026 99:99:99 GMT", "Mon, 02 Mar 2026 12:00:00"):
        local.observe(header)
    assert local.skew == 0.0
