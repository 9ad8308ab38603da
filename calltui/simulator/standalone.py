"""`calltui simulate`: run the simulator in the foreground until Ctrl-C, for use from another terminal."""

from __future__ import annotations

import asyncio
import secrets
import sys
from typing import TextIO

from calltui.simulator.demo import add_demo_subaccounts
from calltui.simulator.server import Simulator

# Shown instead of a token the user supplied (environment, .env): only generated tokens are printed.
TOKEN_PLACEHOLDER = "$TWILIO_AUTH_TOKEN"


def run_standalone(
    host: str,
    port: int,
    account_sid: str | None,
    auth_token: str | None,
    seed: int,
    target_active: int,
    *,
    out: TextIO | None = None,
) -> None:
    """Serve until Ctrl-C. Missing credentials are generated and printed; given ones are never echoed."""
    stream = out or sys.stdout
    generated_token = auth_token is None
    sim = Simulator(
        account_sid=account_sid or "AC" + secrets.token_hex(16),
        auth_token=auth_token or secrets.token_hex(16),
        seed=seed,
        initial_calls=target_active,
        traffic=True,
        target_active=target_active,
        friendly_name="calltui simulator",
    )
    add_demo_subaccounts(sim)
    try:
        asyncio.run(_serve(sim, host, port, stream, generated_token))
    except KeyboardInterrupt:
        print("\nSimulator stopped.", file=stream, flush=True)


async def _serve(sim: Simulator, host: str, port: int, out: TextIO, show_token: bool) -> None:
    base_url = await sim.start(host, port)
    try:
        print(banner(sim, base_url, show_token), file=out, flush=True)
        await asyncio.Event().wait()
    finally:
        await sim.stop()


def banner(sim: Simulator, base_url: str, show_token: bool) -> str:
    token = sim.auth_token if show_token else TOKEN_PLACEHOLDER
    lines = [
        f"Twilio-compatible simulator listening on {base_url}",
        f"  Account SID: {sim.account_sid}",
        f"  Auth token:  {token}  " + ("(generated for this run)" if show_token else "(as configured)"),
        f"  Redirect targets: {base_url}/twiml/hold  {base_url}/twiml/hangup",
        "Try:",
        f'  curl -u "{sim.account_sid}:{token}" "{base_url}/2010-04-01/Accounts/{sim.account_sid}/Calls.json'
        '?Status=in-progress&PageSize=5"',
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)
