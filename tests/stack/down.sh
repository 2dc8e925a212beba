#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Stop the test stack under $MW_STATE: every server's whole process group
# (Apache children, nginx workers, fcgiwrap workers, CGIs still running),
# SIGTERM first and SIGKILL after a timeout.  Also clears what a kill -9
# left behind.  Data stays; --purge also deletes $MW_STATE.
#
# Usage: tests/stack/down.sh [--purge] [component ...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purge=
if [ "${1:-}" = --purge ]; then
	purge=1
	shift
fi
t0=$(now_ms)
if [ $# -eq 0 ]; then
	# shellcheck disable=SC2086
	set -- $MW_COMPONENTS
fi
check_components "$@"

stop() {
	local name=$1 timeout=$2 t pf
	t=$(now_ms)
	pf=$(pidfile_of "$name")
	if ! pidfile_pid "$pf" >/dev/null; then
		return 0
	fi
	if stop_group "$pf" "$timeout"; then
		report "$name" stopped "" "$t"
	else
		report "$name" FAILED "processes left in its group" "$t"
		rc=1
	fi
}

rc=0
# Front ends first, the database last.
for c in nginx apache wordpress mautic smtp redis galera db; do
	case " $* " in
	*" $c "*) ;;
	*) continue ;;
	esac
	case $c in
	nginx)
		stop nginx 10
		stop fcgiwrap 5
		rm -f "$MW_STATE/fcgi/fcgiwrap.sock"
		# The persistent mode's spawn-fcgi children (tests/stack/fcgi-up.sh).
		pkill -TERM -f -- "$MW_STATE/fcgi-bin/mautic-wp.cgi" 2>/dev/null || true
		sleep 0.2
		pkill -KILL -f -- "$MW_STATE/fcgi-bin/mautic-wp.cgi" 2>/dev/null || true
		rm -f "$MW_STATE/fcgi/mautic-wp.sock" "$MW_STATE/fcgi/spawn-fcgi.pid"
		;;
	db) stop db 30 ;;
	galera)
		# The joined nodes first, the one that bootstrapped last (the
		# last to leave is the safe one to bootstrap from again).
		for n in 3 2 1; do
			if pidfile_pid "$(galera_pidfile $n)" >/dev/null; then
				t=$(now_ms)
				if stop_group "$(galera_pidfile $n)" 30; then
					report "galera$n" stopped "" "$t"
				else
					report "galera$n" FAILED "processes left in its group" "$t"
					rc=1
				fi
			fi
		done
		;;
	*) stop "$c" 10 ;;
	esac
done

# Anything else still naming the state dir is reported (not killed: it may
# be a test's own tail -f).
left=$(pgrep -a -f -- "$MW_STATE/" 2>/dev/null || true)
if [ -n "$left" ]; then
	log "warning: processes still refer to $MW_STATE:"
	echo "$left" >&2
fi

if [ -n "$purge" ] && [ $rc -eq 0 ]; then
	if [ -f "$MW_STATE/stack.env" ] || [ -d "$MW_STATE/db" ] ||
		[ -d "$MW_STATE/apache" ] || [ -d "$MW_STATE/nginx" ]; then
		rm -rf "$MW_STATE"
		log "removed $MW_STATE"
	else
		log "not removing $MW_STATE: it does not look like a stack dir"
	fi
fi
report total down "" "$t0"
exit $rc
