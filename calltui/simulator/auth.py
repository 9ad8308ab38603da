"""HTTP basic auth as Twilio checks it: `AccountSid:AuthToken` or `ApiKeySid:ApiKeySecret`."""

from __future__ import annotations

import base64
import binascii
import hmac

from calltui.simulator.errors import authenticate


def basic_user(header: str | None) -> tuple[str, str] | None:
    """(user, password) from an `Authorization: Basic …` header, or None if absent or garbled."""
    if not header:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


class Credentials:
    """Each account's token and API keys, and whose each user is. Holds secrets: no repr of the values."""

    def __init__(self, account_sid: str, auth_token: str, api_keys: dict[str, str]) -> None:
        self.account_sid = account_sid
        self._secrets: dict[str, str] = {}
        self._owners: dict[str, str] = {}
        self.add(account_sid, auth_token, api_keys)

    def __repr__(self) -> str:
        return f"Credentials({self.account_sid}, users={len(self._secrets)})"

    def add(self, account_sid: str, auth_token: str, api_keys: dict[str, str]) -> None:
        """Another account's credentials (a subaccount's)."""
        for user, secret in {account_sid: auth_token, **api_keys}.items():
            self._secrets[user] = secret
            self._owners[user] = account_sid

    def owner(self, user: str) -> str:
        """The account a user (an account SID or API key SID that `check` accepted) belongs to."""
        return self._owners[user]

    def check(self, header: str | None) -> str:
        """The authenticated user (account or API key SID); raises 401 20003 otherwise."""
        pair = basic_user(header)
        if pair is None:
            raise authenticate()
        user, password = pair
        expected = self._secrets.get(user)
        # Compare even for unknown users so timing does not reveal which SIDs exist.
        if not hmac.compare_digest(password.encode(), (expected or "\0").encode()) or expected is None:
            raise authenticate()
        return user
