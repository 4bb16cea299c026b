from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.core.actions import Action, ActionType, Address, FieldChange
from reconciler.core.fingerprint import digest_files, digest_value
from reconciler.core.plan import Plan
from reconciler.engine.planning.diff import diff_fields
from reconciler.engine.planning.planfile import (
    Planfile,
    PlanfileError,
    read_planfile,
    write_planfile,
)

SECRET = "sk_test_" + "Zx9" * 10


def test_round_trip_keeps_the_plan(tmp_path: Path) -> None:
    plan = Plan(
        actions=(
            Action(
                address=Address(type="tax_code", name="saas"),
                type=ActionType.UPDATE,
                changes=(FieldChange(path="name", before="A", after="B"),),
            ),
        ),
        manifest_digest="sha256:abc",
        live_fingerprint="sha256:def",
    )
    path = tmp_path / "plan.out"
    write_planfile(path, Planfile(target="sandbox", manifest_dir="examples", plan=plan))
    assert read_planfile(path).plan == plan


def test_a_changed_secret_leaves_no_trace_in_the_planfile(tmp_path: Path) -> None:
    changes = diff_fields({"api_key": None}, {"api_key": SECRET}, sensitive=frozenset({"api_key"}))
    plan = Plan(
        actions=(
            Action(
                address=Address(type="stripe_app", name="s"),
                type=ActionType.UPDATE,
                changes=changes,
            ),
        )
    )
    path = tmp_path / "plan.out"
    write_planfile(path, Planfile(target="sandbox", manifest_dir=".", plan=plan))
    text = path.read_text()
    assert SECRET not in text and "Zx9Zx9" not in text
    assert '"sensitive": true' in text


def test_unreadable_foreign_and_future_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanfileError, match="cannot read"):
        read_planfile(tmp_path / "missing")
    (tmp_path / "junk").write_text("{}")
    with pytest.raises(PlanfileError, match="not a reconcile planfile"):
        read_planfile(tmp_path / "junk")
    future = Planfile(target="t", manifest_dir=".", plan=Plan()).model_copy(
        update={"format_version": 99}
    )
    (tmp_path / "future").write_text(future.model_dump_json())
    with pytest.raises(PlanfileError, match="format 99 is not supported"):
        read_planfile(tmp_path / "future")


def test_digests_ignore_key_order_but_not_content_or_names(tmp_path: Path) -> None:
    assert digest_value({"a": 1, "b": [1, 2]}) == digest_value({"b": [1, 2], "a": 1})
    assert digest_value({"a": 1}) != digest_value({"a": 2})
    (tmp_path / "a.yaml").write_text("x: 1\n")
    (tmp_path / "b.yaml").write_text("y: 2\n")
    first = digest_files(tmp_path, [tmp_path / "b.yaml", tmp_path / "a.yaml"])
    assert first == digest_files(tmp_path, [tmp_path / "a.yaml", tmp_path / "b.yaml"])
    (tmp_path / "b.yaml").write_text("y: 3\n")
    assert digest_files(tmp_path, [tmp_path / "a.yaml", tmp_path / "b.yaml"]) != first


def saved_plan(tmp_path: Path) -> Path:
    plan = Plan(
        actions=(
            Action(
                address=Address(type="billing_profile", name="main"),
                type=ActionType.UPDATE,
                changes=(FieldChange(path="name", before="A", after="B"),),
            ),
        ),
        stripe_checks=False,
    )
    path = tmp_path / "plan.out"
    write_planfile(path, Planfile(target="sandbox", manifest_dir="m", plan=plan))
    return path


def test_a_planfile_records_whether_the_stripe_checks_were_skipped(tmp_path: Path) -> None:
    assert read_planfile(saved_plan(tmp_path)).plan.stripe_checks is False


def test_a_planfile_reformatted_without_changing_its_content_still_reads(tmp_path: Path) -> None:
    path = saved_plan(tmp_path)
    original = read_planfile(path)
    path.write_text(json.dumps(json.loads(path.read_text()), sort_keys=True))
    assert read_planfile(path) == original


@pytest.mark.parametrize(
    "edit",
    [
        lambda body: body["plan"]["actions"][0].update(type="delete"),
        lambda body: body["plan"]["actions"][0]["changes"][0].update(before="C"),
        lambda body: body["plan"].update(stripe_checks=True),
        lambda body: body["plan"].update(unknown_key=1),
        lambda body: body.update(target="production"),
        lambda body: body.update(manifest_dir="elsewhere"),
        lambda body: body.pop("digest"),
        lambda body: body.update(digest="sha256:" + "0" * 64),
    ],
    ids=[
        "type",
        "before",
        "stripe-checks",
        "unknown-key",
        "target",
        "manifest-dir",
        "no-digest",
        "other-digest",
    ],
)
def test_an_edited_planfile_is_named_as_such(tmp_path: Path, edit: Any) -> None:
    path = saved_plan(tmp_path)
    body = json.loads(path.read_text())
    edit(body)
    path.write_text(json.dumps(body, indent=2))
    with pytest.raises(PlanfileError, match="the planfile was edited or damaged since"):
        read_planfile(path)


def test_a_format_1_planfile_is_refused_with_the_way_out(tmp_path: Path) -> None:
    """Format 1 had no digest and did not record skipped Stripe checks."""
    old = Planfile(target="sandbox", manifest_dir=".", plan=Plan()).model_dump(mode="json")
    old["format_version"] = 1
    path = tmp_path / "plan.out"
    path.write_text(json.dumps(old))
    with pytest.raises(PlanfileError) as refused:
        read_planfile(path)
    assert str(refused.value) == (
        f"{path}: planfile format 1 is not supported (this reconcile writes format 3); "
        "run `reconcile plan -out` again with this version"
    )


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[1, 2]", b'"plan"', b"[" * 100_000, b'{"format_version": true}', b"\xff"],
)
def test_what_is_no_planfile_at_all_is_refused_as_such(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.out"
    path.write_bytes(content)
    with pytest.raises(PlanfileError, match="not a reconcile planfile"):
        read_planfile(path)
