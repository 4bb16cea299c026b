from __future__ import annotations

import httpx

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
