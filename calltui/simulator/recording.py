"""What the simulator saw: every request (for assertions) and, if asked, whole exchanges (for contracts)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# Form fields that carry secrets of their own; recorded masked.
_SECRET_FIELDS = frozenset({"SipAuthPassword"})
MASK = "********"


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    auth_user: str | None
    """The basic-auth user name (account or API key SID). The password is never kept."""
    received_at: float = field(default_factory=time.perf_counter, compare=False)
    """`time.perf_counter()` when the request was read (benchmarks time actions to the server with it)."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and the answer sent, enough to validate both against the OpenAPI spec."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    request_body: bytes
    request_content_type: str
    authenticated: bool
    """Whether the request carried basic-auth credentials (not whether they were right)."""
    status: int
    body: bytes
    content_type: str
    fault: str | None = None
    """The kind of fault a test injected into this answer, if any: then the answer is not Twilio's."""


def masked_form(form: dict[str, str]) -> dict[str, str]:
    return {key: (MASK if key in _SECRET_FIELDS else value) for key, value in form.items()}
