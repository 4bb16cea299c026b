from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.engine.actions import Action, ActionType, Address, FieldChange
from reconciler.engine.diff import diff_fields
from reconciler.engine.fingerprint import digest_files, digest_value
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import Planfile, PlanfileError, read_planfile, write_planfile

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


def test_a_planfile_saved_before_scope_refresh_and_secrets_were_recorded_still_reads(
    tmp_path: Path,
) -> None:
    saved = Planfile(target="sandbox", manifest_dir=".", plan=Plan()).model_dump(mode="json")
    del saved["secrets"]
    for key in ("only", "refresh"):
        del saved["plan"][key]
    path = tmp_path / "plan.out"
    path.write_text(json.dumps(saved))
    planfile = read_planfile(path)
    assert (planfile.plan.only, planfile.plan.refresh, planfile.secrets) == ((), True, ())
