"""YAML loading: positions of nested nodes, duplicate keys, files and layouts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reconciler.manifests import loader
from reconciler.manifests.diagnostics import Position
from reconciler.manifests.discovery import manifest_files
from reconciler.manifests.loader import load_text
from tests.manifests.conftest import Validate, at, only

NESTED = """\
a:
  b:
    - x
    - {c: 1, d: [p, q]}
e: &anchor
  f: 2
g: *anchor
"""


def test_positions_of_keys_and_values_at_every_depth() -> None:
    document = load_text(Path("n.yaml"), NESTED).documents[0]
    positions = document.positions
    assert positions.keys[("a", "b")] == Position(2, 3)
    assert positions.values[("a", "b", 0)] == Position(3, 7)
    assert positions.keys[("a", "b", 1, "c")] == Position(4, 8)
    assert positions.values[("a", "b", 1, "d", 1)] == Position(4, 21)
    assert positions.keys[("g", "f")] == Position(6, 3)  # the alias shares its anchor's nodes


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    positions = load_text(Path("n.yaml"), NESTED).documents[0].positions
    assert positions.locate(("a", "b", 1, "missing")) == Position(4, 7)
    assert positions.locate(("nothing", "here")) == Position(1, 1)


def test_multi_document_files_keep_each_document() -> None:
    loaded = load_text(Path("m.yaml"), "a: 1\n---\n---\nb: 2\n...\n---\nc: [3]\n")
    assert [doc.data for doc in loaded.documents] == [{"a": 1}, {"b": 2}, {"c": [3]}]
    assert [doc.start.line for doc in loaded.documents] == [1, 4, 7]
    assert loaded.diagnostics == []


def test_syntax_error_is_reported_with_its_position_after_earlier_documents() -> None:
    loaded = load_text(Path("s.yaml"), "a: 1\n---\nb: [1, 2\nc: 3\n")
    assert [doc.data for doc in loaded.documents] == [{"a": 1}]
    (diagnostic,) = loaded.diagnostics
    assert (diagnostic.position.line, diagnostic.code) == (4, "yaml-syntax")


def test_duplicate_keys_point_at_the_second_one(validate: Validate) -> None:
    report = validate(
        """\
        apiVersion: reconcile.konghq.dev/v1
        kind: StripeApp
        metadata:
          name: stripe
        spec:
          api_key: "${env:A}"
          description: one
          description: two
        """,
        base=False,
    )
    diagnostic = only(report)
    assert at(diagnostic) == ("m.yaml", 8, 3, "duplicate-key")
    assert diagnostic.message == "duplicate key 'description' (first at line 7)"
    assert diagnostic.subject == "StripeApp/stripe"


def test_a_self_referencing_alias_does_not_hang() -> None:
    loaded = load_text(Path("r.yaml"), "a: &x [1, *x]\n")
    assert loaded.documents[0].positions.values[("a", 0)] == Position(1, 8)


def test_unsupported_tag_is_a_diagnostic() -> None:
    (diagnostic,) = load_text(Path("t.yaml"), "a: !python/object:os.system x\n").diagnostics
    assert diagnostic.code == "yaml-syntax"


def test_any_layout_yaml_and_yml_hidden_and_project_files_skipped(tmp_path: Path) -> None:
    for relative in [
        "a.yaml",
        "deep/er/b.yml",
        "c.txt",
        ".hidden/d.yaml",
        "reconcile.yaml",
        "skip/e.yaml",
        "skipped.yaml",
    ]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("{}\n")
    found = manifest_files(tmp_path, exclude=["skip/", "skipped.*"]).files
    assert [path.relative_to(tmp_path).as_posix() for path in found] == ["a.yaml", "deep/er/b.yml"]


def test_non_utf8_file_is_a_diagnostic_at_the_first_bad_byte(tmp_path: Path) -> None:
    from reconciler.manifests import validate_directory

    # Columns count characters: the two bytes of 'é' are one column.
    (tmp_path / "bad.yaml").write_bytes(b"a: 1\nb" + "é".encode() + b": \xff\xfe\n")
    diagnostic = only(validate_directory(tmp_path))
    assert at(diagnostic) == ("bad.yaml", 2, 5, "unreadable-file")


def test_a_single_file_can_be_validated(tmp_path: Path) -> None:
    from reconciler.manifests import validate_directory

    file = tmp_path / "one.yaml"
    file.write_text("apiVersion: reconcile.konghq.dev/v1\nkind: Nope\n")
    assert at(only(validate_directory(file))) == ("one.yaml", 2, 7, "unknown-kind")


def test_a_recursive_manifest_is_a_clean_diagnostic(validate: Validate) -> None:
    report = validate(
        """\
        apiVersion: reconcile.konghq.dev/v1
        kind: CustomerBilling
        metadata: {name: loop}
        spec:
          customer: {key: a, subject_keys: &keys [x, *keys]}
          onboarding: checkout
        """
    )
    assert at(only(report)) == ("m.yaml", 5, 36, "wrong-type")


def test_absurd_nesting_is_a_diagnostic_not_a_crash() -> None:
    depth = 5000
    (diagnostic,) = load_text(Path("d.yaml"), "a: " + "[" * depth + "]" * depth).diagnostics
    assert diagnostic.code == "yaml-syntax"
    # Our limit (Python's recursion) or libyaml's, whichever parser reads the file.
    assert diagnostic.message in ("YAML: nested too deeply", "YAML: exceeded maximum nesting depth")


def test_a_missing_root_is_a_diagnostic_not_an_empty_valid_set(tmp_path: Path) -> None:
    from reconciler.manifests import validate_directory

    report = validate_directory(tmp_path / "missing")
    assert not report.valid
    assert at(only(report)) == ("missing", 1, 1, "unreadable-directory")


# Plain documents are read in one pass; aliases, merge keys and tags go through PyYAML's
# constructor after a walk for positions. Both must see the same thing.
ONE_PASS = """\
a: 1
b: [true, null, 2.5, "q\\u202e", '', ~]
c: {d: 2026-01-01, e: !!str 3, 4: four, f: x}
c: again
"""
TWO_PASSES = [
    "base: &b {x: 1}\nother: {<<: *b, y: 2}\n",
    "shared: &s [1, 2]\nagain: *s\n",
    "set: !!set {a, b}\n",
    "pairs: !!omap [{a: 1}, {b: 2}]\n",
]


def _walked(text: str) -> tuple[object, ...]:
    """What loading `text` keeps, as the two passes found it."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    walk = loader._Walk()
    walk.visit(node, ())
    data = loader._Constructor().construct_document(node)
    return data, walk.positions, tuple(walk.scalars), len(walk.duplicates), len(walk.escaped)


@pytest.mark.parametrize("text", [ONE_PASS, *TWO_PASSES])
def test_one_pass_and_two_passes_see_the_same_document(text: str) -> None:
    loaded = load_text(Path("p.yaml"), text)
    (document,) = loaded.documents
    duplicates = sum(d.code == "duplicate-key" for d in loaded.diagnostics)
    escaped = sum(d.code == "control-character" for d in loaded.diagnostics)
    data, positions, scalars, walked_duplicates, walked_escaped = _walked(text)
    assert document.data == data
    assert document.positions == positions
    assert document.scalars == scalars
    assert (duplicates, escaped) == (walked_duplicates, walked_escaped)


def test_a_plain_document_is_read_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object) -> None:
        raise AssertionError("a second pass")

    monkeypatch.setattr(loader._Walk, "visit", refused)
    monkeypatch.setattr(loader._Constructor, "construct_document", refused)
    (document,) = load_text(Path("p.yaml"), ONE_PASS).documents
    assert document.data["c"] == "again"
    # Positions are found again from the text when first asked for, as a diagnostic does.
    monkeypatch.undo()
    assert document.positions.keys[("c",)] == Position(4, 1)
    assert document.positions.values[("b", 3)] == Position(2, 22)


def test_a_value_no_tag_can_hold_is_a_diagnostic_at_the_value() -> None:
    (diagnostic,) = load_text(Path("v.yaml"), "a: 1\nb: !!int nope\n").diagnostics
    assert (diagnostic.position, diagnostic.code) == (Position(2, 4), "yaml-syntax")
    assert diagnostic.message == "YAML: the value cannot be read as !!int"


def test_a_collection_as_a_key_is_a_diagnostic() -> None:
    (diagnostic,) = load_text(Path("k.yaml"), "a: 1\n? [1, 2]\n: complex key\n").diagnostics
    assert (diagnostic.position.line, diagnostic.code) == (2, "yaml-syntax")


# Every implicit type of YAML 1.1 the safe loader knows, near misses, and written tags.
TAGGED = """\
plain: [a, '', "", ~, null, Null, NULL, nul, true, True, yes, No, off, On, y, n, maybe]
numbers: [1, -1, +1, 0x1F, 0o17, 017, 0b101, 1_000, 1:30, 1.5, -.5, .inf, -.Inf, .nan, 1e3, 6.]
dates: [2026-01-01, 2026-1-1, 2026-01-01T10:00:00Z, 2026-01-01 10:00:00.5 +02:00, 2026-13]
odd: [=, <<, -, +, ., 1.2.3, 0x, "1", '1', !!str 1, !!int "2", ! 3]
tagged: !!map {a: !!seq [b], !!str c: d}
<<: {merged: 1}
"""


def _tags(node: yaml.Node | None) -> list[str]:
    assert node is not None
    tags = [node.tag]
    if isinstance(node, yaml.SequenceNode):
        tags += [tag for item in node.value for tag in _tags(item)]
    elif isinstance(node, yaml.MappingNode):
        tags += [tag for pair in node.value for item in pair for tag in _tags(item)]
    return tags


def test_the_manifest_loader_resolves_tags_as_the_safe_loader_does() -> None:
    ours = _tags(yaml.compose(TAGGED, Loader=loader._LOADER))
    assert ours == _tags(yaml.compose(TAGGED, Loader=yaml.SafeLoader))
    # str, null, bool, int, float, timestamp, merge, value, seq and map: each was resolved
    assert len(set(ours)) == 10


MANY = """\
a: 1
b: "${var:B}"
---
---
"${env:KEY}": [x, "${env:KEY}"]
shared: &s [1, 2]
again: *s
---
c: {d: "q", e: 'in ${var:E} text'}
f: [ {g: h}, i ]
"""


def test_positions_and_scalars_read_again_are_those_of_a_walk_over_each_document() -> None:
    loaded = load_text(Path("many.yaml"), MANY + "---\nbroken: [\n")
    assert [document.index for document in loaded.documents] == [0, 2, 3]
    pieces = [piece for piece in MANY.split("---\n") if piece]
    # The last first: a document asked for reads the file up to it, the others come after.
    for document, piece in reversed(list(zip(loaded.documents, pieces, strict=True))):
        node = yaml.compose(piece, Loader=yaml.SafeLoader)
        assert node is not None
        walk = loader._Walk()
        walk.visit(node, ())
        shift = document.start.line - 1
        scalars = [
            s._replace(position=Position(s.position.line + shift, s.position.column))
            for s in walk.scalars
        ]
        keys = {loc: Position(p.line + shift, p.column) for loc, p in walk.positions.keys.items()}
        assert document.data == yaml.safe_load(piece)
        assert list(document.scalars) == scalars
        assert document.texts == tuple(scalar.text for scalar in scalars)
        assert document.positions.keys == keys


def test_references_are_the_scalars_holding_a_reference_with_their_place() -> None:
    loaded = load_text(Path("many.yaml"), MANY)
    for document in loaded.documents:
        scalars = document.scalars
        keys = document.positions.keys
        expected = [
            (place, scalar, keys.get(scalar.loc) == scalar.position)
            for place, scalar in enumerate(scalars)
            if "${" in scalar.text
        ]
        assert [tuple(reference) for reference in document.references] == expected
    assert [len(document.references) for document in loaded.documents] == [1, 2, 1]
    assert loaded.documents[1].references[0].is_key


def test_a_deeply_nested_document_keeps_its_positions_from_the_first_reading() -> None:
    depth = loader._DEEPEST_READ_AGAIN + 2
    text = "".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + "  " * depth + "x\n"
    (document,) = load_text(Path("deep.yaml"), text).documents
    assert isinstance(document.detail, loader._Known)
    loc = tuple(f"k{level}" for level in range(depth))
    assert document.positions.values[loc] == Position(depth + 1, 2 * depth + 1)
