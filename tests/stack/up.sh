#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bring up the test stack under $MW_STATE (default /tmp/mw).
#
# Usage: tests/stack/up.sh [component ...]
#   components: db redis mautic smtp apache nginx wordpress (default: all, in
#   that order; wordpress needs db)
#
# First it creates the state layout (owners and modes), installs the CGI
# ($MW_CGI, default build/dev/cgi-bin/mautic-wp.cgi, if it was built) and
# builds hello.cgi, and writes $MW_STATE/stack.env, a shell-sourceable file
# with the stack's addresses.  Then it runs each component's *-up.sh, which
# print one line each: name, state, address, seconds.  Every step is
# idempotent; run it again at any time, also after a kill -9.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(now_ms)
if [ $# -eq 0 ]; then
	# shellcheck disable=SC2086
	set -- $MW_DEFAULT_COMPONENTS
fi
check_components "$@"

make_state_dirs
if install_cgi "$MW_CGI"; then
	report cgi installed "$MW_STATE/cgi-bin/mautic-wp.cgi" "$t0"
else
	report cgi missing "$MW_CGI not built (hello.cgi only)" "$t0"
fi
build_hello

# stack.env: KEY=VALUE lines for tests (". $MW_STATE/stack.env").
{
	echo "# Written by tests/stack/up.sh"
	for kv in \
		"MW_STATE=$MW_STATE" \
		"MW_DB_HOST=127.0.0.1" \
		"MW_DB_PORT=$MW_DB_PORT" \
		"MW_DB_SOCKET=$MW_DB_SOCKET" \
		"MW_DB_USER=wp" \
		"MW_DB_PASSWORD=wppw" \
		"MW_DB_NAME=wordpress" \
		"MW_DB_ROOT_CNF=$MW_STATE/db/root.cnf" \
		"MW_MAUTIC_PORT=$MW_MAUTIC_PORT" \
		"MW_MAUTIC_URL=https://127.0.0.1:$MW_MAUTIC_PORT" \
		"MW_CA=$MW_CA" \
		"MW_APACHE_PORT=$MW_APACHE_PORT" \
		"MW_APACHE_URL=http://127.0.0.1:$MW_APACHE_PORT/cgi-bin/mautic-wp.cgi" \
		"MW_NGINX_PORT=$MW_NGINX_PORT" \
		"MW_NGINX_URL=http://127.0.0.1:$MW_NGINX_PORT/cgi-bin/mautic-wp.cgi" \
		"MW_SMTP_PORT=$MW_SMTP_PORT" \
		"MW_SMTP_URL=smtp://127.0.0.1:$MW_SMTP_PORT" \
		"MW_WP_PORT=$MW_WP_PORT" \
		"MW_WP_URL=http://127.0.0.1:$MW_WP_PORT" \
		"MW_WP_CONFIG_NAME=$WP_CONFIG_NAME" \
		"MW_CGI_DIR=$MW_STATE/cgi-bin" \
		"MW_CONFIG=$MW_CONFIG" \
		"MW_CACHE_DIR=$MW_STATE/cache" \
		"MW_SPOOL_DIR=$MW_STATE/spool" \
		"MW_LOG_DIR=$MW_STATE/logs" \
		"MW_REDIS_PORT=$MW_REDIS_PORT" \
		"MW_REDIS_URL=redis://127.0.0.1:$MW_REDIS_PORT/0" \
		"MW_REDIS_SOCKET=$MW_REDIS_SOCKET"; do
		printf '%s=%q\n' "${kv%%=*}" "${kv#*=}"
	done
} >"$MW_STATE/stack.env.new"
mv -f "$MW_STATE/stack.env.new" "$MW_STATE/stack.env"

for c in "$@"; do
	"$MW_STACK/$c-up.sh"
done
report total up "$MW_STATE/stack.env" "$t0"
