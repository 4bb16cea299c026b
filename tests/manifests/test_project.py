"""`reconcile.yaml`: targets, the default target, exclusions, and its errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconciler.manifests import KonnectTarget, SandboxTarget, load_manifests, validate_directory
from reconciler.manifests.project import KONNECT_REGIONS
from tests.manifests.conftest import BASE, at, only

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REAL_TARGET = """\
default_target: {default}
exclude: [broken/]
targets:
  prod:
    type: konnect
    {endpoint}
    konnect_token: ${{env:KONNECT_TOKEN}}
    stripe_api_key: ${{env:STRIPE_API_KEY}}
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "bad.yaml").write_text("kind: [\n")
    return tmp_path


def write_project(root: Path, default: str = "sandbox", endpoint: str = "region: eu") -> None:
    text = REAL_TARGET.format(default=default, endpoint=endpoint)
    (root / "reconcile.yaml").write_text(text)


def test_without_a_project_file_no_target_is_implied(tmp_path: Path) -> None:
    # The sandbox is never a silent default: the environment decides, or the command fails.
    (tmp_path / "base.yaml").write_text(BASE)
    project = load_manifests(tmp_path).project
    assert project.default_target_name is None
    assert isinstance(project.target("sandbox"), SandboxTarget)


def test_real_target_by_region_and_exclusions(root: Path) -> None:
    write_project(root, default="prod")
    manifests = load_manifests(root)
    assert manifests.project.default_target_name == "prod"
    target = manifests.project.target("prod")
    assert isinstance(target, KonnectTarget)
    assert target.api_base_url == "https://eu.api.konghq.com/v3"
    assert target.konnect_token == "${env:KONNECT_TOKEN}"
    assert isinstance(manifests.project.target("sandbox"), SandboxTarget)
    assert [path.name for path in manifests.files] == ["base.yaml"]


def test_every_region_is_validated_documented_and_reached_from_one_list() -> None:
    schema = KonnectTarget.model_json_schema()["properties"]["region"]
    assert {"enum": list(KONNECT_REGIONS), "type": "string"} in schema["anyOf"]
    for region in KONNECT_REGIONS:
        target = KonnectTarget(type="konnect", region=region, konnect_token="${env:T}")
        assert target.api_base_url == f"https://{region}.api.konghq.com/v3"


def test_real_target_by_base_url(root: Path) -> None:
    write_project(root, endpoint="base_url: https://konnect.internal.example/v3/")
    target = load_manifests(root).project.target("prod")
    assert isinstance(target, KonnectTarget)
    assert target.api_base_url == "https://konnect.internal.example/v3"


@pytest.mark.parametrize(
    ("default", "endpoint", "line", "column", "code"),
    [
        ("staging", "region: eu", 1, 17, "unknown-target"),
        ("sandbox", "region: mars", 6, 13, "bad-value"),
        ("sandbox", "base_url: ftp://x", 6, 15, "bad-format"),
        ("sandbox", "base_url: https://bot:pw@konnect.example/v3", 6, 15, "credentials-in-url"),
        ("sandbox", "base_url: https://bot@konnect.example/v3", 6, 15, "credentials-in-url"),
        ("sandbox", "region: us\n    base_url: https://x.example/v3", 4, 3, "target-endpoint"),
        ("sandbox", "zone: us", 6, 5, "unknown-field"),
        ("sandbox", "base_url: http://konnect.example.com/v3", 6, 15, "insecure-url"),
        ("sandbox", "base_url: http://localhost.example.com/v3", 6, 15, "insecure-url"),
        (
            "sandbox",
            "region: eu\n    stripe_base_url: http://stripe.example",
            7,
            22,
            "insecure-url",
        ),
        (
            "sandbox",
            "region: eu\n    stripe_base_url: https://u:p@x.example",
            7,
            22,
            "credentials-in-url",
        ),
    ],
)
def test_project_errors_are_reported_like_manifest_errors(
    root: Path, default: str, endpoint: str, line: int, column: int, code: str
) -> None:
    write_project(root, default=default, endpoint=endpoint)
    diagnostics = validate_directory(root).diagnostics
    assert [at(d) for d in diagnostics] == [("reconcile.yaml", line, column, code)]
    assert all(d.subject == "Project/reconcile.yaml" for d in diagnostics)


def test_a_base_url_with_credentials_is_refused_without_printing_them(root: Path) -> None:
    write_project(root, endpoint="base_url: https://bot:s3cretPassw0rd@konnect.example/v3")
    diagnostic = only(validate_directory(root))
    assert at(diagnostic) == ("reconcile.yaml", 6, 15, "credentials-in-url")
    assert diagnostic.format() == (
        "reconcile.yaml:6:15: Project/reconcile.yaml: targets.prod.base_url: must not hold a "
        "`user:password@` part: requests carry the target's token instead"
    )


def test_plain_http_to_another_host_is_refused_where_it_is_written(root: Path) -> None:
    write_project(root, endpoint="base_url: http://konnect.internal.example/v3")
    diagnostic = only(validate_directory(root))
    assert diagnostic.format() == (
        "reconcile.yaml:6:15: Project/reconcile.yaml: targets.prod.base_url: http:// would "
        "send the Konnect token unencrypted: use https://, a loopback address (127.0.0.1, ::1, "
        "localhost), or set `insecure: true` on the target"
    )


@pytest.mark.parametrize(
    "endpoint",
    [
        "base_url: http://127.0.0.1:8787/v3",
        "base_url: http://127.8.9.10/v3",
        "base_url: http://[::1]:8787/v3",
        "base_url: http://localhost:8787/v3",
        "base_url: http://konnect.internal.example/v3\n    insecure: true",
        "base_url: https://konnect.internal.example/v3",
    ],
)
def test_plain_http_is_accepted_on_loopback_or_when_declared_insecure(
    root: Path, endpoint: str
) -> None:
    write_project(root, endpoint=endpoint)
    assert list(validate_directory(root).diagnostics) == []


def test_plain_http_to_another_stripe_host_is_refused_for_the_stripe_keys(root: Path) -> None:
    write_project(root, endpoint="region: eu\n    stripe_base_url: http://stripe.internal.example")
    diagnostic = only(validate_directory(root))
    assert diagnostic.format() == (
        "reconcile.yaml:7:22: Project/reconcile.yaml: targets.prod.stripe_base_url: http:// "
        "would send the Stripe keys unencrypted: use https://, a loopback address (127.0.0.1, "
        "::1, localhost), or set `insecure: true` on the target"
    )


@pytest.mark.parametrize(
    "stripe_base_url",
    ["http://127.0.0.1:12111", "https://stripe-mock.internal.example/"],
)
def test_a_stripe_base_url_on_loopback_or_https_is_accepted(
    root: Path, stripe_base_url: str
) -> None:
    write_project(root, endpoint=f"region: eu\n    stripe_base_url: {stripe_base_url}")
    assert list(validate_directory(root).diagnostics) == []
    target = load_manifests(root).project.target("prod")
    assert isinstance(target, KonnectTarget)
    assert target.stripe_base_url == stripe_base_url


@pytest.mark.parametrize(
    ("setting", "column", "expected"),
    [
        ('rate_limit: "5"', 17, "a number"),
        ("rate_limit: true", 17, "a number"),
        ('insecure: "yes"', 15, "true or false"),
        ("insecure: 1", 15, "true or false"),
    ],
)
def test_numbers_and_booleans_given_otherwise_are_refused_not_converted(
    root: Path, setting: str, column: int, expected: str
) -> None:
    write_project(root, endpoint=f"region: eu\n    {setting}")
    diagnostic = only(validate_directory(root))
    assert at(diagnostic) == ("reconcile.yaml", 7, column, "wrong-type")
    field = setting.partition(":")[0]
    assert diagnostic.message == f"targets.prod.{field}: expected {expected}"


@pytest.mark.parametrize(("setting", "rate"), [("rate_limit: 5", 5.0), ("rate_limit: 2.5", 2.5)])
def test_a_rate_limit_is_a_number(root: Path, setting: str, rate: float) -> None:
    write_project(root, endpoint=f"region: eu\n    {setting}")
    target = load_manifests(root).project.target("prod")
    assert isinstance(target, KonnectTarget)
    assert target.rate_limit == rate


def test_an_at_sign_in_the_path_of_a_base_url_is_no_credential(root: Path) -> None:
    write_project(root, endpoint="base_url: https://konnect.example/v3/@team")
    target = load_manifests(root).project.target("prod")
    assert isinstance(target, KonnectTarget)
    assert target.api_base_url == "https://konnect.example/v3/@team"


def test_a_broken_project_file_keeps_its_exclusions(root: Path) -> None:
    (root / "reconcile.yaml").write_text("exclude: [broken/]\ndefault_target: Prod_1\n")
    diagnostic = only(validate_directory(root))
    assert at(diagnostic) == ("reconcile.yaml", 2, 17, "bad-format")


def test_a_broken_project_file_keeps_its_seed_files_out_of_the_manifests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    project_file = tmp_path / "examples" / "reconcile.yaml"
    text = project_file.read_text()
    broken = text.replace("    type: sandbox\n", "    type: sandbox\n    colour: blue\n", 1)
    assert broken != text
    project_file.write_text(broken)
    line = broken.splitlines().index("    colour: blue") + 1
    diagnostic = only(validate_directory(tmp_path / "examples"))
    assert at(diagnostic) == ("reconcile.yaml", line, 5, "unknown-field")
    assert diagnostic.format() == (
        f"examples/reconcile.yaml:{line}:5: Project/reconcile.yaml: unknown field "
        "'targets.sandbox.colour'"
    )


def test_seed_files_stay_out_whatever_else_the_project_file_gets_wrong(root: Path) -> None:
    (root / "seed.yaml").write_text("stripe:\n  customers: [{id: cus_Seeded0}]\n")
    (root / "reconcile.yaml").write_text(
        "exclude: [broken/, 7]\ntargets:\n  sandbox: {type: sandbox, seed: seed.yaml}\n"
    )
    assert at(only(validate_directory(root))) == ("reconcile.yaml", 1, 20, "wrong-type")


def test_project_file_syntax_error_is_the_only_problem_reported(root: Path) -> None:
    # Which files are manifests is the project file's to say: none is read without it.
    (root / "seed.yaml").write_text("stripe:\n  customers: [{id: cus_Seeded0}]\n")
    (root / "reconcile.yaml").write_text("targets: {\n")
    diagnostic = only(validate_directory(root))
    assert at(diagnostic) == ("reconcile.yaml", 2, 1, "yaml-syntax")
    assert diagnostic.message.endswith(
        "; the manifests are checked once reconcile.yaml loads, since it names the files that "
        "are not manifests"
    )


def test_sandbox_cannot_be_redefined_as_a_real_target(root: Path) -> None:
    (root / "reconcile.yaml").write_text(
        "exclude: [broken]\ntargets:\n  sandbox: {type: konnect, region: us, "
        "konnect_token: '${env:A}', stripe_api_key: '${env:B}'}\n"
    )
    assert at(only(validate_directory(root))) == ("reconcile.yaml", 2, 1, "unknown-target")


def test_the_project_file_holds_one_document(root: Path) -> None:
    (root / "reconcile.yaml").write_text("exclude: [broken]\n---\ndefault_target: sandbox\n")
    assert at(only(validate_directory(root))) == ("reconcile.yaml", 3, 1, "bad-project")


def test_unknown_field_in_a_target_gets_a_hint(root: Path) -> None:
    write_project(root, endpoint="regoin: eu")
    diagnostic = only(validate_directory(root))
    assert diagnostic.message == "unknown field 'targets.prod.regoin' (did you mean 'region'?)"


@pytest.mark.parametrize(
    ("url", "insecure", "refused"),
    [
        ("http://sandbox.example:8080", False, True),
        ("http://sandbox.example:8080", True, False),
        ("https://sandbox.example", False, False),
        ("http://127.0.0.1:8080", False, False),
        ("http://localhost:8080", False, False),
    ],
)
def test_a_sandbox_served_elsewhere_is_reached_over_tls_or_on_this_machine(
    root: Path, url: str, insecure: bool, refused: bool
) -> None:
    # The environment's Stripe keys for the apps go to a sandbox target as to Stripe.
    lines = ["exclude: [broken/]", "targets:", "  shared:", "    type: sandbox", f"    url: {url}"]
    lines += ["    insecure: true"] if insecure else []
    (root / "reconcile.yaml").write_text("\n".join(lines) + "\n")
    diagnostics = validate_directory(root).diagnostics
    if not refused:
        assert diagnostics == ()
        return
    assert [at(d) for d in diagnostics] == [("reconcile.yaml", 5, 10, "insecure-url")]
    assert "targets.shared.url: http:// would send the Stripe keys unencrypted" in (
        diagnostics[0].format()
    )
