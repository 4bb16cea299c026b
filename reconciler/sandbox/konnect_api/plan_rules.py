"""The server's rules on a plan's content: what refuses a write (critical issues, 400) and
what is stored as a `validation_errors` entry that blocks publishing (warnings).

From OpenMeter's product catalog: keys unique per plan (phases) and per phase (rate
cards), a rate card with a feature takes the feature's key, features and tax codes must
exist, the plan's billing cadence is one of a few; a usage price needs a feature and a
billing cadence, and only the last phase runs without a duration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.konnect_api.catalog_objects import live
from reconciler.sandbox.konnect_api.catalog_schemas import USAGE_PRICES, Phase, RateCard
from reconciler.sandbox.konnect_api.collection_names import FEATURES, TAX_CODES
from reconciler.sandbox.konnect_api.errors import KonnectError, problem
from reconciler.sandbox.store import Document

_FIAT = re.compile(r"[A-Z]{3}")
BILLING_CADENCES = ("P1W", "P2W", "P4W", "P1M", "P3M", "P6M", "P12M", "P1Y")


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    field: str

    def present(self) -> Document:
        return {"code": self.code, "message": self.message, "field": self.field}


def refuse(issues: list[Issue]) -> KonnectError:
    return problem(
        400,
        "invalid plan: " + "; ".join(issue.message for issue in issues),
        [
            {"field": issue.field, "reason": issue.message, "rule": "invalid", "source": "body"}
            for issue in issues
        ],
    )


def currency_issues(currency: str) -> list[Issue]:
    if _FIAT.fullmatch(currency):
        return []
    # Custom currencies must be defined first; the sandbox has none.
    return [Issue("currency_not_found", f"currency {currency} not found", "currency")]


def critical_issues(
    sandbox: Sandbox, currency: str, cadence: str, phases: list[Phase]
) -> list[Issue]:
    issues = currency_issues(currency)
    if cadence not in BILLING_CADENCES:
        issues.append(
            Issue(
                "plan_billing_cadence_invalid",
                "billing cadence must be one of the following: " + ", ".join(BILLING_CADENCES),
                "billing_cadence",
            )
        )
    seen_phases: set[str] = set()
    for index, phase in enumerate(phases):
        where = f"phases[{index}]"
        if phase.key in seen_phases:
            issues.append(Issue("plan_phase_duplicated_key", "duplicated key", f"{where}.key"))
        seen_phases.add(phase.key)
        issues.extend(rate_card_issues(sandbox, where, phase.rate_cards))
    return issues


def rate_card_issues(sandbox: Sandbox, where: str, rate_cards: list[RateCard]) -> list[Issue]:
    issues = []
    seen: set[str] = set()
    for index, card in enumerate(rate_cards):
        at = f"{where}.rate_cards[{index}]"
        if card.key in seen:
            issues.append(Issue("rate_card_duplicated_key", "duplicated key", f"{at}.key"))
        seen.add(card.key)
        if card.feature is not None:
            feature = live(sandbox, FEATURES, card.feature.id)
            if feature is None:
                issues.append(
                    Issue("rate_card_feature_not_found", "feature not found", f"{at}.feature")
                )
            elif feature["key"] != card.key:
                issues.append(
                    Issue(
                        "rate_card_key_feature_key_mismatch",
                        "rate card key must match feature key",
                        f"{at}.key",
                    )
                )
        if card.tax_config is not None:
            tax_code = sandbox.store.get(TAX_CODES, card.tax_config.code.id)
            if tax_code is None or tax_code.get("deleted_at"):
                issues.append(
                    Issue(
                        "tax_code_not_found",
                        f"tax code {card.tax_config.code.id} not found",
                        f"{at}.tax_config.code",
                    )
                )
    return issues


def warnings(phases: list[Phase]) -> list[Issue]:
    """What the server stores on the plan and refuses to publish."""
    issues = []
    for index, phase in enumerate(phases):
        where = f"phases[{index}]"
        last = index == len(phases) - 1
        if not last and phase.duration is None:
            issues.append(
                Issue(
                    "plan_has_non_last_phase_with_no_duration",
                    "duration must be set for plan phase if it is not the last one",
                    f"{where}.duration",
                )
            )
        if last and phase.duration is not None:
            issues.append(
                Issue(
                    "plan_has_last_phase_with_duration",
                    "duration must not be set for the last plan phase",
                    f"{where}.duration",
                )
            )
        if not phase.rate_cards:
            issues.append(
                Issue(
                    "plan_phase_has_no_rate_cards",
                    "plan phase must have at least one rate card",
                    f"{where}.rate_cards",
                )
            )
        for card_index, card in enumerate(phase.rate_cards):
            issues.extend(usage_warnings(f"{where}.rate_cards[{card_index}]", card))
    return issues


def usage_warnings(at: str, card: RateCard) -> list[Issue]:
    if card.price.type not in USAGE_PRICES:
        return []
    issues = []
    if card.feature is None:
        issues.append(
            Issue(
                "rate_card_usage_based_price_with_no_feature",
                "usage-based price must have a feature",
                f"{at}.feature",
            )
        )
    if card.billing_cadence is None:
        issues.append(
            Issue(
                "rate_card_billing_cadence_required",
                "usage-based rate card must have a billing cadence",
                f"{at}.billing_cadence",
            )
        )
    return issues
