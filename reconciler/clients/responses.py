"""Responses let go of once read.

httpx binds each response's stream back to the response (to time it when closed): a reference
cycle, which outlives the call until a garbage collection finds it, with the body and some
forty objects; thousands of them in a bulk read, and the collections they set off walk every
other object too. Once the body is read, the stream is of no more use and is let go of, so
that the response is freed as soon as its caller drops it. The body stays in `content`.
"""

from __future__ import annotations

import httpx

# What a read response's stream becomes: nothing is ever read from it again.
_READ = httpx.ByteStream(b"")


def let_go_of_stream(response: httpx.Response) -> None:
    """After the body is read (`content`), break the response's cycle with its stream."""
    response.stream = _READ


def read_and_let_go(response: httpx.Response) -> None:
    """A response hook for a client whose responses are all read whole: the body is read
    here, as the client would right after, so that its stream may be let go of."""
    response.read()
    let_go_of_stream(response)
