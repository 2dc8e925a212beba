#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The persistent (FastCGI) mode of the CGI: install the binary as
# $MW_STATE/fcgi-bin/mautic-wp.cgi, (re)start 4 spawn-fcgi children on
# unix:$MW_STATE/fcgi/mautic-wp.sock for nginx (/fcgi-bin/mautic-wp.cgi on
# $MW_NGINX_PORT), and restart Apache gracefully so that mod_fcgid starts
# fresh processes of the new binary (/fcgi-bin/mautic-wp.cgi on
# $MW_APACHE_PORT).  Their stderr: $MW_STATE/logs/spawn-fcgi.log for
# spawn-fcgi, Apache's error log for mod_fcgid.
#
# Usage: tests/stack/fcgi-up.sh [PATH-TO-BINARY]   (default $MW_CGI)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=${1:-$MW_CGI}
t0=$(now_ms)
[ -x "$src" ] || die "no binary at $src"
mkdir -p "$MW_STATE/fcgi-bin" "$MW_STATE/fcgi"
chmod 0755 "$MW_STATE/fcgi-bin"
install_core "$src" || die "no core built with $src"
cp "$src" "$MW_STATE/fcgi-bin/.mautic-wp.cgi.new"
chmod 0755 "$MW_STATE/fcgi-bin/.mautic-wp.cgi.new"
mv -f "$MW_STATE/fcgi-bin/.mautic-wp.cgi.new" "$MW_STATE/fcgi-bin/mautic-wp.cgi"

# spawn-fcgi: stop the old children (the pidfile lists every one).
PIDFILE="$MW_STATE/fcgi/spawn-fcgi.pid"
SOCK="$MW_STATE/fcgi/mautic-wp.sock"
if [ -f "$PIDFILE" ]; then
	while read -r pid || [ -n "$pid" ]; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	done <"$PIDFILE"
	for _ in $(seq 50); do
		alive=0
		while read -r pid || [ -n "$pid" ]; do
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1
		done <"$PIDFILE"
		[ $alive = 0 ] && break
		sleep 0.05
	done
	while read -r pid || [ -n "$pid" ]; do
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
	done <"$PIDFILE"
fi
rm -f "$SOCK" "$PIDFILE"
MAUTIC_WP_CONFIG="$MW_CONFIG" spawn-fcgi -s "$SOCK" -M 0660 -U www-data -G www-data \
	-u www-data -g www-data -F 4 -P "$PIDFILE" -d "$MW_STATE/fcgi-bin" \
	-- "$MW_STATE/fcgi-bin/mautic-wp.cgi" >>"$MW_STATE/logs/spawn-fcgi.log" 2>&1 ||
	die "spawn-fcgi failed, see $MW_STATE/logs/spawn-fcgi.log"
report spawn-fcgi started "unix:$SOCK (4 processes)" "$t0"

# mod_fcgid: a graceful restart ends its processes; new ones start on demand.
if running "$(pidfile_of apache)"; then
	apache2 -f "$MW_STATE/apache/httpd.conf" -k graceful ||
		die "Apache graceful restart failed"
	wait_for_port "$MW_APACHE_PORT" 10 || die "Apache did not come back"
	report mod_fcgid restarted "http://127.0.0.1:$MW_APACHE_PORT/fcgi-bin/" "$t0"
fi
