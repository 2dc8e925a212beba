#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Start a throwaway Redis (Debian's redis-server) standing in for a
# WordPress site's persistent object cache (tests/integration/test_objcache.py):
# TCP 127.0.0.1:$MW_REDIS_PORT and socket $MW_STATE/redis/redis.sock, data
# dir $MW_STATE/redis, nothing saved to disk, no password (a test adds an
# ACL user when it needs AUTH).
#
# Idempotent: a server that answers PING is left alone; one that does not
# (or leftovers of a kill -9) is stopped and started again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

D="$MW_STATE/redis"
PIDFILE=$(pidfile_of redis)
t0=$(now_ms)
mkdir -p "$D"
chmod 0755 "$D"	# www-data reaches the socket (unix:// tests)

if running "$PIDFILE" && redis_ping; then
	report redis running "redis://127.0.0.1:$MW_REDIS_PORT $MW_REDIS_SOCKET" "$t0"
	exit 0
fi
if running "$PIDFILE"; then
	log "redis-server is running but does not answer on $MW_REDIS_SOCKET" \
		"and port $MW_REDIS_PORT; restarting it"
fi
stop_group "$PIDFILE" 10 || die "cannot stop the old redis-server"
require_port_free "$MW_REDIS_PORT" Redis MW_REDIS_PORT
rm -f "$MW_REDIS_SOCKET"

start_group "$PIDFILE" "$D/redis.out" \
	redis-server --port "$MW_REDIS_PORT" --bind 127.0.0.1 \
	--unixsocket "$MW_REDIS_SOCKET" --unixsocketperm 777 \
	--dir "$D" --daemonize no --supervised no --save "" --appendonly no \
	--logfile "$D/redis.log" --databases 16

for ((i = 0; i < 400; i++)); do
	redis_ping && break
	running "$PIDFILE" || die "redis-server exited, see $D/redis.log"
	sleep 0.05
done
redis_ping || die "redis-server does not answer after 20 s, see $D/redis.log"
report redis started "redis://127.0.0.1:$MW_REDIS_PORT $MW_REDIS_SOCKET" "$t0"
