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


def test_page_is_finds_window_with_the_total(store: Store) -> None:
    for n in range(7):
        store.put("c", str(n), {"n": n, "name": f"name-{6 - n}"})
    for offset in range(0, 8, 3):
        found, total = store.page("c", order_by="name", offset=offset, limit=3)
        assert found == store.find("c", order_by="name", offset=offset, limit=3)
        assert total == 7
    found, total = store.page("c", {"n": 2}, offset=0, limit=3)
    assert (found, total) == ([{"n": 2, "name": "name-4"}], 1)


def test_page_reads_a_lists_order_once_until_the_world_changes(store: Store) -> None:
    statements: list[str] = []
    for n in range(5):
        store.put("c", str(n), {"n": n})
    store.trace(statements.append)

    def orders_read() -> int:
        return sum(statement.startswith("SELECT seq FROM") for statement in statements)

    for offset in range(5):
        store.page("c", offset=offset, limit=1)
    assert orders_read() == 1
    store.put("c", "5", {"n": 5})
    assert store.page("c", offset=5, limit=1) == ([{"n": 5}], 6)
    assert orders_read() == 2


def test_page_sees_what_another_process_commits(tmp_path: Path) -> None:
    first, second = Store(tmp_path / "w.db"), Store(tmp_path / "w.db")
    first.put("c", "1", {"v": 1})
    assert second.page("c", limit=10) == ([{"v": 1}], 1)
    first.put("c", "2", {"v": 2})
    assert second.page("c", limit=10) == ([{"v": 1}, {"v": 2}], 2)
    first.delete("c", "1")
    assert second.page("c", limit=10) == ([{"v": 2}], 1)


def test_page_forgets_an_order_read_inside_a_rolled_back_transaction(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.put("c", "1", {"v": 1})
        assert store.page("c", limit=10)[1] == 1
        raise RuntimeError("boom")
    assert store.page("c", limit=10) == ([], 0)
