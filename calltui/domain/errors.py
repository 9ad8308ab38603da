"""Domain errors: what went wrong talking to Twilio, independent of the SDK that reported it."""

from __future__ import annotations


class GatewayError(Exception):
    """A request to the Calls API failed. Carries Twilio's code, message and more_info when known."""

    kind = "error"
    #: Safe to send again after a pause (reads always; writes only when Twilio did not process them).
    retryable = False
    #: A write may have reached Twilio even though we got no answer.
    outcome_unknown = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        status: int | None = None,
        more_info: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.more_info = more_info

    def summary(self) -> str:
        """One line for a status bar or a notification."""
        parts = [f"Twilio {self.code}" if self.code else None, f"HTTP {self.status}" if self.status else None]
        prefix = " / ".join(p for p in parts if p)
        return f"{prefix}: {self.message}" if prefix else self.message


class AuthError(GatewayError):
    """401/403 (20003): the credentials were refused. Retrying will not help."""

    kind = "auth"


class NotFound(GatewayError):
    """404 (20404)."""

    kind = "not-found"


class RateLimited(GatewayError):
    """429 (20429): Twilio did not process the request; safe to retry after a pause."""

    kind = "rate-limited"
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class CallNotLive(GatewayError):
    """21220: the call is no longer in progress, so it cannot be redirected or ended."""

    kind = "not-live"


class InvalidRequest(GatewayError):
    """Any other 4xx: Twilio refused the parameters."""

    kind = "invalid"


class ServerError(GatewayError):
    """5xx. A write may or may not have been processed."""

    kind = "server"
    retryable = True


class RequestTimeout(GatewayError):
    """No answer in time. A write may have reached Twilio."""

    kind = "timeout"
    retryable = True
    outcome_unknown = True


class ConnectionFailed(GatewayError):
    """The API could not be reached at all (refused, DNS, reset before a response)."""

    kind = "connection"
    retryable = True


class MalformedResponse(GatewayError):
    """The API answered with something that is not the Calls API's shape."""

    kind = "malformed"
    retryable = True


class ReadOnlyViolation(GatewayError):
    """A write was attempted in read-only mode; nothing was sent."""

    kind = "read-only"
