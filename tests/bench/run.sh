#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The benchmark: latency and throughput of each webhook through each web
# server set-up, the floors, peak RSS and the counted work per webhook.
# Prints a markdown report and writes it to tests/bench/results/.
# Not a pass/fail test.  See tests/bench/README.md for the knobs.
#
# Usage: tests/bench/run.sh        (needs the stack: tests/stack/up.sh)
set -euo pipefail
# shellcheck source=../stack/lib.sh
. "$(dirname "$0")/../stack/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh's log()
MW_LOG_TAG=bench

[ "$(id -u)" = 0 ] || die "run as root (the CGI's config is root:www-data)"
[ -s "$MW_STATE/stack.env" ] ||
	die "no stack under $MW_STATE: run tests/stack/up.sh first"
for tool in wrk curl setpriv /usr/bin/time; do
	command -v "$tool" >/dev/null ||
		die "$tool is missing (Debian: wrk, curl, util-linux, time)"
done
"$MW_PYTHON" -c 'import pymysql' 2>/dev/null ||
	die "python3-pymysql is missing"
exec "$MW_PYTHON" "$MW_ROOT/tests/bench/bench.py" "$@"
