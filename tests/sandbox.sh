#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job end to end on a local sandbox: installs what it needs,
# builds mautic-wp, starts MariaDB (a fresh WordPress 6.1 database), Apache
# (mod_cgid), nginx+fcgiwrap, an SMTP sink and the Mautic 5 emulator, then
# sends webhooks the way Mautic sends them and prints what happened.
#
# Usage (as root, on Debian 12): tests/sandbox.sh [--no-deps]
# Everything lives under $MW_STATE (default /tmp/mw); stop it with
# tests/stack/down.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != --no-deps ]; then
	echo "== installing Debian packages (skipped when present)"
	tests/stack/install-deps.sh
fi
echo "== building (cmake preset dev)"
cmake --preset dev >/dev/null
cmake --build --preset dev -j"$(nproc)" >/dev/null
echo "== starting the sandbox servers"
MW_CGI="$PWD/build/dev/cgi-bin/mautic-wp.cgi" tests/stack/up.sh
tests/stack/db-reset.sh >/dev/null
echo
exec /usr/bin/python3 tests/sandbox.py
