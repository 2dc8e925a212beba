#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Start a three-node MariaDB Galera cluster on 127.0.0.1 for the tests
# (docs/testing.md), from Debian's mariadb-server and galera-4, without
# systemd: node N (1-3) keeps its datadir, socket, pid file and logs under
# $MW_STATE/galera/nodeN and listens for SQL on $MW_GALERA_PORT+N-1
# (default 24306-24308).  Its group communication port is
# $MW_GALERA_GCOMM_PORT+10(N-1) (24567, 24577, 24587), incremental state
# transfer that plus 1 and rsync state transfer that plus 2; all below the
# ephemeral port range, so that no client connection holds them when a
# node opens them to join.
#
# Node 1 bootstraps the cluster (--wsrep-new-cluster) when no node runs;
# nodes 2 and 3 join it, receive the data by rsync and are waited for until
# wsrep_local_state_comment is Synced.  When some node is running and
# Synced, the missing ones join it instead (a killed node rejoins this way).
# On the first start the users of db-up.sh (root, wp/wppw) and the
# WordPress database (sql/, through db-reset.sh) are created on node 1 and
# replicate.  $MW_STATE/galera/galera.env holds the nodes' addresses.
#
# Usage: tests/stack/galera-up.sh [N ...]   (default: all three nodes)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

G="$MW_STATE/galera"
PROVIDER=/usr/lib/galera/libgalera_smm.so
t0=$(now_ms)
[ -f "$PROVIDER" ] || die "no $PROVIDER: install galera-4 (tests/stack/install-deps.sh)"
command -v rsync >/dev/null || die "no rsync: install it (tests/stack/install-deps.sh)"
mkdir -p "$G"
chmod 0755 "$G"

nodes=("$@")
[ ${#nodes[@]} -gt 0 ] || nodes=(1 2 3)
for n in "${nodes[@]}"; do
	case $n in 1 | 2 | 3) ;; *) die "unknown node '$n' (1, 2 or 3)" ;; esac
done

gcomm_port() { echo $((MW_GALERA_GCOMM_PORT + 10 * ($1 - 1))); }
cluster_address() {
	local n out=
	for n in 1 2 3; do out="$out${out:+,}127.0.0.1:$(gcomm_port $n)"; done
	echo "gcomm://$out"
}

# node_sql N [ARGS...]: the client as root on node N's socket.
node_sql() {
	local n=$1
	shift
	mariadb --no-defaults --socket="$(galera_socket "$n")" -uroot \
		--password="$MW_DB_ROOT_PASSWORD" --connect-timeout=2 \
		--default-character-set=utf8mb4 "$@"
}

# node_state N: wsrep_local_state_comment of node N, or nothing.
node_state() {
	node_sql "$1" --batch --skip-column-names -e \
		"SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null |
		awk '{ print $2 }'
}

node_synced() {
	[ "$(node_state "$1")" = Synced ]
}

# start_node N [--wsrep-new-cluster]
start_node() {
	local n=$1 d="$G/node$1" gp
	shift
	gp=$(gcomm_port "$n")
	mkdir -p "$d/data"
	# The nodes run as mysql: run as root, the joiner's rsync daemon
	# would write the transferred files as nobody.
	chown -R mysql:mysql "$d"
	rm -f "$(galera_socket "$n")" "$(galera_socket "$n").lock"
	require_port_free "$(galera_sql_port "$n")" "Galera node $n" MW_GALERA_PORT
	require_port_free "$gp" "Galera node $n's group communication" MW_GALERA_GCOMM_PORT
	start_group "$(galera_pidfile "$n")" "$d/mysqld.out" \
		mariadbd --no-defaults --datadir="$d/data" \
		--socket="$(galera_socket "$n")" --pid-file="$d/mariadbd.pid" \
		--port="$(galera_sql_port "$n")" --bind-address=127.0.0.1 \
		--skip-name-resolve --user=mysql --log-error="$d/mysqld.log" \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--innodb-flush-log-at-trx-commit=2 --innodb-buffer-pool-size=64M \
		--skip-log-bin --binlog-format=ROW --innodb-autoinc-lock-mode=2 \
		--default-storage-engine=InnoDB \
		--wsrep-on=ON --wsrep-provider="$PROVIDER" \
		--wsrep-cluster-name=mautic-wp-test \
		--wsrep-cluster-address="$(cluster_address)" \
		--wsrep-node-name="node$n" --wsrep-node-address="127.0.0.1:$gp" \
		--wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$gp;ist.recv_addr=127.0.0.1:$((gp + 1));gcache.size=64M" \
		--wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:$((gp + 2))" \
		"$@"
}

# wait_synced N TIMEOUT_S: 0 when node N is Synced, 1 when it exited.
wait_synced() {
	local n=$1 i
	for ((i = 0; i < $2 * 10; i++)); do
		node_synced "$n" && return 0
		running "$(galera_pidfile "$n")" || return 1
		sleep 0.1
	done
	die "node $n is not Synced after $2 s (state '$(node_state "$n")'), see $G/node$n/mysqld.log"
}

# join_node N: start node N into the running cluster and wait until it is
# Synced; a state transfer that failed (the node exits) is tried again.
join_node() {
	local n=$1 try
	for try in 1 2 3; do
		start_node "$n"
		wait_synced "$n" 90 && return 0
		log "node $n exited while joining (try $try), see $G/node$n/mysqld.log"
		stop_group "$(galera_pidfile "$n")" 5 || true
	done
	die "node $n could not join, see $G/node$n/mysqld.log"
}

# A node whose process runs but that is not Synced is restarted.
for n in "${nodes[@]}"; do
	pf=$(galera_pidfile "$n")
	if running "$pf" && ! node_synced "$n"; then
		log "node $n runs but is not Synced ($(node_state "$n")); restarting it"
		stop_group "$pf" 30 || die "cannot stop node $n"
	elif ! running "$pf"; then
		stop_group "$pf" 5 || true
	fi
done

synced=
for n in 1 2 3; do
	if running "$(galera_pidfile "$n")" && node_synced "$n"; then
		synced=$n
		break
	fi
done

fresh=
if [ -z "$synced" ]; then
	# No cluster: node 1 bootstraps it (from its own data when it has
	# some: the test stack's last state is good enough).
	n=1
	d="$G/node1"
	if [ ! -d "$d/data/mysql" ]; then
		rm -rf "$d/data" "$d/data.new"
		mkdir -p "$d"
		mariadb-install-db --no-defaults --datadir="$d/data.new" --user=mysql \
			--auth-root-authentication-method=socket --skip-test-db \
			--skip-name-resolve >"$G/install.log" 2>&1 ||
			die "mariadb-install-db failed, see $G/install.log"
		mv "$d/data.new" "$d/data"
		fresh=1
	elif [ -f "$d/data/grastate.dat" ]; then
		sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$d/data/grastate.dat"
	fi
	start_node 1 --wsrep-new-cluster
	wait_synced 1 60 || die "node 1 exited, see $G/node1/mysqld.log"
	synced=1
	if [ -n "$fresh" ]; then
		node_sql 1 --batch <<-EOF
			ALTER USER root@localhost IDENTIFIED VIA unix_socket
			    OR mysql_native_password USING PASSWORD('$MW_DB_ROOT_PASSWORD');
			CREATE USER IF NOT EXISTS 'wp'@'127.0.0.1' IDENTIFIED BY 'wppw';
			CREATE USER IF NOT EXISTS 'wp'@'localhost' IDENTIFIED BY 'wppw';
			GRANT ALL ON wordpress.* TO 'wp'@'127.0.0.1';
			GRANT ALL ON wordpress.* TO 'wp'@'localhost';
		EOF
	fi
fi
# The WordPress database, when the cluster has none yet (a first start, or
# one interrupted before the load).
if [ "$(node_sql "$synced" --batch --skip-column-names -e "SELECT COUNT(*) FROM
    information_schema.tables WHERE table_schema = 'wordpress'")" = 0 ]; then
	MW_RESET_SOCKET=$(galera_socket "$synced") "$MW_STACK/db-reset.sh"
fi

# The others join, one at a time (each one's rsync transfer makes its
# donor read-only for a moment).
for n in 1 2 3; do
	running "$(galera_pidfile "$n")" && continue
	case " ${nodes[*]} " in *" $n "*) ;; *) continue ;; esac
	mkdir -p "$G/node$n/data"
	join_node "$n"
done

{
	echo "# Written by tests/stack/galera-up.sh"
	for n in 1 2 3; do
		echo "MW_GALERA_NODE${n}_PORT=$(galera_sql_port "$n")"
		echo "MW_GALERA_NODE${n}_SOCKET=$(galera_socket "$n")"
		echo "MW_GALERA_NODE${n}_PID=$(galera_pidfile "$n")"
	done
} >"$G/galera.env.new"
mv -f "$G/galera.env.new" "$G/galera.env"
size=$(node_sql "$synced" --batch --skip-column-names -e \
	"SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'" | awk '{ print $2 }')
report galera up "127.0.0.1:$(galera_sql_port 1)-$(galera_sql_port 3), cluster size $size" "$t0"
