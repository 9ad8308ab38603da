"""An account the credentials can reach, as the Accounts list reports it (never its auth token)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AccountInfo:
    sid: str
    """`AC` + 32 hex."""
    friendly_name: str | None = None
    status: str | None = None
    """active, suspended or closed (as sent; may be anything)."""
    owner_sid: str | None = None
    """The parent's SID; a main account is its own owner."""

    @property
    def is_subaccount(self) -> bool:
        return self.owner_sid is not None and self.owner_sid != self.sid
