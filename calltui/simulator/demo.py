"""Subaccounts with a few calls each, for `--demo` and `calltui simulate`: the account picker (`c`) then
has something to switch to. Their calls stay as they are (the traffic generator drives the main account)."""

from __future__ import annotations

from calltui.simulator.server import Simulator

_SUBACCOUNTS = {
    "Acme EU": (
        ("in-progress", "+442071838750", "+448081570000", "inbound"),
        ("in-progress", "+33142685300", "+448081570000", "inbound"),
        ("ringing", "+448081570000", "+4930901820", "outbound-api"),
    ),
    "Acme staging": (("queued", "+15005550006", "+15005550001", "outbound-api"),),
}


def add_demo_subaccounts(sim: Simulator) -> None:
    for name, calls in _SUBACCOUNTS.items():
        sub = sim.add_subaccount(friendly_name=name)["sid"]
        for status, from_, to, direction in calls:
            sim.add_call(status, from_, to, direction, account_sid=sub)
