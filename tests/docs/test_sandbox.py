"""The sandbox page lists every admin route the sandbox serves, and only those."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.routing import Mount, Route

from reconciler.sandbox import SandboxConfig, create_app
from tests.docs.pages import between, page


def admin_routes(routes: list[Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for route in routes:
        if isinstance(route, Mount) and (prefix + route.path).startswith("/_sandbox"):
            found |= admin_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route) and prefix.startswith("/_sandbox"):
            methods = sorted((route.methods or set()) - {"HEAD"})
            found |= {f"{method} {prefix}{route.path}" for method in methods}
    return found


def test_every_admin_route_is_documented_and_every_documented_one_exists() -> None:
    served = admin_routes(create_app(SandboxConfig(db_path=Path(":memory:"))).routes)
    table = between(
        page("docs/sandbox.md"), "<!-- admin-routes:start -->", "<!-- admin-routes:end -->"
    )
    documented = set(re.findall(r"`((?:GET|POST|PUT|PATCH|DELETE) /_sandbox[^`]*)`", table))
    assert documented == served
