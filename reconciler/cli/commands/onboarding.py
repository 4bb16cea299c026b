"""`reconcile checkout-url` and `reconcile portal-url`: links that onboard one customer.

`--output json` prints one object, each with `format_version` (1). checkout-url
(schema: `schemas/checkout-output.json`): `{format_version, target, customer: {manifest,
key, id}, url, session_id, setup_intent_id, stripe_customer_id, expires_at, client_secret,
billing_address_collection, saves_to_stripe_customer, tax_id_collection, warnings}`;
portal-url (schema: `schemas/portal-output.json`): `{format_version, target, customer, url,
session_id, stripe_customer_id, return_url, created_at}`. `client_secret` (embedded checkout
only) is redacted unless `--show-secret`; null when Stripe gave none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from reconciler.cli.options import leading_directory, options_of, output_option, target_option
from reconciler.kinds.customer_billing.checkout import (
    CheckoutRequest,
    CheckoutSession,
    PortalSession,
)
from reconciler.manifests.customer_billing import CheckoutOptions
from reconciler.views.onboarding_json import CheckoutDocument, PortalDocument
from reconciler.workflows import Events
from reconciler.workflows import onboarding as workflow

CommandT = TypeVar("CommandT", bound=Callable[..., Any])


def _common_options(command: CommandT) -> CommandT:
    options = [
        # `[DIR] CUSTOMER`: one argument is CUSTOMER, in the current directory's manifests.
        click.argument("arguments", nargs=-1, required=True, metavar="[DIR] CUSTOMER"),
        target_option,
        output_option(["text", "json"], help="`json` prints one object for machines."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("checkout-url")
@_common_options
@click.option("--success-url", help="Where Stripe sends the customer after the checkout.")
@click.option("--cancel-url", help="Where Stripe sends a customer who leaves the checkout.")
@click.option(
    "--embedded",
    is_flag=True,
    help="An embedded checkout (your page mounts it with the client secret); needs --return-url.",
)
@click.option("--return-url", help="Where an embedded checkout returns to.")
@click.option(
    "--force",
    is_flag=True,
    help="Also for a customer whose manifest declares its Stripe customer.",
)
@click.option(
    "--show-secret", is_flag=True, help="Print the client secret of an embedded checkout."
)
@click.option(
    "--collect-tax-id", is_flag=True, default=None, help="Let the customer enter a tax id."
)
@click.option(
    "--require-tax-id",
    is_flag=True,
    default=None,
    help="Require a tax id where Stripe supports the customer's country.",
)
@click.option(
    "--save-address/--no-save-address",
    default=None,
    help="Save the billing address entered to the Stripe customer (default: when the profile "
    "has tax enabled).",
)
@click.option(
    "--payment-method-type",
    "payment_method_types",
    multiple=True,
    help="A Stripe payment method type to offer, e.g. card, us_bank_account (repeatable).",
)
@click.option("--locale", help="Language of the checkout page: auto, de, fr-CA, ...")
@click.option("--submit-text", help="A text shown by the checkout's submit button.")
@click.option("--expires-after", help="How long the link stays open, PT30M to PT24H.")
def checkout_url(
    arguments: tuple[str, ...],
    target_name: str | None,
    output: str,
    success_url: str | None,
    cancel_url: str | None,
    embedded: bool,
    return_url: str | None,
    force: bool,
    show_secret: bool,
    collect_tax_id: bool | None,
    require_tax_id: bool | None,
    save_address: bool | None,
    payment_method_types: tuple[str, ...],
    locale: str | None,
    submit_text: str | None,
    expires_after: str | None,
) -> None:
    """Create a Stripe Checkout link that collects a card for CUSTOMER.

    CUSTOMER is a CustomerBilling manifest in DIR (default: the current directory), as NAME
    or CustomerBilling/NAME. Konnect links the Stripe customer (creating it when none is
    linked) and, once the customer completes the checkout, makes the card its default. Each
    call creates a new session; a failed request is never retried. The options below
    override the manifest's `spec.checkout`.
    """
    checkout_options = _options_of_flags(
        tax_id_collection=_tax_id_flags(collect_tax_id, require_tax_id),
        customer_update=None
        if save_address is None
        else {"address": "auto" if save_address else "never"},
        payment_method_types=list(payment_method_types) or None,
        locale=locale,
        custom_text={"submit": submit_text} if submit_text else None,
        expires_after=expires_after,
    )
    request = CheckoutRequest(
        success_url=success_url,
        cancel_url=cancel_url,
        return_url=return_url,
        ui_mode="embedded" if embedded else "hosted",
        force=force,
        options=checkout_options,
    )
    try:
        request.redirect_options()
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    directory, customer = _directory_and_customer(arguments)
    options = options_of(target_name=target_name)
    made = workflow.checkout_url(directory, customer, request, options, events=_TargetLine())
    session = made.session
    for warning in session.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if output == "json":
        document = CheckoutDocument.of(made.target, session.to_json(show_secret=show_secret))
        click.echo(document.model_dump_json(indent=2))
    else:
        _show_checkout(session, show_secret=show_secret)
    _show_notes(made.notes)


def _options_of_flags(**flags: Any) -> CheckoutOptions:
    """The checkout options the flags give (None: not given); a UsageError naming the flag."""
    try:
        return CheckoutOptions.model_validate(
            {key: value for key, value in flags.items() if value is not None}
        )
    except ValidationError as error:
        raise click.UsageError(_flag_problems(error)) from None


def _tax_id_flags(collect: bool | None, require: bool | None) -> dict[str, Any] | None:
    if require:
        return {"enabled": True, "required": "if_supported"}
    return {"enabled": True} if collect else None


_FLAG_OF = {"tax_id_collection": "--collect-tax-id", "customer_update": "--save-address"}


def _flag_problems(error: ValidationError) -> str:
    """Each problem named by its flag (`--expires-after: ...`), not by the manifest field."""
    problems = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        flag = _FLAG_OF.get(field, "--" + field.replace("_", "-"))
        if field == "custom_text":
            flag = "--submit-text"
        problems.append(f"{flag}: {problem['msg']}")
    return "; ".join(problems)


@click.command("portal-url")
@_common_options
@click.option("--return-url", required=True, help="Where the portal's back link goes.")
def portal_url(
    arguments: tuple[str, ...], target_name: str | None, output: str, return_url: str
) -> None:
    """Create a Stripe Billing Portal link for CUSTOMER, who must have a linked Stripe customer.

    CUSTOMER is a CustomerBilling manifest in DIR (default: the current directory), as NAME
    or CustomerBilling/NAME. The link is short-lived and opens the portal once.
    """
    directory, customer = _directory_and_customer(arguments)
    options = options_of(target_name=target_name)
    made = workflow.portal_url(directory, customer, return_url, options, events=_TargetLine())
    if output == "json":
        click.echo(PortalDocument.of(made.target, made.session.to_json()).model_dump_json(indent=2))
    else:
        _show_portal(made.session)
    _show_notes(made.notes)


def _directory_and_customer(arguments: tuple[str, ...]) -> tuple[Path, str]:
    if len(arguments) > 2:
        raise click.UsageError(f"Got unexpected extra argument ({arguments[2]}).")
    directory, rest = leading_directory(arguments, is_directory=len(arguments) == 2)
    return directory, rest[0]


class _TargetLine(Events):
    """The target, on stderr, before the session is made."""

    def connected(self, header: Sequence[str]) -> None:
        for line in header:
            click.echo(line, err=True)


def _show_checkout(session: CheckoutSession, *, show_secret: bool) -> None:
    document = session.to_json(show_secret=show_secret)
    click.echo(f"Checkout for {_whom(document)}:")
    if document["url"]:
        click.echo(f"  {document['url']}")
    if document["client_secret"] is not None:
        click.echo(f"  client secret: {document['client_secret']}")
    click.echo(f"  expires at {document['expires_at']}")
    click.echo(f"  session {document['session_id']}")
    click.echo(f"  Stripe customer {document['stripe_customer_id']}")
    click.echo(f"  billing address collection: {document['billing_address_collection']}")
    saved = ", ".join(document["saves_to_stripe_customer"]) or "nothing"
    click.echo(f"  saves to the Stripe customer: {saved}")
    click.echo(f"  tax id collection: {'on' if document['tax_id_collection'] else 'off'}")


def _show_portal(session: PortalSession) -> None:
    document = session.to_json()
    click.echo(f"Billing portal for {_whom(document)} (single use, short-lived):")
    click.echo(f"  {document['url']}")
    click.echo(f"  Stripe customer {document['stripe_customer_id']}")


def _show_notes(notes: Sequence[str]) -> None:
    for note in notes:
        click.echo(f"Note: {note}", err=True)


def _whom(document: dict[str, Any]) -> str:
    customer = document["customer"]
    return f"{customer['manifest']} (customer key {customer['key']})"
