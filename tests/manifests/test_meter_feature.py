"""Meter and Feature rules."""

from __future__ import annotations

import pytest

from reconciler.manifests import Feature, Meter
from tests.manifests.conftest import Validate, at, column_of, only

METER = """\
apiVersion: reconcile.konghq.dev/v1
kind: Meter
metadata: {{name: tokens}}
spec: {spec}
"""
FEATURE = """\
apiVersion: reconcile.konghq.dev/v1
kind: Feature
metadata: {{name: tokens}}
spec: {spec}
"""
SUM = "{key: tokens, event_type: prompt, aggregation: sum"


def test_a_meter_and_the_feature_it_meters(validate: Validate) -> None:
    meter = METER.format(spec=SUM + ", value_property: $.tokens, dimensions: {model: $.model}}")
    feature = FEATURE.format(spec="{key: tokens, meter: tokens}")
    report = validate(meter + "---\n" + feature)
    assert report.manifests is not None
    declared = report.manifests.get(Meter, "tokens")
    assert declared is not None and declared.spec.dimensions == {"model": "$.model"}
    sold = report.manifests.get(Feature, "tokens")
    assert sold is not None and sold.spec.meter == "tokens"


@pytest.mark.parametrize(
    ("spec", "marker", "code"),
    [
        (SUM + "}", "{", "value-property"),
        (SUM + ", value_property: tokens}", "tokens}", "bad-format"),
        (
            "{key: calls, event_type: request, aggregation: count, value_property: $.n}",
            "$.n",
            "value-property",
        ),
        (SUM + ", value_property: $.t, dimensions: {bad-name: $.x}}", "bad-name", "bad-format"),
        ("{key: calls, event_type: request, aggregation: total}", "total", "bad-value"),
    ],
)
def test_meter_rules(validate: Validate, spec: str, marker: str, code: str) -> None:
    diagnostic = only(validate(METER.format(spec=spec)))
    column = 1 if marker == "{" else column_of(f"spec: {spec}", marker)  # 1: the spec itself
    assert at(diagnostic) == ("m.yaml", 4, column, code)


def test_a_feature_names_a_declared_meter(validate: Validate) -> None:
    diagnostic = only(validate(FEATURE.format(spec="{key: tokens, meter: tokenz}")))
    assert at(diagnostic) == (
        "m.yaml",
        4,
        column_of("spec: {key: tokens, meter: tokenz}", "tokenz"),
        "dangling-reference",
    )
