"""Raw Accounts list records to `AccountInfo`s. The auth token Twilio includes for the parent's own
credentials is never read: calltui acts on a subaccount with the credentials it already has."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from calltui.domain.account import AccountInfo
from calltui.domain.call import ACCOUNT_SID_RE

_NAME_LIMIT = 256


def parse_accounts(records: Iterable[object]) -> list[AccountInfo]:
    """Every record that names a valid account SID; anything else is left out."""
    accounts = []
    for record in records:
        if not isinstance(record, Mapping):
            continue
        sid = record.get("sid")
        if not isinstance(sid, str) or not ACCOUNT_SID_RE.match(sid):
            continue
        owner = record.get("owner_account_sid")
        accounts.append(
            AccountInfo(
                sid=sid,
                friendly_name=account_text(record.get("friendly_name")),
                status=account_text(record.get("status")),
                owner_sid=owner if isinstance(owner, str) and ACCOUNT_SID_RE.match(owner) else None,
            )
        )
    return accounts


def account_text(value: object) -> str | None:
    """A text field of an Account (its friendly name, status), bounded; None when absent or blank."""
    return value[:_NAME_LIMIT] if isinstance(value, str) and value.strip() else None
