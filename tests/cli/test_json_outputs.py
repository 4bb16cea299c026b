"""Every command's `-o json` document, validated against its schema in `schemas/`, with the
conventions they share: `format_version`, `TYPE.NAME` addresses, one summary vocabulary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reconciler.cli import main
from reconciler.core.version import VERSION
from tests.e2e.worlds import STRIPE_APP, World, manifest, write_manifests
from tests.test_schemas import validator

SAAS = manifest(
    "TaxCode",
    "saas",
    {"key": "saas_general", "name": "SaaS", "stripe_tax_code": "txcd_10103001"},
)


def document(*args: str, exit_codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in exit_codes, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def valid(schema: str, data: dict[str, Any]) -> dict[str, Any]:
    assert [error.message for error in validator(schema).iter_errors(data)] == []
    return data


def test_plan_apply_and_drift_share_addresses_and_the_summary_words(project: Path) -> None:
    write_manifests(project, STRIPE_APP, SAAS)
    plan = valid("plan-output.json", document("plan", str(project), "-o", "json"))
    assert plan["format_version"] == 2
    assert [a["address"] for a in plan["actions"]][:2] == ["stripe_app.stripe", "tax_code.saas"]

    applied = document("apply", str(project), "--auto-approve", "-o", "json")
    valid("apply-report.json", applied)
    assert (applied["format_version"], applied["target"]) == (2, "sandbox")
    assert applied["reconcile_version"] == VERSION
    assert {key: applied["summary"][key] for key in plan["summary"] if key != "blocked"} == {
        "add": 2,
        "change": 0,
        "destroy": 0,
    }
    assert {o["address"]: o["error"] for o in applied["outcomes"]}["tax_code.saas"] is None

    drift = valid("drift-output.json", document("drift", str(project), "-o", "json"))
    assert (drift["format_version"], drift["drifted"], drift["target"]) == (2, False, "sandbox")


def test_drift_items_have_string_addresses_and_null_for_no_fix(project: Path, world: World) -> None:
    world.stripe_app()
    write_manifests(project, STRIPE_APP, SAAS)
    drift = document("drift", str(project), "-o", "json", exit_codes=(2,))
    valid("drift-output.json", drift)
    [item] = drift["items"]
    assert (item["address"], item["class"]) == ("tax_code.saas", "deleted")


def test_export_prints_json_with_o_and_takes_its_directory_as_an_argument(
    project: Path, world: World, tmp_path: Path
) -> None:
    world.stripe_app()
    world.tax_code("saas_general", "SaaS")
    out = tmp_path / "exported"
    exported = valid("export-output.json", document("export", str(project), str(out), "-o", "json"))
    assert (exported["format_version"], exported["target"]) == (1, "sandbox")
    assert {f["kind"] for f in exported["files"]} >= {"StripeApp", "TaxCode"}
    assert all(Path(f["path"]).is_file() for f in exported["files"])
    assert not (project / "json").exists()


def test_adopt_prints_json(project: Path, world: World) -> None:
    live = world.tax_code("saas_general", "SaaS", labels={})
    write_manifests(project, SAAS)
    adopted = valid(
        "adopt-output.json", document("adopt", str(project), "TaxCode/saas", "-o", "json")
    )
    assert adopted == {
        "format_version": 1,
        "adopted": [{"address": "tax_code.saas", "id": live["id"]}],
    }


def test_validate_prints_json_valid_or_not(project: Path) -> None:
    write_manifests(project, SAAS)
    fine = valid("validate-output.json", document("validate", str(project), "-o", "json"))
    assert (fine["format_version"], fine["valid"], fine["errors"]) == (1, True, [])
    assert fine["warnings"] == []
    assert fine["summary"] == {
        "files": 1,
        "documents": 1,
        "errors": 0,
        "warnings": 0,
        "errors_by_code": {},
    }
    (project / "broken.yaml").write_text(
        "apiVersion: reconcile.konghq.dev/v1\nkind: TaxCode\nmetadata: {name: x}\nspec: {}\n"
    )
    broken = document("validate", str(project), "-o", "json", exit_codes=(1,))
    valid("validate-output.json", broken)
    assert broken["valid"] is False
    assert {(e["file"].rsplit("/", 1)[-1], e["kind"], e["name"]) for e in broken["errors"]} == {
        ("broken.yaml", "TaxCode", "x")
    }
    assert broken["summary"]["errors"] == len(broken["errors"]) > 0


def test_plan_tells_o_from_out(project: Path, tmp_path: Path) -> None:
    write_manifests(project, SAAS)
    saved = tmp_path / "plan.out"
    plan = document("plan", str(project), "-o", "json", "-out", str(saved))
    assert plan["format_version"] == 2
    assert json.loads(saved.read_text())["plan"]["actions"][0]["address"] == "tax_code.saas"
