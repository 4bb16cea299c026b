from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import SandboxConfig, SandboxServer


def test_server_binds_loopback_free_port_and_stops(sandbox_config: SandboxConfig) -> None:
    with SandboxServer(sandbox_config) as server:
        assert server.url.startswith("http://127.0.0.1:")
        response = httpx.get(server.url + "/no-such-route")
        assert response.status_code == 404
    try:
        httpx.get(server.url + "/no-such-route", timeout=1)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("the server still answers after stop()")


def test_a_busy_port_fails_at_construction(sandbox_config: SandboxConfig) -> None:
    with SandboxServer(sandbox_config) as running, pytest.raises(OSError):
        SandboxServer(sandbox_config, port=running.port)


def test_stop_is_idempotent_and_works_before_start(sandbox_config: SandboxConfig) -> None:
    never_started = SandboxServer(sandbox_config)
    never_started.stop()
    never_started.stop()
    server = SandboxServer(sandbox_config).start()
    server.stop()
    server.stop()
    with pytest.raises(RuntimeError):
        server.start()


def test_two_servers_on_one_database_share_the_world(sandbox_config: SandboxConfig) -> None:
    with SandboxServer(sandbox_config) as writer, SandboxServer(sandbox_config) as reader:
        httpx.put(writer.url + "/_sandbox/collections/demo/one", json={"id": "one", "n": 1})
        assert httpx.get(reader.url + "/_sandbox/collections/demo/one").json()["n"] == 1
        httpx.get(reader.url + "/v1/customers")
        assert reader.sandbox.traffic.stats()["total"] == 1
        assert writer.sandbox.traffic.stats()["total"] == 0
