"""Typed errors for both APIs, built from what the servers answer.

Messages carry status, title and detail as the server sent them and never a request header,
so a credential cannot leak through an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import ReconcileError


@dataclass(frozen=True)
class InvalidParameter:
    field: str
    reason: str
    rule: str | None = None
    source: str | None = None


class ClientError(ReconcileError):
    """Base class of every error raised by reconcile's API clients."""


class TransportFailure(ClientError):
    """The server could not be reached, or the connection broke before an answer arrived."""

    def __init__(self, method: str, route: str, cause: str, *, request_sent: bool) -> None:
        self.method = method
        self.route = route
        self.request_sent = request_sent
        super().__init__(f"{method} {route}: {cause}")


class AmbiguousWrite(TransportFailure):
    """A write was sent but no answer came back: it may or may not have happened."""


class UnexpectedAnswer(ClientError):
    """The server answered, but not with a success its route documents: a redirect, another
    status, or a body that is not what the route returns. A write answered so is not done."""

    def __init__(self, method: str, route: str, status: int, problem: str) -> None:
        self.method = method
        self.route = route
        self.status = status
        super().__init__(f"{method} {route}: {status} {problem}")


@dataclass
class ApiError(ClientError):
    """The server answered with an error status."""

    status: int
    method: str
    route: str
    title: str = ""
    detail: str = ""
    code: str | None = None
    invalid_parameters: list[InvalidParameter] = field(default_factory=list)
    retry_after: float | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.method} {self.route}: {self.status} {self.title}".rstrip()
        if self.detail:
            text += f": {self.detail}"
        if self.code:
            text += f" [{self.code}]"
        for parameter in self.invalid_parameters:
            text += f"\n  - {parameter.field}: {parameter.reason}"
        return text


class BadRequest(ApiError):
    pass


class Unauthorized(ApiError):
    pass


class Forbidden(ApiError):
    pass


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    pass


class Gone(ApiError):
    pass


class RateLimited(ApiError):
    pass


class ServerError(ApiError):
    pass


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: Gone,
    429: RateLimited,
}


def konnect_error(
    status: int, method: str, route: str, body: Any, retry_after: float | None
) -> ApiError:
    """Build the error from either Konnect shape: AIP problem+json or the legacy billing one."""
    problem = body if isinstance(body, dict) else {}
    extensions = problem.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    parameters = [
        InvalidParameter(
            field=str(item.get("field", "")),
            reason=str(item.get("reason", "")),
            rule=item.get("rule"),
            source=item.get("source"),
        )
        for item in problem.get("invalid_parameters") or []
        if isinstance(item, dict)
    ]
    error_type = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    return error_type(
        status=status,
        method=method,
        route=route,
        title=str(problem.get("title", "")),
        detail=str(problem.get("detail", "")),
        code=code if isinstance(code, str) else None,
        invalid_parameters=parameters,
        retry_after=retry_after,
    )
