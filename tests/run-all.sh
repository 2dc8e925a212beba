#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite, as CI runs it: install what is missing, build the
# dev and asan presets, start the test stack, and run every ctest label
# (unit, fuzz corpus replay, lint, integration) for both builds.  The asan
# build's CGI is then served by Apache and nginx, and any sanitizer report
# in the servers' logs fails the run.
#
# Usage (as root, on Debian 12): tests/run-all.sh [--no-deps] [--no-asan]
set -euo pipefail
cd "$(dirname "$0")/.."
deps=1 asan=1
for a in "$@"; do
	case $a in
	--no-deps) deps=0 ;;
	--no-asan) asan=0 ;;
	*) echo "usage: $0 [--no-deps] [--no-asan]" >&2; exit 2 ;;
	esac
done
step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }

if [ "$deps" = 1 ]; then
	step "install dependencies"
	tests/stack/install-deps.sh
fi

step "build: dev"
cmake --preset dev >/dev/null
cmake --build --preset dev -j"$(nproc)"

step "start the test stack"
MW_CGI="$PWD/build/dev/cgi-bin/mautic-wp.cgi" tests/stack/up.sh
# The three Galera nodes of tests/integration/test_galera.py (a skipped test
# is a failure under CI=true).
tests/stack/galera-up.sh

step "tests: dev"
ctest --preset dev --output-on-failure

if [ "$asan" = 1 ]; then
	step "build: asan"
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j"$(nproc)"
	step "tests: asan (the CGI behind the servers is the asan build)"
	logs=$(. /tmp/mw/stack.env 2>/dev/null; echo "${MW_LOG_DIR:-/tmp/mw/logs}")
	marks=()
	for f in "$logs"/*.log; do marks+=("$f:$(stat -c %s "$f")"); done
	ctest --preset asan --output-on-failure -LE valgrind
	for m in "${marks[@]}"; do
		f=${m%:*} off=${m##*:}
		if tail -c +"$((off + 1))" "$f" | grep -E 'AddressSanitizer|LeakSanitizer|runtime error:'; then
			echo "sanitizer report in $f" >&2
			exit 1
		fi
	done
	# Leave the dev build installed for whoever looks next.
	tests/stack/install-cgi.sh "$PWD/build/dev/cgi-bin/mautic-wp.cgi" >/dev/null
fi
step "package: build, install and test the .deb (tests/package/test-deb.sh)"
tests/package/test-deb.sh

step "all tests passed"
