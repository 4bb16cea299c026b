"""`init`: a new project a team can commit, which validates and plans against the sandbox.

The manifests (one file per kind) and the JSON Schemas their modelines name are written as
export writes them; `reconcile.yaml` names a sandbox target, seeded so that the Stripe customer
the manifests link exists, and a Konnect target whose secrets are `${env:...}` references.
With `github`, the project's GitHub workflows come along, as docs/ci-github.md sets them up,
calling the reconcile action pinned by the commit `action` names.
Everything is staged first: when a file to be written exists and `force` is not given, nothing
is written.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reconciler.core.exporting import ExportContext
from reconciler.core.version import VERSION
from reconciler.engine.exporter import write_manifests
from reconciler.errors import ReconcileError
from reconciler.manifests.loader import PROJECT_FILE_NAMES
from reconciler.workflows.exporting import GITIGNORE, ignore_state

PROJECT_FILE = PROJECT_FILE_NAMES[0]
SEED_FILE = "sandbox-seed.yaml"
WORKFLOWS_DIRECTORY = Path(".github") / "workflows"
GITHUB_WORKFLOWS = ("plan.yml", "apply.yml", "apply-target.yml", "drift.yml")
# The action pinned by a full commit: a tag or branch can be moved to other code.
ACTION_REFERENCE = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]*)/[A-Za-z0-9._-]+(?:/[^@\s]+)?@[0-9a-f]{40}$"
)
# How the workflows of this repository call the action; a project's call it by `action`.
LOCAL_ACTION = "uses: ./\n"
API_VERSION = "reconcile.konghq.dev/v1"
# The Stripe customer the starter CustomerBilling links; the sandbox seed creates it.
EXAMPLE_STRIPE_CUSTOMER = "cus_Ex4mpleC0mpany1"


class InitRefused(ReconcileError):
    """A file `init` would write exists, or the action is not pinned; nothing was written."""


@dataclass(frozen=True)
class Initialized:
    """The files `init` wrote, relative to the project directory."""

    directory: Path
    files: list[Path]


def init(
    directory: Path, *, github: bool = False, force: bool = False, action: str | None = None
) -> Initialized:
    """Write a starter project into `directory` (created if missing); with `github`, workflows
    calling `action` (`OWNER/REPO@COMMIT`)."""
    if github:
        _ensure_pinned(action)
    with tempfile.TemporaryDirectory(prefix="reconcile-init-") as staging:
        staged = Path(staging)
        _stage(staged, github=github, action=action or "")
        files = sorted(p.relative_to(staged) for p in staged.rglob("*") if p.is_file())
        existing = [f for f in files if (directory / f).exists() and f.name != GITIGNORE]
        if existing and not force:
            names = ", ".join(f.as_posix() for f in existing)
            raise InitRefused(
                f"{directory} already holds {names}; nothing was written (--force overwrites)"
            )
        for file in files:
            (directory / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged / file, directory / file)
    ignore_state(directory)
    return Initialized(directory=directory, files=[*files, Path(GITIGNORE)])


def _ensure_pinned(action: str | None) -> None:
    if action is None or not ACTION_REFERENCE.match(action):
        raise InitRefused(
            "the workflows need the reconcile action pinned by commit: --action "
            "OWNER/REPO@COMMIT, the full 40-character commit of a release tag (see "
            "docs/ci-github.md, Releases); nothing was written"
        )


def _stage(staged: Path, *, github: bool, action: str) -> None:
    write_manifests(ExportContext(live={}, documents=_starter_documents()), staged)
    (staged / PROJECT_FILE).write_text(PROJECT_TEXT, encoding="utf-8")
    (staged / SEED_FILE).write_text(SEED_TEXT, encoding="utf-8")
    if github:
        templates = resources.files("reconciler.workflows") / "templates" / "github"
        (staged / WORKFLOWS_DIRECTORY).mkdir(parents=True)
        for name in GITHUB_WORKFLOWS:
            text = (templates / name).read_text(encoding="utf-8")
            text = text.replace(LOCAL_ACTION, f"uses: {action} # konnect-reconcile {VERSION}\n")
            (staged / WORKFLOWS_DIRECTORY / name).write_text(text, encoding="utf-8")


def _document(kind: str, name: str, spec: dict[str, object]) -> dict[str, object]:
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": {"name": name}, "spec": spec}


def _starter_documents() -> dict[str, list[dict[str, object]]]:
    """One small manifest per kind, referring to each other as a real project does."""
    return {
        "StripeApp": [
            _document(
                "StripeApp",
                "stripe",
                {"name": "Stripe", "api_key": "${env:STRIPE_API_KEY}", "livemode": False},
            )
        ],
        "TaxCode": [
            _document(
                "TaxCode",
                "saas-general",
                {
                    "key": "saas_general",
                    "name": "SaaS - general",
                    "stripe_tax_code": "txcd_10103001",
                },
            )
        ],
        "BillingProfile": [
            _document(
                "BillingProfile",
                "default",
                {
                    "name": "Default",
                    "default": True,
                    "app": "stripe",
                    "supplier": {
                        "name": "Example Inc.",
                        "addresses": {"billing_address": {"country": "US"}},
                    },
                },
            )
        ],
        "CustomerBilling": [
            _document(
                "CustomerBilling",
                "example-company",
                {
                    "customer": {
                        "key": "example-company",
                        "name": "Example Company",
                        "primary_email": "billing@example.com",
                        "currency": "USD",
                    },
                    "stripe": {"customer_id": EXAMPLE_STRIPE_CUSTOMER},
                },
            )
        ],
    }


PROJECT_TEXT = f"""\
# yaml-language-server: $schema=schemas/project.json
# Which targets `reconcile plan` and `apply` run against; secrets only as references.
default_target: sandbox   # the embedded sandbox: no account, no network

targets:
  sandbox:
    type: sandbox
    seed: {SEED_FILE}   # the Stripe customer the manifests link
  # A real Konnect organization and Stripe account: `reconcile plan --target konnect`.
  konnect:
    type: konnect
    region: us                        # your organization's region, or instead:
    # base_url: https://us.api.konghq.com/v3
    konnect_token: ${{env:KONNECT_TOKEN}}
    stripe_api_key: ${{env:STRIPE_API_KEY}}
    # Read-only credentials for plan, drift and export (the GitHub workflows plan with them):
    # konnect_read_token: ${{env:KONNECT_READ_TOKEN}}
    # stripe_read_key: ${{env:STRIPE_READ_KEY}}
"""

SEED_TEXT = f"""\
# What the embedded sandbox holds when it is first created (`seed:` in {PROJECT_FILE}): the
# Stripe customer that customer-billing.yaml links. A real Stripe account has its own.
stripe:
  customers:
    - id: {EXAMPLE_STRIPE_CUSTOMER}
      name: Example Company
      email: billing@example.com
      payment_methods:
        - id: pm_1Ex4mpleCard0001   # charged for its invoices: the Stripe invoice default
          card: visa
          billing_address: {{country: US, postal_code: "94105", line1: 1 Example Street}}
          invoice_default: true
"""

__all__ = ["InitRefused", "Initialized", "init"]
