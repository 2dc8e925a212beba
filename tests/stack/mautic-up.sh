#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Start the Mautic emulator (tests/stack/mautic-emu.py) on
# https://127.0.0.1:$MW_MAUTIC_PORT with a certificate from the test CA that
# tests/stack/tls.sh makes in $MW_STATE/tls (trust it with $MW_CA).  Requests
# are logged to $MW_STATE/mautic/requests.jsonl.  Idempotent: a running,
# healthy emulator is left alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

M="$MW_STATE/mautic"
T="$MW_STATE/tls"
PIDFILE=$(pidfile_of mautic)
URL="https://127.0.0.1:$MW_MAUTIC_PORT"
t0=$(now_ms)
mkdir -p "$M"

healthy() {
	local code
	code=$(curl -sS --max-time 2 --cacert "$T/ca.crt" -o /dev/null \
		-w '%{http_code}' "$URL/_emu/health" 2>/dev/null) || return 1
	[ "$code" = 200 ]
}

"$MW_STACK/tls.sh" "$T" || die "tls.sh failed"
[ -f "$MW_STACK/mautic-emu.py" ] || die "$MW_STACK/mautic-emu.py is missing"

if running "$PIDFILE" && healthy; then
	report mautic running "$URL" "$t0"
	exit 0
fi
stop_group "$PIDFILE" 5 || die "cannot stop the old emulator"
require_port_free "$MW_MAUTIC_PORT" "the Mautic emulator" MW_MAUTIC_PORT

start_group "$PIDFILE" "$M/emu.log" "$MW_PYTHON" "$MW_STACK/mautic-emu.py" \
	--host 127.0.0.1 --port "$MW_MAUTIC_PORT" \
	--cert "$T/server.crt" --key "$T/server.key" \
	--pidfile "$PIDFILE" --log "$M/requests.jsonl"
for ((i = 0; i < 500; i++)); do
	healthy && break
	running "$PIDFILE" || die "the emulator exited, see $M/emu.log"
	sleep 0.02
done
healthy || die "the emulator does not answer $URL/_emu/health, see $M/emu.log"
report mautic started "$URL" "$t0"
