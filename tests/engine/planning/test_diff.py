from __future__ import annotations

from types import MappingProxyType

from reconciler.engine.planning.diff import diff_fields


def test_equal_documents_have_no_changes() -> None:
    doc = {"name": "a", "workflow": {"invoicing": {"draft_period": "P0D"}}, "labels": {"x": "1"}}
    assert diff_fields(doc, dict(doc)) == ()


def test_nested_changes_additions_and_removals_as_dotted_paths() -> None:
    before = {"name": "a", "workflow": {"collection": {"interval": "PT1H"}}, "old": 1}
    after = {"name": "a", "workflow": {"collection": {"interval": "P1D"}}, "new": 2}
    changes = {c.path: (c.before, c.after) for c in diff_fields(before, after)}
    assert changes == {
        "workflow.collection.interval": ("PT1H", "P1D"),
        "old": (1, None),
        "new": (None, 2),
    }


def test_sensitive_fields_carry_no_values_and_immutable_ones_force_replacement() -> None:
    changes = diff_fields(
        {"api_key": {"fingerprint": "aaa"}, "app": "one"},
        {"api_key": {"fingerprint": "bbb"}, "app": "two"},
        sensitive=frozenset({"api_key"}),
        immutable=frozenset({"app"}),
    )
    by_path = {c.path: c for c in changes}
    secret = by_path["api_key.fingerprint"]
    assert secret.sensitive and secret.before is None and secret.after is None
    assert by_path["app"].forces_replacement and not by_path["app"].sensitive


def test_lists_compare_as_whole_values() -> None:
    changes = diff_fields({"keys": ["a", "b"]}, {"keys": ["b", "a"]})
    assert [(c.path, c.before, c.after) for c in changes] == [("keys", ["a", "b"], ["b", "a"])]


def test_equal_parts_beside_a_change_show_nothing() -> None:
    same = {"collection": {"interval": "P1D"}, "labels": {"x": "1"}}
    changes = diff_fields({**same, "name": "a"}, {**same, "name": "b"})
    assert [(c.path, c.before, c.after) for c in changes] == [("name", "a", "b")]


def test_a_mapping_that_appears_or_goes_shows_field_by_field() -> None:
    changes = diff_fields({"old": {"a": 1}}, {"new": {"b": {"c": 2}}})
    assert [(c.path, c.before, c.after) for c in changes] == [
        ("new.b.c", None, 2),
        ("old.a", 1, None),
    ]


def test_any_mapping_is_walked_not_only_a_dict() -> None:
    before = MappingProxyType({"workflow": MappingProxyType({"interval": "PT1H", "keep": 1})})
    changes = diff_fields(before, {"workflow": {"interval": "P1D", "keep": 1}})
    assert [(c.path, c.before, c.after) for c in changes] == [("workflow.interval", "PT1H", "P1D")]
