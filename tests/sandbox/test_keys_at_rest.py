"""Stripe keys given to the sandbox are kept as digests: no byte of the database holds one.

Worlds written by older sandboxes held each Stripe app's key in clear (`_api_key`); opening
one replaces those keys with digests and rewrites the file so that no free page keeps them.
"""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from reconciler.sandbox import SandboxConfig, create_app
from reconciler.sandbox.konnect_api.collection_names import APPS
from reconciler.sandbox.store import Store
from reconciler.sandbox.stripe_api import world
from tests.conftest import SANDBOX_STRIPE_KEY
from tests.e2e.worlds import World

ROTATED_KEY = "sk_test_" + "atrest" + "R" * 20
LEGACY_KEY = "sk_test_" + "legacy" + "L" * 20


def database_bytes(db_path: Path) -> bytes:
    """The database file with its write-ahead log and shared memory, as a disk would hold them."""
    files = sorted(db_path.parent.glob(db_path.name + "*"))
    assert db_path in files
    return b"".join(path.read_bytes() for path in files)


def test_install_and_rotation_store_no_key(tmp_path: Path) -> None:
    config = SandboxConfig(db_path=tmp_path / "sandbox.db")
    with TestClient(create_app(config), base_url="http://sandbox.test") as client:
        sandbox = World(client)
        sandbox.admin("POST", "/stripe/keys", {"key": ROTATED_KEY})
        app = sandbox.stripe_app()
        sandbox.konnect(
            "PUT", f"/apps/{app['id']}", {**_update(app), "secret_api_key": ROTATED_KEY}
        )
        stored = sandbox.admin("GET", f"/collections/{APPS}/{app['id']}")
        on_disk = database_bytes(config.db_path)

    assert SANDBOX_STRIPE_KEY.encode() not in on_disk and ROTATED_KEY.encode() not in on_disk
    assert stored["_key_digest"] == world.key_digest(ROTATED_KEY)
    assert stored["masked_api_key"] == world.masked_key(ROTATED_KEY)
    assert not {field for field in stored if field.endswith("api_key")} - {"masked_api_key"}


def test_an_older_world_has_its_clear_keys_replaced_by_digests(tmp_path: Path) -> None:
    config = SandboxConfig(db_path=tmp_path / "sandbox.db")
    with TestClient(create_app(config), base_url="http://sandbox.test") as client:
        sandbox = World(client)
        sandbox.admin("POST", "/stripe/keys", {"key": LEGACY_KEY})
        known = sandbox.stripe_app(name="Known")
        forgotten = sandbox.stripe_app(name="Forgotten", api_key=LEGACY_KEY)
    _as_an_older_sandbox_stored_them(config.db_path, {known["id"]: SANDBOX_STRIPE_KEY})
    _as_an_older_sandbox_stored_them(config.db_path, {forgotten["id"]: LEGACY_KEY})
    _forget_key(config.db_path, LEGACY_KEY)
    assert LEGACY_KEY.encode() in database_bytes(config.db_path)

    with TestClient(create_app(config), base_url="http://sandbox.test") as client:
        sandbox = World(client)
        # Read while the sandbox runs: its log has not been folded into the file by a close.
        on_disk = database_bytes(config.db_path)
        apps = {app["name"]: app for app in sandbox.konnect("GET", "/apps")["data"]}
        account = sandbox.in_account(LEGACY_KEY).stripe("GET", "/account")

    assert LEGACY_KEY.encode() not in on_disk and SANDBOX_STRIPE_KEY.encode() not in on_disk
    assert apps["Known"]["status"] == apps["Forgotten"]["status"] == "ready"
    assert apps["Forgotten"]["masked_api_key"] == world.masked_key(LEGACY_KEY)
    # The key opened that app's account when it was installed; it still does.
    assert account["id"] == forgotten["account_id"]


def test_an_older_worlds_revoked_key_stays_revoked(tmp_path: Path) -> None:
    config = SandboxConfig(db_path=tmp_path / "sandbox.db")
    with TestClient(create_app(config), base_url="http://sandbox.test") as client:
        sandbox = World(client)
        app = sandbox.stripe_app()
        sandbox.admin("POST", "/stripe/keys/revoke", {"key": SANDBOX_STRIPE_KEY})
    _as_an_older_sandbox_stored_them(config.db_path, {app["id"]: SANDBOX_STRIPE_KEY})

    with TestClient(create_app(config), base_url="http://sandbox.test") as client:
        [shown] = World(client).konnect("GET", "/apps")["data"]

    assert shown["status"] == "unauthorized"


def _update(app: dict[str, object]) -> dict[str, object]:
    return {"type": "stripe", "name": app["name"]}


def _as_an_older_sandbox_stored_them(db_path: Path, keys: dict[str, str]) -> None:
    """Each app as sandboxes stored it before keys were digested: the key itself, no digest."""
    store = Store(db_path)
    try:
        for app_id, key in keys.items():
            app = store.get(APPS, app_id)
            assert app is not None
            app.pop("_key_digest")
            store.put(APPS, app_id, {**app, "_api_key": key})
    finally:
        store.close()


def _forget_key(db_path: Path, key: str) -> None:
    """A key older sandboxes took without registering it (they opened any well-formed key)."""
    store = Store(db_path)
    try:
        assert store.delete(world.API_KEYS, world.key_digest(key))
    finally:
        store.close()
