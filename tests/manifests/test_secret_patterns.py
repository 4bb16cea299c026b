"""redact: registered secret values, whole and by their tails, and key-shaped tokens."""

from __future__ import annotations

from reconciler.manifests.secret_patterns import redact, register_secret

TOKEN = "kpat_" + "Zq7Xw2Lm9Pv4Rt6Yb1Nc8Hd3Jf5Gk0SsQe"


def test_a_registered_secret_is_cut_whole_and_by_every_tail_of_eight_or_more() -> None:
    register_secret(TOKEN)
    text = (
        f"Bearer {TOKEN}; masked ****{TOKEN[-12:]}; tail {TOKEN[-8:]}, "
        f"short tail {TOKEN[-7:]}, head {TOKEN[:12]}"
    )
    assert redact(text) == (
        f"Bearer <redacted>; masked ****<redacted>; tail <redacted>, "
        f"short tail {TOKEN[-7:]}, head {TOKEN[:12]}"
    )


def test_tails_are_found_wherever_they_stand_and_however_often() -> None:
    register_secret(TOKEN)
    glued = f"{TOKEN}{TOKEN}x{TOKEN[-9:]}{TOKEN[-8:]}"
    assert redact(glued) == "<redacted><redacted>x<redacted><redacted>"


def test_nothing_registered_leaves_text_alone_but_key_shaped_tokens() -> None:
    text = f"{TOKEN} and sk_test_{'a' * 24}"
    assert redact(text) == f"{TOKEN} and sk_test_<redacted>"


def test_a_value_too_short_to_tell_from_a_word_is_not_registered() -> None:
    register_secret("")
    register_secret("secret7")
    assert redact("a secret7 word, and no empty cut") == "a secret7 word, and no empty cut"


def test_a_secret_holding_another_is_cut_whole() -> None:
    inner = TOKEN[-10:]
    register_secret(inner)
    register_secret(TOKEN)
    assert redact(f"x{TOKEN}y") == "x<redacted>y"
