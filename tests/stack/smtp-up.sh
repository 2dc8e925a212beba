#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Start the SMTP sink (tests/stack/smtp-sink.py, aiosmtpd) on
# 127.0.0.1:$MW_SMTP_PORT.  Messages land in $MW_STATE/smtp/mail/<n>.eml and
# $MW_STATE/smtp/mail.jsonl.  Idempotent: a running sink is left alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

S="$MW_STATE/smtp"
PIDFILE=$(pidfile_of smtp)
t0=$(now_ms)
mkdir -p "$S/mail"

if running "$PIDFILE" && port_busy "$MW_SMTP_PORT"; then
	report smtp running "smtp://127.0.0.1:$MW_SMTP_PORT" "$t0"
	exit 0
fi
stop_group "$PIDFILE" 5 || die "cannot stop the old SMTP sink"
require_port_free "$MW_SMTP_PORT" "the SMTP sink" MW_SMTP_PORT

start_group "$PIDFILE" "$S/sink.log" "$MW_PYTHON" "$MW_STACK/smtp-sink.py" \
	--host 127.0.0.1 --port "$MW_SMTP_PORT" --dir "$S"
wait_for_port "$MW_SMTP_PORT" 20 "$PIDFILE" ||
	die "the SMTP sink did not start, see $S/sink.log"
report smtp started "smtp://127.0.0.1:$MW_SMTP_PORT" "$t0"
