#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Show what runs of the test stack under $MW_STATE: per server its state,
# leader PID, process count and address.  Exit 0 when every server of the
# default set (lib.sh MW_DEFAULT_COMPONENTS) is up and no other one is broken,
# 3 otherwise.
#
# Usage: tests/stack/status.sh
set -uo pipefail
. "$(dirname "$0")/lib.sh"

rc=0
printf '%-9s %-8s %7s %5s  %s\n' NAME STATE PID PROCS ADDRESS
for c in db redis mautic smtp apache nginx fcgiwrap wordpress; do
	pf=$(pidfile_of "$c")
	port=$(port_of "$c" 2>/dev/null || true)
	case $c in
	db) addr="127.0.0.1:$MW_DB_PORT $MW_DB_SOCKET" ;;
	redis) addr="redis://127.0.0.1:$MW_REDIS_PORT $MW_REDIS_SOCKET" ;;
	mautic) addr="https://127.0.0.1:$MW_MAUTIC_PORT" ;;
	smtp) addr="smtp://127.0.0.1:$MW_SMTP_PORT" ;;
	apache) addr="http://127.0.0.1:$MW_APACHE_PORT/cgi-bin/" ;;
	nginx) addr="http://127.0.0.1:$MW_NGINX_PORT/cgi-bin/" ;;
	fcgiwrap) addr="unix:$MW_STATE/fcgi/fcgiwrap.sock" ;;
	wordpress) addr="http://127.0.0.1:$MW_WP_PORT/ (+/cgi-bin/)" ;;
	esac
	pid=-
	n=0
	if pid=$(pidfile_pid "$pf"); then
		n=$(pgrp_members "$pid" | wc -l)
		if pid_alive "$pid"; then
			state=up
			if [ -n "$port" ] && ! port_busy "$port"; then
				state=noport
			elif [ $c = db ] && ! db_ping; then
				state=noping
			elif [ $c = redis ] && ! redis_ping; then
				state=noping
			fi
		elif [ "$n" -gt 0 ]; then
			state=orphans	# leader gone, group members left
		else
			state=dead
		fi
	else
		pid=-
		state=down
		if [ -n "$port" ] && port_busy "$port"; then
			state="foreign"	# port taken by something else
			addr="$addr (held by $(port_owners "$port"))"
		fi
	fi
	# A component outside the default set may be down (never started).
	if [ "$state" != up ]; then
		case " $MW_DEFAULT_COMPONENTS fcgiwrap " in
		*" $c "*) rc=3 ;;
		*) [ "$state" = down ] || rc=3 ;;
		esac
	fi
	printf '%-9s %-8s %7s %5s  %s\n' "$c" "$state" "$pid" "$n" "$addr"
done
# The Galera nodes, when galera-up.sh has been run (optional: a node that
# is down is shown, a dead one fails).
for n in 1 2 3; do
	pf=$(galera_pidfile $n)
	[ -e "$pf" ] || [ -d "$MW_STATE/galera/node$n" ] || continue
	addr="127.0.0.1:$(galera_sql_port $n) $(galera_socket $n)"
	pid=-
	n_procs=0
	if pid=$(pidfile_pid "$pf"); then
		n_procs=$(pgrp_members "$pid" | wc -l)
		if pid_alive "$pid"; then
			st=$(mariadb --no-defaults --socket="$(galera_socket $n)" -uroot \
				--password="$MW_DB_ROOT_PASSWORD" --connect-timeout=2 \
				--batch --skip-column-names -e \
				"SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null |
				awk '{ print $2 }')
			state=${st:-noping}
			[ "$state" = Synced ] && state=up
		else
			state=dead
		fi
	else
		pid=-
		state=down
	fi
	case $state in up | down) ;; *) rc=3 ;; esac
	[ "$state" = up ] && addr="$addr (Synced)"
	printf '%-9s %-8s %7s %5s  %s\n' "galera$n" "$state" "$pid" "$n_procs" "$addr"
done
if [ -x "$MW_STATE/cgi-bin/mautic-wp.cgi" ]; then
	echo "cgi: $MW_STATE/cgi-bin/mautic-wp.cgi ($(stat -c '%s bytes, %y' "$MW_STATE/cgi-bin/mautic-wp.cgi"))"
else
	echo "cgi: not installed ($MW_CGI)"
fi
exit $rc
