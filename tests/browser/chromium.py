"""A headless Chromium driven through its WebDriver, both from the distribution's packages.

`install.sh` (run by `make test`) installs them; here they are only found. Selenium is given
both paths, and Selenium Manager is kept offline, so nothing is ever downloaded. Without
them (or without selenium), the browser tests skip, saying why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
DRIVERS = ("/usr/bin/chromedriver",)
INSTALL_HINT = "run tests/browser/install.sh (apt: chromium chromium-driver)"


def _first_executable(variable: str, candidates: tuple[str, ...]) -> Path | None:
    chosen = os.environ.get(variable)
    for candidate in ((chosen,) if chosen else ()) + candidates:
        if os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def find_chromium() -> tuple[Path, Path] | str:
    """(browser, driver), or why there are none."""
    browser = _first_executable("RECONCILE_CHROMIUM", BROWSERS)
    # A CI image with Chrome preinstalled names the directory of its matching driver.
    preinstalled = os.environ.get("CHROMEWEBDRIVER")
    drivers = DRIVERS + ((str(Path(preinstalled) / "chromedriver"),) if preinstalled else ())
    driver = _first_executable("RECONCILE_CHROMEDRIVER", drivers)
    if browser is None or driver is None:
        missing = "Chromium" if browser is None else "chromedriver"
        return f"no {missing} found: {INSTALL_HINT}"
    return browser, driver


@contextmanager
def headless_chromium() -> Iterator[WebDriver]:
    """A headless browser until the block ends; skips the test when there is none."""
    pytest.importorskip("selenium", reason="selenium is a dev dependency: pip install -e '.[dev]'")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = find_chromium()
    if isinstance(found, str):
        pytest.skip(found)
    browser_path, driver_path = found
    options = webdriver.ChromeOptions()
    options.binary_location = str(browser_path)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # as root in a container, Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        "--window-size=1000,1600",
    ):
        options.add_argument(argument)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # Selenium Manager never fetches a driver
        driver = webdriver.Chrome(options=options, service=Service(str(driver_path)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
