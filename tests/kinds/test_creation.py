"""Creating exactly once: a lost answer is followed by a lookup, never by a blind resend."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reconciler.clients.errors import AmbiguousWrite, BadRequest, Conflict, ServerError
from reconciler.core.live import Live
from reconciler.core.observation import CreatedSincePlan
from reconciler.kinds.creation import ATTEMPTS, create_once

ROUTE = "/openmeter/customers"


def live(object_id: str) -> Live:
    return Live(id=object_id, key="acme", owned=True, raw={"id": object_id})


class Server:
    """Answers POSTs from a script of outcomes; 'commit' outcomes store the object."""

    def __init__(self, *outcomes: str) -> None:
        self.outcomes = list(outcomes)
        self.stored: list[str] = []
        self.posts = 0
        self.lookups = 0

    def post(self) -> str:
        self.posts += 1
        outcome = self.outcomes.pop(0)
        if outcome in ("ok", "commit-then-cut"):
            self.stored.append(f"id-{len(self.stored)}")
        if outcome == "ok":
            return self.stored[-1]
        if outcome == "commit-then-cut":
            raise AmbiguousWrite("POST", ROUTE, "RemoteProtocolError", request_sent=True)
        if outcome == "conflict":
            raise Conflict(status=409, method="POST", route=ROUTE)
        if outcome == "bad":
            raise BadRequest(status=400, method="POST", route=ROUTE)
        raise ServerError(status=503, method="POST", route=ROUTE)

    def find(self) -> Live | None:
        self.lookups += 1
        return live(self.stored[0]) if self.stored else None


def run(server: Server) -> Callable[[], str]:
    return lambda: create_once(server.post, server.find)


def test_a_plain_success_posts_once_and_looks_nothing_up() -> None:
    server = Server("ok")
    assert run(server)() == "id-0"
    assert (server.posts, server.lookups) == (1, 0)


def test_a_write_whose_answer_was_cut_is_found_not_repeated() -> None:
    server = Server("commit-then-cut", "ok")
    assert run(server)() == "id-0"
    assert server.stored == ["id-0"]
    assert (server.posts, server.lookups) == (1, 1)


def test_a_5xx_that_wrote_nothing_is_posted_again_after_looking() -> None:
    server = Server("fail", "ok")
    assert run(server)() == "id-0"
    assert (server.posts, server.lookups) == (2, 1)


def test_a_conflict_on_the_first_attempt_is_not_ours_to_take() -> None:
    server = Server("conflict")
    with pytest.raises(Conflict):
        run(server)()


def test_other_errors_are_not_retried() -> None:
    server = Server("bad", "ok")
    with pytest.raises(BadRequest):
        run(server)()
    assert server.posts == 1


def test_it_gives_up_after_a_bounded_number_of_attempts() -> None:
    server = Server(*["fail"] * ATTEMPTS)
    with pytest.raises(ServerError):
        run(server)()
    assert server.posts == ATTEMPTS
    assert server.stored == []


def test_a_conflict_over_an_object_someone_else_created_is_told_as_such() -> None:
    server = Server("conflict")
    server.stored.append("theirs")
    with pytest.raises(CreatedSincePlan):
        run(server)()
    assert (server.posts, server.lookups) == (1, 1)
    assert server.stored == ["theirs"]
