"""What a redirect does to a call: fetch the TwiML (inline, served here, or from a URL) and read its verbs.

The simulator does not run TwiML. It needs one decision: does the document end the call (`<Hangup/>` or
`<Reject/>`), or does the call carry on (anything else: hold music, a queue, a dial, a say)?
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

# Twilio caps inline TwiML at 4000 characters; fetched documents get more room but not unbounded.
MAX_INLINE = 4000
MAX_FETCHED = 64 * 1024
ENDING_VERBS = frozenset({"Hangup", "Reject"})

HANGUP = '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Say>Goodbye.</Say><Hangup/></Response>\n'
REJECT = '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Reject reason="busy"/></Response>\n'
HOLD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Say>Please hold.</Say>'
    '<Play loop="0">http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3</Play></Response>\n'
)
DOCUMENTS = {"hangup": HANGUP, "reject": REJECT, "hold": HOLD}
"""Served at `{base}/twiml/{name}` so a demo has somewhere to redirect calls."""


class TwimlError(ValueError):
    """Not a TwiML document: not XML, or its root is not <Response>."""


def ends_call(document: str) -> bool:
    """Whether running `document` hangs up: a top-level <Hangup/> or <Reject/> verb."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as exc:
        raise TwimlError(f"not well-formed XML: {exc}") from exc
    if root.tag != "Response":
        raise TwimlError("the root element must be <Response>")
    return any(child.tag in ENDING_VERBS for child in root)


def own_document(url: str, base_url: str | None) -> str | None:
    """The document for a `{base}/twiml/{name}` URL on this simulator, read without a network round trip."""
    if base_url is None:
        return None
    parts, base = urlsplit(url), urlsplit(base_url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith("/twiml/"):
        return None
    return DOCUMENTS.get(parts.path.removeprefix("/twiml/"))


@dataclass(frozen=True, slots=True)
class Fetched:
    """What fetching a TwiML URL gave: the answer as Twilio's event log keeps it, and why it is unusable."""

    status: int | None
    """None: no HTTP answer at all (refused, timed out)."""
    content_type: str | None
    body: str | None
    problem: str | None
    """Why there is no document, in the words of Twilio's 11200 notification; None when there is one."""
    milliseconds: int

    @property
    def document(self) -> str | None:
        return self.body if self.problem is None else None


async def fetch(
    session: aiohttp.ClientSession, url: str, method: str, params: dict[str, str], timeout: float
) -> Fetched:
    """GET/POST `url` with Twilio's call parameters as Twilio would."""
    kwargs = {"params": params} if method == "GET" else {"data": params}
    began = time.perf_counter()
    status = content_type = None
    try:
        async with session.request(
            method, url, timeout=aiohttp.ClientTimeout(total=timeout), allow_redirects=True, **kwargs
        ) as response:
            status, content_type = response.status, response.content_type
            body = await response.content.read(MAX_FETCHED + 1)
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        problem = "timed out" if isinstance(exc, TimeoutError) else f"failed ({type(exc).__name__})"
        milliseconds = int((time.perf_counter() - began) * 1000)
        return Fetched(
            status, content_type, None, f"An attempt to retrieve content from {url} {problem}", milliseconds
        )
    milliseconds = int((time.perf_counter() - began) * 1000)
    text = body[:MAX_FETCHED].decode("utf-8", errors="replace")
    problem = None
    if status >= 400:
        problem = f"An attempt to retrieve content from {url} returned the HTTP status code {status}"
    elif len(body) > MAX_FETCHED:
        problem = f"The content at {url} is larger than {MAX_FETCHED} bytes"
    return Fetched(status, content_type, text, problem, milliseconds)
