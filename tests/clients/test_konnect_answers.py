"""A Konnect answer counts only as the API documents it: redirects, other 2xx statuses and
bodies of the wrong shape are one-line errors, answered here at the HTTP seam."""

from __future__ import annotations

import httpx
import pytest

from reconciler.clients.errors import ApiError, NotFound, ServerError, UnexpectedAnswer
from reconciler.clients.konnect import KonnectClient
from reconciler.clients.retry import RetryPolicy

TOKEN = "kpat_" + "x" * 20
BILLING = "/openmeter/customers/{customerId}/billing"
PATH = {"customerId": "01J0000000000000000000000A"}
PROFILES = "/openmeter/profiles"
HTML = {"content-type": "text/html; charset=utf-8"}
JSON = {"content-type": "application/json"}


def client_answering(*answers: httpx.Response) -> tuple[KonnectClient, list[httpx.Request]]:
    pending = list(answers)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return pending.pop(0)

    client = KonnectClient(
        "https://us.api.konghq.com/v3",
        TOKEN,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=2, base_delay=0.01),
        sleep=lambda _: None,
    )
    return client, sent


def failure_of(answer: httpx.Response, method: str = "PUT") -> str:
    client, sent = client_answering(answer)
    with pytest.raises(UnexpectedAnswer) as raised:
        client.request(method, BILLING, path=PATH, json={} if method != "GET" else None)
    assert len(sent) == 1  # never resent, never followed
    assert TOKEN not in str(raised.value)
    return str(raised.value)


@pytest.mark.parametrize(
    ("location", "where"),
    [
        ("https://other.example/v3/openmeter/customers/x/billing", "to other.example"),
        ("https://user:secret@Other.Example:8443/x?token=abc", "to other.example"),
        ("/v3/elsewhere", "to us.api.konghq.com"),
        ("http://[oops/", "to an unreadable location"),
        (None, "without a Location"),
    ],
)
def test_a_redirect_is_an_error_naming_its_host_and_is_not_followed(
    location: str | None, where: str
) -> None:
    headers = {"location": location} if location is not None else {}
    said = failure_of(httpx.Response(307, headers=headers))
    assert said == f"PUT {BILLING}: 307 redirect {where} (redirects are not followed)"


@pytest.mark.parametrize(
    ("answer", "came"),
    [
        (httpx.Response(200), "an empty body"),
        (httpx.Response(204), "an empty body"),
        (
            httpx.Response(200, headers=HTML, content=b"<html>\n<p>Sign in</p>"),
            "a body of type text/html",
        ),
        (httpx.Response(200, content=b'{"id": "x"}'), "a body without a content type"),
        (
            httpx.Response(200, headers=JSON, content=b'{"billing_profile": {"id'),
            "a body that is not valid JSON",
        ),
        (httpx.Response(200, headers=JSON, content=b"[]"), "a JSON array"),
        (httpx.Response(200, headers=JSON, content=b"null"), "JSON null"),
        (httpx.Response(200, headers=JSON, content=b'"ok"'), "a JSON string"),
    ],
)
def test_a_success_without_the_object_a_write_returns_is_an_error_saying_what_was_expected(
    answer: httpx.Response, came: str
) -> None:
    status = answer.status_code
    said = failure_of(answer)
    assert said == f"PUT {BILLING}: {status} with {came}; expected a JSON object"


def test_a_success_status_the_api_does_not_document_is_not_a_success() -> None:
    said = failure_of(httpx.Response(202, json={"id": "x"}))
    assert said == f"PUT {BILLING}: 202 is not a documented success (expected 200, 201, 204)"


def test_reads_are_held_to_the_same_rule() -> None:
    said = failure_of(httpx.Response(302, headers={"location": "https://login.example/"}), "GET")
    assert said == f"GET {BILLING}: 302 redirect to login.example (redirects are not followed)"


def test_a_create_must_answer_the_id_of_what_it_created() -> None:
    client, _ = client_answering(httpx.Response(201, json={"name": "Main"}))
    with pytest.raises(UnexpectedAnswer, match=r"; expected a JSON object with an `id`$"):
        client.post(PROFILES, {"name": "Main"})


def test_a_delete_may_answer_nothing_but_not_a_page_of_html() -> None:
    client, _ = client_answering(
        httpx.Response(204), httpx.Response(200, headers=HTML, content=b"<html/>")
    )
    assert client.delete("/openmeter/profiles/{profileId}", path={"profileId": "p"}) is None
    with pytest.raises(UnexpectedAnswer, match="with a body of type text/html"):
        client.delete("/openmeter/profiles/{profileId}", path={"profileId": "p"})


@pytest.mark.parametrize(
    "page",
    [
        {"data": [{"id": "a"}]},
        {"data": {"id": "a"}, "meta": {"page": {"total": 1}}},
        {"data": [{"name": "no id"}], "meta": {"page": {"total": 1}}},
        {"data": [], "meta": {"page": {"total": "many"}}},
    ],
)
def test_a_page_of_another_shape_is_an_error_not_an_empty_list(page: object) -> None:
    client, _ = client_answering(httpx.Response(200, json=page))
    with pytest.raises(UnexpectedAnswer) as raised:
        client.list_all(PROFILES)
    expected = "a page object with `data` (objects with an `id`) and `meta.page.total`"
    assert str(raised.value) == (
        f"GET {PROFILES}: 200 with a JSON object of another shape; expected {expected}"
    )


def test_an_error_page_in_front_of_the_api_is_one_line_and_not_the_apis_own_404() -> None:
    page = b"<html>\n<body>Not Found</body>\n</html>"
    client, _ = client_answering(httpx.Response(404, headers=HTML, content=page))
    with pytest.raises(ApiError) as raised:
        client.get(BILLING, path=PATH)
    # A 404 the API never sent must not read as "this customer is gone".
    assert not isinstance(raised.value, NotFound)
    assert str(raised.value) == (
        f"GET {BILLING}: 404 Not Found: answered with a body of type text/html, "
        "not a problem document"
    )


def test_a_gateway_error_page_stays_a_server_error_that_reads_retry() -> None:
    gateway = httpx.Response(502, headers=HTML, content=b"<html>Bad gateway</html>")
    client, sent = client_answering(gateway, httpx.Response(200, json={"id": "x"}))
    assert client.get(BILLING, path=PATH) == {"id": "x"}
    assert len(sent) == 2
    client, _ = client_answering(httpx.Response(502, content=b""), httpx.Response(502))
    with pytest.raises(ServerError, match=r": 502 Bad Gateway: answered with an empty body"):
        client.get(BILLING, path=PATH)
