"""Documents as the kinds compare them: unset (None) is the same as absent."""

from __future__ import annotations

from types import MappingProxyType

from reconciler.core.live import compact


def test_compact_drops_unset_fields_at_every_depth_and_keeps_other_falsy_values() -> None:
    document = {
        "name": "a",
        "description": None,
        "workflow": {"tax": {"enabled": False, "code": None}, "count": 0, "labels": {}},
        "keys": [None, ""],
    }
    assert compact(document) == {
        "name": "a",
        "workflow": {"tax": {"enabled": False}, "count": 0, "labels": {}},
        "keys": [None, ""],
    }


def test_compact_reads_any_mapping_and_returns_dicts() -> None:
    document = MappingProxyType({"supplier": MappingProxyType({"name": "ACME", "id": None})})
    compacted = compact(document)
    assert compacted == {"supplier": {"name": "ACME"}}
    assert type(compacted["supplier"]) is dict
