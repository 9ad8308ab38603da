"""Everything the gateway takes from the twilio SDK and aiohttp, in the one module that imports them.

`TwilioGateway` imports it on its own thread the first time it works, not at start-up: the two libraries
take 0.2-0.5 s to import, and the engineer's screen (header, empty table, footer) is painted meanwhile.
"""

from twilio.base import serialize
from twilio.base.version import Version
from twilio.rest import Client

from calltui.gateway.errors import detach, map_exception
from calltui.gateway.paging import first_page, read_pages, read_records
from calltui.gateway.transport import GatewayHttpClient

__all__ = [
    "Client",
    "GatewayHttpClient",
    "Version",
    "detach",
    "first_page",
    "map_exception",
    "read_pages",
    "read_records",
    "serialize",
]
