"""What Twilio recorded about one call besides the call itself: webhook events, notifications, recordings.

Immutable values, parsed from untrusted JSON by the gateway: every field may be missing (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: A recording's `duration` while Twilio is still making it (it sends "-1").
RECORDING_UNFINISHED = -1
#: Notification `log` values as Twilio documents them.
LOG_LEVELS = {"0": "error", "1": "warning"}


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One request Twilio made to the app's webhooks for this call, and the answer it got."""

    method: str | None = None
    url: str | None = None
    response_code: int | None = None
    """None: Twilio got no answer (connection failure, timeout)."""
    request_duration: int | None = None
    """Milliseconds the app took to answer."""
    content_type: str | None = None
    response_body: str | None = None
    date_created: datetime | None = None

    @property
    def failed(self) -> bool:
        return self.response_code is None or self.response_code >= 400


@dataclass(frozen=True, slots=True)
class CallNotification:
    """An error or warning Twilio logged while running the call (e.g. 11200: the TwiML URL failed)."""

    sid: str | None = None
    error_code: str | None = None
    log: str | None = None
    message_text: str | None = None
    more_info: str | None = None
    request_url: str | None = None
    request_method: str | None = None
    message_date: datetime | None = None
    date_created: datetime | None = None

    @property
    def level(self) -> str:
        """`error`, `warning`, or Twilio's raw value when it is neither."""
        return LOG_LEVELS.get(self.log or "", self.log or "unknown")

    @property
    def when(self) -> datetime | None:
        return self.message_date or self.date_created


@dataclass(frozen=True, slots=True)
class CallRecording:
    sid: str | None = None
    status: str | None = None
    source: str | None = None
    duration: int | None = None
    """Seconds; RECORDING_UNFINISHED (-1) while Twilio is still recording."""
    channels: int | None = None
    track: str | None = None
    start_time: datetime | None = None
    error_code: int | None = None
    """Why a recording is `absent`."""
    price: str | None = None
    price_unit: str | None = None
