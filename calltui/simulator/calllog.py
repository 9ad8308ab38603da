"""What Twilio keeps about a call besides the call: webhook events, notifications and recordings.

Records are raw Twilio JSON, per call, oldest first. Everything random here (request durations, which calls
are recorded, which callbacks fail) comes from an RNG of the log's own, so turning the log on never shifts
the SIDs or the traffic a seed gives.
"""

from __future__ import annotations

import math
import random
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from calltui.simulator import records
from calltui.simulator.twiml import Fetched

KINDS = ("events", "notifications", "recordings")
NAMES = {"Events": "events", "Notifications": "notifications", "Recordings": "recordings"}
"""URL segment -> list key."""

# The demo account's own web app: where its numbers and outbound calls point.
VOICE_URL = "https://voice.example.com/incoming"
OUTBOUND_URL = "https://voice.example.com/outbound"
STATUS_CALLBACK = "https://voice.example.com/status"
_ANSWER_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thanks for calling.</Say>'
    '<Dial record="record-from-answer-dual"><Client>alice</Client></Dial></Response>'
)
_RECORDED_SHARE = 0.3
_FAILING_CALLBACK_SHARE = 0.05
_RECORDING_RATE_PER_MINUTE = 0.0025
MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


@dataclass(frozen=True, slots=True)
class Webhooks:
    """How a generated call is set up: where its status callback goes and whether it is recorded."""

    status_callback: str | None
    recording_source: str | None


class CallLog:
    def __init__(self, account_sid: str, seed: int) -> None:
        self.account_sid = account_sid
        self.rng = random.Random(f"calltui-log-{seed}")
        self._records: dict[str, dict[str, list[dict[str, Any]]]] = {kind: {} for kind in KINDS}
        self._webhooks: dict[str, Webhooks] = {}
        self.lock = threading.RLock()

    def records(self, kind: str, call_sid: str) -> list[dict[str, Any]]:
        """A copy of one call's records of `kind` ("events", "notifications", "recordings"), oldest first."""
        with self.lock:
            return [dict(record) for record in self._records[kind].get(call_sid, ())]

    # -- what the call lifecycle reports ---------------------------------------------------------------

    def arrived(self, raw: dict[str, Any], when: datetime) -> None:
        """A generated call exists: set up its webhooks; an inbound call fetches the number's voice URL."""
        rng = self.rng
        source = None
        if rng.random() < _RECORDED_SHARE:
            source = "DialVerb" if raw.get("direction") == "inbound" else "OutboundAPI"
        with self.lock:
            self._webhooks[raw["sid"]] = Webhooks(STATUS_CALLBACK, source)
        if raw.get("direction") == "inbound":
            self._answer_fetch(raw, VOICE_URL, when)

    def answered(self, raw: dict[str, Any], when: datetime) -> None:
        """An outbound API call fetches its Url once the far end picks up."""
        if raw.get("sid") in self._webhooks and raw.get("direction") == "outbound-api":
            self._answer_fetch(raw, OUTBOUND_URL, when)

    def ended(self, raw: dict[str, Any], when: datetime) -> None:
        """The status callback, and the recording of a recorded call that was answered."""
        with self.lock:
            hooks = self._webhooks.pop(raw.get("sid", ""), None)
        if hooks is None:
            return
        seconds = _int(raw.get("duration"))
        if hooks.recording_source is not None and seconds:
            self.add_recording(
                raw["sid"],
                when,
                source=hooks.recording_source,
                duration=seconds,
                channels=2 if hooks.recording_source == "DialVerb" else 1,
                start_time=raw.get("start_time"),
            )
        if hooks.status_callback is not None:
            self._status_callback(raw, hooks.status_callback, when)

    def fetched(self, raw: dict[str, Any], url: str, method: str, when: datetime, result: Fetched) -> None:
        """A redirect fetched `url`: the event, and Twilio's 11200 when no document came back."""
        self.add_event(
            raw["sid"],
            when,
            url=url,
            method=method,
            parameters=_snake(records.twilio_params(raw)),
            response_code=result.status,
            request_duration=result.milliseconds,
            content_type=result.content_type,
            response_body=result.body,
        )
        if result.problem is not None:
            self.add_notification(
                raw["sid"],
                when,
                error_code="11200",
                log="0",
                message_text=result.problem,
                request_url=url,
                request_method=method,
            )

    def own_fetch(self, document: str) -> Fetched:
        """Fetching one of the simulator's own documents: no network, a plausible duration."""
        return Fetched(200, "application/xml", document, None, self._duration())

    # -- records (the test hooks build on these) -------------------------------------------------------

    def add_event(
        self,
        call_sid: str,
        when: datetime,
        *,
        url: str,
        method: str = "POST",
        parameters: dict[str, Any] | None = None,
        response_code: int | None = 200,
        request_duration: int | None = None,
        content_type: str | None = "application/xml",
        response_body: str | None = None,
        **raw_fields: Any,
    ) -> dict[str, Any]:
        record = {
            "request": {"method": method, "url": url, "parameters": parameters or {}},
            "response": {
                "response_code": response_code,
                "request_duration": self._duration() if request_duration is None else request_duration,
                "content_type": content_type,
                "response_body": response_body,
                "date_created": records.rfc2822(when),
            },
            **raw_fields,
        }
        return self._add("events", call_sid, record)

    def add_notification(
        self,
        call_sid: str,
        when: datetime,
        *,
        error_code: str | int | None = "11200",
        log: str = "0",
        message_text: str | None = None,
        request_url: str | None = None,
        request_method: str | None = "POST",
        **raw_fields: Any,
    ) -> dict[str, Any]:
        """One notification in the list's shape (the instance adds request/response details, not served)."""
        sid = records.new_sid("NO", self.rng)
        stamp = records.rfc2822(when)
        code = None if error_code is None else str(error_code)
        record = {
            "account_sid": self.account_sid,
            "api_version": records.API_VERSION,
            "call_sid": call_sid,
            "date_created": stamp,
            "date_updated": stamp,
            "error_code": code,
            "log": log,
            "message_date": stamp,
            "message_text": message_text,
            "more_info": MORE_INFO.format(code=code) if code else None,
            "request_method": request_method,
            "request_url": request_url,
            "sid": sid,
            "uri": f"{_call_base(self.account_sid, call_sid)}/Notifications/{sid}.json",
            **raw_fields,
        }
        return self._add("notifications", call_sid, record)

    def add_recording(
        self,
        call_sid: str,
        when: datetime,
        *,
        status: str = "completed",
        source: str = "RecordVerb",
        duration: int | None = 30,
        channels: int = 1,
        start_time: str | None = None,
        **raw_fields: Any,
    ) -> dict[str, Any]:
        sid = records.new_sid("RE", self.rng)
        stamp = records.rfc2822(when)
        billable = status == "completed" and duration
        record = {
            "account_sid": self.account_sid,
            "api_version": records.API_VERSION,
            "call_sid": call_sid,
            "conference_sid": None,
            "channels": channels,
            "date_created": stamp,
            "date_updated": stamp,
            "start_time": start_time or stamp,
            # A string, as Twilio sends it (its spec says a number).
            "price": f"{-math.ceil(duration / 60) * _RECORDING_RATE_PER_MINUTE:.5f}" if billable else None,
            "price_unit": "USD",
            "duration": _recording_duration(status, duration),
            "sid": sid,
            "encryption_details": None,
            "source": source,
            "status": status,
            "track": "both",
            "error_code": None,
            "uri": f"{_call_base(self.account_sid, call_sid)}/Recordings/{sid}.json",
            **raw_fields,
        }
        return self._add("recordings", call_sid, record)

    # -- helpers ---------------------------------------------------------------------------------------

    def _add(self, kind: str, call_sid: str, record: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self._records[kind].setdefault(call_sid, []).append(record)
        return dict(record)

    def _answer_fetch(self, raw: dict[str, Any], url: str, when: datetime) -> None:
        self.fetched(raw, url, "POST", when, self.own_fetch(_ANSWER_TWIML))

    def _status_callback(self, raw: dict[str, Any], url: str, when: datetime) -> None:
        """Twilio POSTs the final status; a failing callback gets its 15003 warning, as Twilio logs it."""
        code = 502 if self.rng.random() < _FAILING_CALLBACK_SHARE else 204
        parameters = {**records.twilio_params(raw), "CallDuration": str(raw.get("duration") or 0)}
        self.add_event(
            raw["sid"],
            when,
            url=url,
            parameters=_snake(parameters),
            response_code=code,
            content_type=None if code == 204 else "text/html",
            response_body="" if code == 204 else "<html><body>Bad Gateway</body></html>",
        )
        if code >= 400:
            self.add_notification(
                raw["sid"],
                when,
                error_code="15003",
                log="1",
                message_text=f"Got HTTP {code} response to {url}",
                request_url=url,
            )

    def _duration(self) -> int:
        """Milliseconds a healthy web app takes to answer: mostly fast, sometimes slow."""
        return int(min(self.rng.lognormvariate(math.log(120), 0.6), 9000))


def _call_base(account_sid: str, call_sid: str) -> str:
    return f"{records.API_ROOT}/{account_sid}/Calls/{call_sid}"


def _snake(params: dict[str, str]) -> dict[str, str]:
    """Event parameters are listed in snake_case (CallSid -> call_sid), as Twilio's docs say."""
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower(): value for key, value in params.items()}


def _int(value: object) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() else 0


def _recording_duration(status: str, seconds: int | None) -> str | None:
    """Seconds as text; "-1" while the recording is still being made, as Twilio reports it."""
    if seconds is None:
        return "-1" if status in ("in-progress", "paused") else None
    return str(seconds)
