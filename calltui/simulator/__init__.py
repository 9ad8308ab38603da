"""A Twilio-compatible Calls API (2010-04-01) on a local port: the demo backend and the test server.

It speaks Twilio's wire format only; the app reaches it over HTTP like any other Twilio endpoint.
"""

from calltui.simulator.recording import Exchange, RecordedRequest
from calltui.simulator.server import DEMO_ACCOUNT_SID, Simulator
from calltui.simulator.standalone import run_standalone

__all__ = ["DEMO_ACCOUNT_SID", "Exchange", "RecordedRequest", "Simulator", "run_standalone"]
