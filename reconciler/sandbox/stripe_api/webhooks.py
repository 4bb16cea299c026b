"""`/v1/webhook_endpoints`: the signing secret is shown once, at creation; 16 per account."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

from reconciler.sandbox.store import Document
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.endpoint import StripeCall, stripe_route
from reconciler.sandbox.stripe_api.errors import invalid_param, missing_param
from reconciler.sandbox.stripe_api.listing import PAGING_PARAMS, list_objects
from reconciler.sandbox.stripe_api.params import boolean, merged_metadata, string, string_list

_EVENT_NAME = re.compile(r"^(\*|[a-z_]+(\.[a-z_]+)+)$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
_CREATE_PARAMS = ("url", "enabled_events", "description", "metadata", "api_version", "connect")
_UPDATE_PARAMS = ("url", "enabled_events", "description", "metadata", "disabled")


def routes() -> list[Route]:
    return [
        stripe_route("/webhook_endpoints", "POST", create, _CREATE_PARAMS),
        stripe_route("/webhook_endpoints", "GET", list_endpoints, PAGING_PARAMS),
        stripe_route("/webhook_endpoints/{endpoint}", "GET", retrieve),
        stripe_route("/webhook_endpoints/{endpoint}", "POST", update, _UPDATE_PARAMS),
        stripe_route("/webhook_endpoints/{endpoint}", "DELETE", delete),
    ]


def create(call: StripeCall) -> Document:
    url = _url(call.params, required=True)
    events = _events(call.params, required=True)
    assert url is not None and events is not None
    fields: dict[str, Any] = {"description": string(call.params, "description") or None}
    if "api_version" in call.params:
        fields["api_version"] = string(call.params, "api_version")
    return world.create_webhook_endpoint(
        call.store,
        call.account_id,
        url=url,
        enabled_events=events,
        metadata=merged_metadata({}, call.params),
        fields=fields,
    )


def list_endpoints(call: StripeCall) -> Document:
    return list_objects(
        call, world.WEBHOOK_ENDPOINTS, {}, url="/v1/webhook_endpoints", kind="webhook endpoint"
    )


def retrieve(call: StripeCall) -> Document:
    endpoint = world.webhook_endpoint(call.store, call.account_id, call.path["endpoint"])
    return world.public(endpoint)


def update(call: StripeCall) -> Document:
    endpoint = world.webhook_endpoint(call.store, call.account_id, call.path["endpoint"])
    url = _url(call.params, required=False)
    if url is not None:
        endpoint["url"] = url
    events = _events(call.params, required=False)
    if events is not None:
        endpoint["enabled_events"] = events
    if "description" in call.params:
        endpoint["description"] = string(call.params, "description") or None
    disabled = boolean(call.params, "disabled")
    if disabled is not None:
        endpoint["status"] = "disabled" if disabled else "enabled"
    endpoint["metadata"] = merged_metadata(endpoint["metadata"], call.params)
    call.store.put(world.WEBHOOK_ENDPOINTS, endpoint["id"], endpoint)
    return world.public(endpoint)


def delete(call: StripeCall) -> Document:
    endpoint = world.webhook_endpoint(call.store, call.account_id, call.path["endpoint"])
    call.store.delete(world.WEBHOOK_ENDPOINTS, endpoint["id"])
    return {"id": endpoint["id"], "object": "webhook_endpoint", "deleted": True}


def _url(params: dict[str, Any], *, required: bool) -> str | None:
    url = string(params, "url", required=required)
    if url is not None and not _URL.match(url):
        raise invalid_param("url", f"Invalid URL: {url}", code="url_invalid")
    return url


def _events(params: dict[str, Any], *, required: bool) -> list[str] | None:
    events = string_list(params, "enabled_events")
    if events is None or not events:
        if required or events is not None:
            raise missing_param("enabled_events")
        return None
    for position, event in enumerate(events):
        if not _EVENT_NAME.match(event):
            raise invalid_param(
                f"enabled_events[{position}]", f"Invalid enabled_events[{position}]: {event}"
            )
    return events
