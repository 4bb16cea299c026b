from __future__ import annotations

import pytest

from reconciler.core.secrets import MissingSecret, SecretSource, variable_of


def test_reference_resolves_from_the_environment() -> None:
    source = SecretSource(environ={"KEY": "value"})
    assert source.resolve("${env:KEY}") == "value"
    assert source.stood_in == set()


def test_stand_in_is_used_for_an_unset_variable_and_remembered() -> None:
    source = SecretSource(environ={}, stand_ins={"KEY": "stand-in"})
    assert source.resolve("${env:KEY}") == "stand-in"
    assert source.stood_in == {"KEY"}


def test_unset_variable_without_stand_in_names_the_variable_only() -> None:
    with pytest.raises(MissingSecret, match="environment variable KEY is not set"):
        SecretSource(environ={"KEY": ""}).resolve("${env:KEY}")


def test_only_references_are_accepted() -> None:
    assert variable_of("${env:A_1}") == "A_1"
    with pytest.raises(ValueError, match="not a"):
        variable_of("sk_test_literal")
