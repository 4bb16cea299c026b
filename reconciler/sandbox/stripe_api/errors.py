"""Stripe's error body `{"error": {type, code, param, message}}` and the statuses that carry it."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

INVALID_REQUEST = "invalid_request_error"
IDEMPOTENCY = "idempotency_error"
API_ERROR = "api_error"


class StripeError(Exception):
    """A rule of the emulated Stripe API was broken; rendered as Stripe renders it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = INVALID_REQUEST,
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = "https://stripe.com/docs/error-codes/" + self.code.replace("_", "-")
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status)


def resource_missing(kind: str, object_id: str, param: str = "id") -> StripeError:
    return StripeError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def invalid_param(param: str, message: str, code: str = "parameter_invalid") -> StripeError:
    return StripeError(400, message, code=code, param=param)


def missing_param(param: str) -> StripeError:
    return StripeError(
        400, f"Missing required param: {param}.", code="parameter_missing", param=param
    )


def unknown_param(param: str) -> StripeError:
    return StripeError(
        400, f"Received unknown parameter: {param}", code="parameter_unknown", param=param
    )


def invalid_key() -> StripeError:
    # The real message echoes a masked key; echoing none keeps secrets out of bodies and logs.
    return StripeError(401, "Invalid API Key provided.", code="api_key_invalid")


def rate_limited() -> StripeError:
    """Stripe's 429: an `invalid_request_error` with code `rate_limit` (for fault injection)."""
    return StripeError(
        429,
        "Too many requests hit the API too quickly. We recommend an exponential backoff of "
        "your requests.",
        code="rate_limit",
    )


def server_error(status: int = 500) -> StripeError:
    """A Stripe-side failure (`api_error`), for fault injection."""
    return StripeError(status, "An unknown error occurred on Stripe's side.", type=API_ERROR)
