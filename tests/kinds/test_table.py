from __future__ import annotations

from reconciler.kinds import KIND_ADDRESS_TYPES, KIND_TABLE, RESOURCES
from reconciler.manifests.drift_rules import ADDRESS_TYPES
from reconciler.manifests.kinds import KINDS


def test_the_manifest_layers_models_are_the_tables_in_its_order() -> None:
    models = [kind.manifest for kind in KIND_TABLE if kind.manifest is not None]
    assert models == list(KINDS.values())


def test_the_manifest_layers_address_types_are_the_tables_in_its_order() -> None:
    assert tuple(kind.address_type for kind in KIND_TABLE) == ADDRESS_TYPES


def test_address_types_are_unique() -> None:
    types = [resource.address_type for resource in RESOURCES]
    assert len(types) == len(set(types))


def test_every_manifest_kind_has_an_address_type() -> None:
    assert list(KIND_ADDRESS_TYPES) == list(KINDS)
