"""The library surface resolves every name it pins, though it imports each on first use."""

from __future__ import annotations

import pytest

import reconciler
import reconciler.manifests
import reconciler.workflows


@pytest.mark.parametrize("package", [reconciler, reconciler.manifests, reconciler.workflows])
def test_every_name_of_all_resolves(package: object) -> None:
    for name in package.__all__:  # type: ignore[attr-defined]
        assert getattr(package, name) is not None, name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = reconciler.no_such_name  # type: ignore[attr-defined]


def test_every_manifest_kind_is_on_the_surface() -> None:
    # Except the catalog's Plan: at the top level `Plan` is a plan of changes.
    for kind, model in reconciler.manifests.KINDS.items():
        home = reconciler.manifests if kind == "Plan" else reconciler
        assert getattr(home, model.__name__) is model, kind
    assert reconciler.Plan is not reconciler.manifests.Plan
