#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Start a throwaway MariaDB for the tests (docs/testing.md): datadir $MW_STATE/db/data, socket $MW_STATE/db/mysqld.sock,
# TCP 127.0.0.1:$MW_DB_PORT, utf8mb4 server charset.
#
# Idempotent: when the server already answers it only re-checks the users
# and rewrites root.cnf.  After a kill -9 the leftovers are cleared and
# InnoDB recovers on the next start.  On the first start it sets root's
# password (rootpw), creates database `wordpress` and the user wp/wppw at
# 127.0.0.1 and localhost, and loads sql/ via db-reset.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

D="$MW_STATE/db"
DATA="$D/data"
PIDFILE=$(pidfile_of db)
t0=$(now_ms)
mkdir -p "$D"
chmod 0755 "$D"

write_root_cnf() {
	umask 077
	cat >"$D/root.cnf" <<-EOF
		[client]
		user=root
		password=$MW_DB_ROOT_PASSWORD
		socket=$MW_DB_SOCKET
		default-character-set=utf8mb4
	EOF
	umask 022
}

# Users and grants; safe to run again.
setup_users() {
	db_root --batch <<-EOF
		ALTER USER root@localhost IDENTIFIED VIA unix_socket
		    OR mysql_native_password USING PASSWORD('$MW_DB_ROOT_PASSWORD');
		CREATE DATABASE IF NOT EXISTS wordpress
		    DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;
		CREATE USER IF NOT EXISTS 'wp'@'127.0.0.1' IDENTIFIED BY 'wppw';
		CREATE USER IF NOT EXISTS 'wp'@'localhost' IDENTIFIED BY 'wppw';
		GRANT ALL ON wordpress.* TO 'wp'@'127.0.0.1';
		GRANT ALL ON wordpress.* TO 'wp'@'localhost';
	EOF
	# Anonymous users would shadow wp@localhost.
	db_root --batch --skip-column-names -e \
		"SELECT CONCAT('DROP USER ''''@''', host, ''';') FROM mysql.user WHERE user = ''" |
		db_root --batch
}

# Load sql/ when the database has no tables (first start, or a first start
# that was interrupted before the load).
load_if_empty() {
	local n
	n=$(db_root --batch --skip-column-names -e "SELECT COUNT(*) FROM
	    information_schema.tables WHERE table_schema = 'wordpress'")
	[ "$n" = 0 ] || return 0
	"$MW_STACK/db-reset.sh"
}

if running "$PIDFILE" && db_ping; then
	setup_users
	write_root_cnf
	load_if_empty
	report db running "127.0.0.1:$MW_DB_PORT $MW_DB_SOCKET" "$t0"
	exit 0
fi

# Not (properly) up: end whatever is left of an earlier instance.
if running "$PIDFILE"; then
	log "mariadbd is running but does not answer; restarting it"
fi
stop_group "$PIDFILE" 20 || die "cannot stop the old mariadbd"
require_port_free "$MW_DB_PORT" MariaDB MW_DB_PORT
rm -f "$MW_DB_SOCKET" "$MW_DB_SOCKET.lock"

if [ ! -d "$DATA/mysql" ]; then
	# Install into a temporary dir so an interrupted install is redone.
	rm -rf "$DATA" "$DATA.new"
	mariadb-install-db --no-defaults --datadir="$DATA.new" --user=root \
		--auth-root-authentication-method=socket --skip-test-db \
		--skip-name-resolve >"$D/install.log" 2>&1 ||
		die "mariadb-install-db failed, see $D/install.log"
	mv "$DATA.new" "$DATA"
fi

# Temporary tables under the state dir, not /tmp, which other test runs
# on the machine clean up.
mkdir -p "$D/tmp"
start_group "$PIDFILE" "$D/mysqld.out" \
	mariadbd --no-defaults --datadir="$DATA" --socket="$MW_DB_SOCKET" \
	--tmpdir="$D/tmp" \
	--pid-file="$PIDFILE" --port="$MW_DB_PORT" --bind-address=127.0.0.1 \
	--skip-name-resolve --user=root --log-error="$D/mysqld.log" \
	--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
	--innodb-flush-log-at-trx-commit=2 --skip-log-bin

for ((i = 0; i < 600; i++)); do
	db_ping && break
	running "$PIDFILE" || die "mariadbd exited, see $D/mysqld.log"
	sleep 0.05
done
db_ping || die "mariadbd does not answer after 30 s, see $D/mysqld.log"

setup_users
write_root_cnf
load_if_empty
report db started "127.0.0.1:$MW_DB_PORT $MW_DB_SOCKET" "$t0"
