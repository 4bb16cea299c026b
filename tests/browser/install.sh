#!/bin/sh
# Chromium and its WebDriver for the browser tests of the sandbox's hosted pages, from the
# distribution's packages: nothing is downloaded outside the package manager, and Selenium is
# pointed at these binaries. Does nothing when a browser and its driver are already there (a
# CI image with Chrome preinstalled included). Never fails the build: without apt, root or
# passwordless sudo, it prints one line and the browser tests skip, saying why.
set -u

found() {
    browser=""
    for candidate in "${RECONCILE_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser \
        /usr/bin/google-chrome; do
        [ -n "$candidate" ] && [ -x "$candidate" ] && browser=$candidate && break
    done
    for candidate in "${RECONCILE_CHROMEDRIVER:-}" /usr/bin/chromedriver \
        "${CHROMEWEBDRIVER:-/nonexistent}/chromedriver"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] && [ -n "$browser" ] && return 0
    done
    return 1
}

skip() {
    echo "*** browser tests will be SKIPPED: $1 (they need chromium and chromium-driver) ***" >&2
    exit 0
}

found && exit 0
command -v apt-get >/dev/null 2>&1 || skip "apt-get is not available to install Chromium"
if [ "$(id -u)" = 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    skip "installing Chromium needs root or passwordless sudo"
fi
echo "Installing chromium and chromium-driver from the distribution's packages..." >&2
$as_root apt-get update -qq >/dev/null || skip "apt-get update failed"
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends \
    chromium chromium-driver >/dev/null || skip "apt-get install chromium chromium-driver failed"
found || skip "chromium and chromium-driver were installed but are not where the tests look"
