"""Onboarding clicked through in a real headless Chromium against a served sandbox.

`checkout-url` and `portal-url` print the pages' URLs; the browser fills in and submits their
forms as a customer would, and the next `plan` shows what that did. One browser serves the
module; each test has its own sandbox world.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, SandboxServer, create_app
from tests.e2e.worlds import SELF_SERVE, STRIPE_APP, World, manifest, write_manifests
from tests.sandbox.hosted_pages.conftest import card_form

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

HOOLI = manifest(
    "CustomerBilling",
    "hooli",
    {
        "customer": {"key": "hooli", "name": "Hooli", "primary_email": "pay@hooli.example"},
        "onboarding": "checkout",
    },
)
NOT_COMPLETED = "but not completed"
WAIT_SECONDS = 15


@dataclass
class Served:
    """A project whose target is a running sandbox, and that sandbox's world."""

    server: SandboxServer
    project: Path
    world: World

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(main, [args[0], str(self.project), *args[1:]])

    def apply(self, *documents: dict[str, Any]) -> None:
        write_manifests(self.project, *documents)
        applied = self.run("apply", "--auto-approve")
        assert applied.exit_code == 0, applied.output

    def printed_url(self, *args: str) -> str:
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        assert "Note:" not in result.stderr  # a served sandbox keeps serving the page
        [url] = [word for word in result.stdout.split() if word.startswith(self.server.url)]
        return url

    def linked(self, key: str) -> dict[str, Any]:
        [customer] = self.world.konnect("GET", f"/customers?filter[key]={key}")["data"]
        billing = self.world.konnect("GET", f"/customers/{customer['id']}/billing")
        stripe: dict[str, Any] = billing["app_data"].get("stripe") or {}
        return stripe


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    database = tmp_path / "sandbox.db"
    project = tmp_path / "manifests"
    project.mkdir()
    with SandboxServer(SandboxConfig(db_path=database)) as server:
        (project / "reconcile.yaml").write_text(
            f"default_target: local\ntargets:\n  local:\n    type: sandbox\n    url: {server.url}\n"
        )
        with TestClient(create_app(SandboxConfig(db_path=database))) as client:
            yield Served(server, project, World(client))


def fill_in(browser: WebDriver, form: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By

    for name, value in form.items():
        element = browser.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def wait_for(browser: WebDriver, css: str) -> str:
    """The text of the first element matching `css` once the page shows one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    located = expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    text: str = WebDriverWait(browser, WAIT_SECONDS).until(located).text
    return text


def success_url(served: Served) -> str:
    """A page on another origin than the checkout's (`localhost`, not `127.0.0.1`), as a
    shop's welcome page is: the redirect there must not be blocked."""
    return f"http://localhost:{served.server.port}/_sandbox/health?session={{CHECKOUT_SESSION_ID}}"


def checkout_page(served: Served) -> str:
    """`checkout-url` for Hooli, returning to `success_url` once it is done."""
    served.apply(STRIPE_APP, SELF_SERVE, HOOLI)
    return served.printed_url("checkout-url", "hooli", "--success-url", success_url(served))


def test_a_test_card_completes_checkout_and_the_next_plan_has_no_changes(
    browser: WebDriver, served: Served
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    from selenium.webdriver.support.wait import WebDriverWait

    url = checkout_page(served)
    assert NOT_COMPLETED in served.run("plan").output

    browser.get(url)
    assert wait_for(browser, "#customer-email") == "pay@hooli.example"
    fill_in(browser, card_form(tax_id_value="DE123456789"))
    Select(browser.find_element(By.NAME, "tax_id_type")).select_by_value("eu_vat")
    browser.find_element(By.ID, "submit").click()

    done = success_url(served).replace("{CHECKOUT_SESSION_ID}", url.rsplit("/", 1)[1])
    WebDriverWait(browser, WAIT_SECONDS).until(lambda driver: driver.current_url == done)
    assert served.linked("hooli")["default_payment_method_id"].startswith("pm_")
    plan = served.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.stdout and NOT_COMPLETED not in plan.output


def test_a_declined_card_shows_stripe_s_message_and_completes_nothing(
    browser: WebDriver, served: Served
) -> None:
    from selenium.webdriver.common.by import By

    url = checkout_page(served)

    browser.get(url)
    fill_in(browser, card_form(card_number="4000 0000 0000 0002"))
    browser.find_element(By.ID, "submit").click()

    assert wait_for(browser, "#form-error") == "Your card was declined."
    assert browser.current_url == url
    assert "default_payment_method_id" not in served.linked("hooli")
    assert NOT_COMPLETED in served.run("plan").output


def test_the_portal_changes_the_default_card_and_the_next_plan_reflects_it(
    browser: WebDriver, served: Served
) -> None:
    from selenium.webdriver.common.by import By

    stripe_customer = served.world.stripe_customer(name="Globex")
    current = served.world.card(stripe_customer)
    globex = manifest(
        "CustomerBilling",
        "globex",
        {
            "customer": {"key": "globex", "name": "Globex"},
            "stripe": {"customer_id": stripe_customer},
        },
    )
    served.apply(STRIPE_APP, SELF_SERVE, globex)
    expired = served.world.card(stripe_customer, expiry=(1, 2020))  # made the invoice default
    blocked = served.run("plan")
    assert blocked.exit_code == 1 and f"payment method {expired} is a card that expired" in (
        blocked.output
    )
    url = served.printed_url("portal-url", "globex", "--return-url", "https://example.test/back")

    browser.get(url)
    row = f"tr[id='{current}']"
    browser.find_element(By.CSS_SELECTOR, row + " button").click()

    assert wait_for(browser, row + " .badge") == "Default"
    plan = served.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.stdout
