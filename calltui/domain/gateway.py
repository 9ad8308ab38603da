"""What the app needs from Twilio, as a protocol: the UI depends on this, the gateway implements it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from calltui.domain.account import AccountInfo
from calltui.domain.actions import Hangup, Redirect
from calltui.domain.call import Call

if TYPE_CHECKING:  # the details screen's types: not imported before the first paint
    from calltui.domain.inspector import CallEvent, CallNotification, CallRecording


class CallGateway(Protocol):
    read_only: bool

    async def list_active(self) -> list[Call]:
        """Every queued, ringing and in-progress call, all pages."""
        ...

    async def list_recent(self, since: datetime) -> list[Call]:
        """Calls that ended since `since` (newest first)."""
        ...

    async def find_ended(self, since: datetime, wanted: Collection[Call]) -> list[Call]:
        """Those of `wanted` that Twilio lists as ended since `since` (the `EndTime>` list), with their
        final records. Reads only as many pages as it takes; a call not returned may still be live."""
        ...

    async def list_children(self, parent_sid: str) -> list[Call]: ...

    async def list_events(self, sid: str) -> list[CallEvent]:
        """The webhook requests Twilio made for this call, as Twilio lists them."""
        ...

    async def list_notifications(self, sid: str) -> list[CallNotification]: ...

    async def list_recordings(self, sid: str) -> list[CallRecording]: ...

    async def fetch(self, sid: str) -> Call: ...

    async def redirect(self, sid: str, action: Redirect) -> Call: ...

    async def hangup(self, sid: str, action: Hangup) -> Call: ...

    async def recent_errors(self, sid: str, since: datetime) -> list[int]:
        """Codes of the errors Twilio logged against the call (its Notifications) since `since`."""
        ...

    async def account_name(self) -> str | None:
        """The account's friendly name, when the API reveals it."""
        ...

    async def list_subaccounts(self) -> list[AccountInfo]:
        """Every account these credentials reach, as Twilio lists them: the main account and its
        subaccounts (a subaccount's own credentials reach only itself)."""
        ...

    async def close(self) -> None: ...
