"""The collector is tuned while manifests load, and as it was once they are loaded."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from reconciler.manifests import validate_directory, validation
from reconciler.manifests.gc_tuning import LOADING_THRESHOLD, collector_tuned_for_loading


def test_loading_collects_rarely_and_restores_the_collector_after() -> None:
    before = gc.get_threshold()
    with collector_tuned_for_loading():
        assert gc.get_threshold()[0] == LOADING_THRESHOLD
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_collector_is_restored_when_loading_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collector_tuned_for_loading():
        raise RuntimeError("a failed load")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_validating_a_directory_loads_with_the_collector_tuned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    original = validation.read_file

    def reading(file: Path) -> object:
        seen.append(gc.get_threshold()[0])
        return original(file)

    monkeypatch.setattr(validation, "read_file", reading)
    (tmp_path / "m.yaml").write_text("apiVersion: reconcile.konghq.dev/v1\nkind: Nope\n")
    validate_directory(tmp_path)
    assert seen == [LOADING_THRESHOLD]
    assert gc.get_threshold()[0] != LOADING_THRESHOLD
