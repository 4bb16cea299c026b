"""Typed errors for both APIs, built from what the servers answer.

Messages carry status, title and detail as the server sent them and never a request header,
so a credential cannot leak through an exception.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
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


DNS = "the host name does not resolve (DNS)"
REFUSED = "connection refused"
TLS = "TLS handshake failed"
UNTRUSTED = "TLS certificate not trusted"
TIMEOUT = "timed out"
# Causes no retry can cure: a name that does not resolve, a certificate that is not trusted.
PERMANENT_CAUSES = frozenset({DNS, TLS, UNTRUSTED})
# Recognised in an error's text when its chain lost the original exception.
_CAUSE_WORDS = (
    (DNS, ("name or service not known", "name resolution", "nodename nor servname", "getaddrinfo")),
    (REFUSED, ("connection refused",)),
    (UNTRUSTED, ("certificate verify failed",)),
    (TLS, ("ssl", "certificate", "tls")),
    (TIMEOUT, ("timed out", "timeout")),
)


class Unreachable(TransportFailure):
    """No connection could be made: the request never left, and the message says why and
    what to check, e.g. `cannot reach us.api.konghq.com: connection refused (is
    KONNECT_BASE_URL right? a proxy?)`."""

    def __init__(
        self, method: str, route: str, host: str, cause: str, hint: str, detail: str | None = None
    ) -> None:
        super().__init__(method, route, cause, request_sent=False)
        self.host = host
        self.cause = cause
        said = f"{cause}: {detail}" if detail else cause
        self.args = (f"cannot reach {host}: {said} ({hint})",)

    def __str__(self) -> str:
        return str(self.args[0])


def connection_cause(failure: BaseException) -> str | None:
    """Why a connection failed, in words a user can act on: DNS, refused, TLS or a timeout;
    None when the failure says nothing of these."""
    for link in _chain(failure):
        if isinstance(link, socket.gaierror):
            return DNS
        if isinstance(link, ConnectionRefusedError):
            return REFUSED
        if isinstance(link, ssl.SSLCertVerificationError):
            return UNTRUSTED
        if isinstance(link, ssl.SSLError):
            return TLS
        if isinstance(link, TimeoutError) or "Timeout" in type(link).__name__:
            return TIMEOUT
    text = " ".join(str(link).lower() for link in _chain(failure))
    return next((cause for cause, words in _CAUSE_WORDS if any(w in text for w in words)), None)


def certificate_problem(failure: BaseException) -> str | None:
    """What is wrong with the server's certificate, as the TLS library says it
    ("self-signed certificate", "certificate has expired"); None when nothing is known."""
    for link in _chain(failure):
        if isinstance(link, ssl.SSLCertVerificationError) and link.verify_message:
            return str(link.verify_message)
    return None


def _chain(failure: BaseException) -> Iterator[BaseException]:
    """The failure and what it was raised from or while handling, as far as it goes."""
    seen: set[int] = set()
    link: BaseException | None = failure
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


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
