from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.sandbox.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "world.db")


def test_put_get_and_replace_keeps_order(store: Store) -> None:
    store.put("customers", "a", {"name": "b-name"})
    store.put("customers", "b", {"name": "a-name"})
    store.put("customers", "a", {"name": "c-name"})
    assert store.get("customers", "a") == {"name": "c-name"}
    assert [d["name"] for d in store.find("customers")] == ["c-name", "a-name"]
    assert [d["name"] for d in store.find("customers", order_by="name")] == ["a-name", "c-name"]


def test_find_filters_by_dotted_fields_and_missing(store: Store) -> None:
    store.put("c", "1", {"key": "x", "meta": {"deleted": True}})
    store.put("c", "2", {"key": "y"})
    assert store.find("c", {"meta.deleted": True}) == [{"key": "x", "meta": {"deleted": True}}]
    assert store.find("c", {"meta.deleted": None}) == [{"key": "y"}]
    assert store.count("c", {"key": "y"}) == 1


def test_cursor_paging_by_seq(store: Store) -> None:
    for n in range(5):
        store.put("c", str(n), {"n": n})
    cursor = store.seq_of("c", "2")
    assert [d["n"] for d in store.find("c", seq_above=cursor, limit=2)] == [3, 4]
    assert [d["n"] for d in store.find("c", seq_below=cursor, descending=True)] == [1, 0]


def test_transaction_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.put("c", "1", {})
        raise RuntimeError("boom")
    assert store.get("c", "1") is None


def test_two_stores_on_one_file_share_a_world(tmp_path: Path) -> None:
    first, second = Store(tmp_path / "w.db"), Store(tmp_path / "w.db")
    first.put("c", "1", {"v": 1})
    assert second.get("c", "1") == {"v": 1}
