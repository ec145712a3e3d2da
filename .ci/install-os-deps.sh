#!/usr/bin/env bash
# Install the OS packages the test suite needs (Debian/Ubuntu). Idempotent: installs only what
# is missing, runs apt-get update at most once. Run as root (or with sudo available).
# `install-os-deps.sh demo` installs only what `make demo` runs (espeak-ng for Korean speech).
# The test suites start their own servers (e.g. PostgreSQL on loopback in a temp dir); this
# script never starts a system-wide service.
set -euo pipefail

packages=(
    postgresql # tests/store: a private PostgreSQL server (initdb/pg_ctl under /usr/lib/postgresql)
    # --- others add their OS packages below this line (e.g. espeak-ng, chromium) ---
    espeak-ng  # agent/voice: Korean speech synthesis (tests synthesise caller audio with it)
    chromium  # tests/voice: the softphone page in Playwright (never a Playwright-downloaded browser)
    redis-server  # tests/scale: a private Redis on loopback (campaign queue, stream tokens)
    fonts-nanum  # tests/console: Korean glyphs in Chromium (the console's screenshots in docs/console)
)

if [[ "${1:-}" == "demo" ]]; then
    packages=(espeak-ng)
fi

sudo_cmd=()
if [[ "$(id -u)" -ne 0 ]]; then
    sudo_cmd=(sudo)
fi

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-os-deps: all present: ${packages[*]}"
    exit 0
fi

echo "install-os-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
${sudo_cmd[@]+"${sudo_cmd[@]}"} apt-get update -q
# policy-rc.d-less systems may try to start the packaged postgres service; harmless, but the
# tests do not rely on it.
${sudo_cmd[@]+"${sudo_cmd[@]}"} apt-get install -y -q --no-install-recommends "${missing[@]}"
