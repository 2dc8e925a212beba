# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers shared by the tests/stack/*.sh scripts.  Source it from bash:
#
#	. "$(dirname "$0")/lib.sh"
#
# It sets the stack's environment variables to their defaults (existing
# values win) and defines small helpers.  Every server is started as a
# process-group leader (setsid or its own daemonizing), its PID recorded in a
# pid file, so that stop_group can end the whole group, children included:
# a killed Apache or nginx master leaves its children holding the port, and
# fcgiwrap's children outlive a SIGTERM to their parent (docs/testing.md).

# ---- defaults ------------------------------------------------------------
: "${MW_STATE:=/tmp/mw}"
: "${MW_DB_PORT:=33306}"
: "${MW_APACHE_PORT:=18081}"
: "${MW_NGINX_PORT:=18082}"
: "${MW_MAUTIC_PORT:=18443}"
: "${MW_SMTP_PORT:=12525}"
: "${MW_WP_PORT:=18083}"
: "${MW_REDIS_PORT:=16379}"
# The three-node Galera cluster (galera-up.sh): SQL ports from
# MW_GALERA_PORT, group communication ports from MW_GALERA_GCOMM_PORT in
# steps of 10 (each node's IST and rsync ports are the next two).  Below
# the kernel's ephemeral range (32768-60999): a port that a joining node
# opens late (IST, rsync) must not have been taken meanwhile by some
# client connection's local end.
: "${MW_GALERA_PORT:=24306}"
: "${MW_GALERA_GCOMM_PORT:=24567}"
# WordPress reads /etc/wordpress/config-$WP_CONFIG_NAME.php (global: give
# each state dir its own name when several stacks run).
: "${WP_CONFIG_NAME:=mwtest}"

# Absolute path of the repository (the directory holding tests/stack/).
repo_root() {
	(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
}
MW_ROOT=$(repo_root)
: "${MW_CGI:=$MW_ROOT/build/dev/cgi-bin/mautic-wp.cgi}"
MW_STACK="$MW_ROOT/tests/stack"
# Debian's python, which sees python3-aiosmtpd (the python3 on PATH may be
# another one that does not see Debian's python3-* packages).
MW_PYTHON=/usr/bin/python3

MW_STATE=${MW_STATE%/}
case $MW_STATE in
/*) ;;
*) MW_STATE="$PWD/$MW_STATE" ;;
esac
MW_DB_SOCKET="$MW_STATE/db/mysqld.sock"
MW_CA="$MW_STATE/tls/ca.crt"
MW_CONFIG="$MW_STATE/etc/mautic-wp.conf"
MW_REDIS_SOCKET="$MW_STATE/redis/redis.sock"
export MW_STATE MW_DB_PORT MW_APACHE_PORT MW_NGINX_PORT MW_MAUTIC_PORT \
	MW_SMTP_PORT MW_WP_PORT WP_CONFIG_NAME MW_CGI MW_DB_SOCKET MW_CA MW_CONFIG \
	MW_ROOT MW_STACK MW_PYTHON MW_REDIS_PORT MW_REDIS_SOCKET MW_GALERA_PORT \
	MW_GALERA_GCOMM_PORT

# ---- logging -------------------------------------------------------------
# log MESSAGE...: one line on stderr, prefixed with the script's name.
log() {
	printf '%s: %s\n' "${MW_LOG_TAG:-$(basename "$0" .sh)}" "$*" >&2
}

# die MESSAGE...: log and exit 1.
die() {
	log "error: $*"
	exit 1
}

# now_ms: milliseconds since the epoch.
now_ms() {
	date +%s%3N
}

# elapsed START_MS: seconds since START_MS, e.g. "0.42".
elapsed() {
	local d=$(($(now_ms) - $1))
	printf '%d.%02d' $((d / 1000)) $((d % 1000 / 10))
}

# report NAME STATE WHERE START_MS: the one-line summary each *-up.sh prints.
report() {
	printf '%-7s %-8s %-52s %6ss\n' "$1" "$2" "$3" "$(elapsed "$4")"
}

# ---- processes -----------------------------------------------------------
# pid_alive PID: true if PID exists and is not a zombie (PID 1 here reaps
# orphans late, and kill -0 succeeds on a zombie).
pid_alive() {
	local stat rest
	[ -n "${1:-}" ] || return 1
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	rest=${stat##*) }
	[ "${rest%% *}" != Z ]
}

# pgrp_members PGID: PIDs of the live (non-zombie) processes in group PGID.
pgrp_members() {
	local f stat rest state pgrp
	for f in /proc/[0-9]*/stat; do
		read -r stat 2>/dev/null <"$f" || continue
		rest=${stat##*) }
		read -r state _ pgrp _ <<<"$rest"
		if [ "$pgrp" = "$1" ] && [ "$state" != Z ]; then
			f=${f#/proc/}
			echo "${f%/stat}"
		fi
	done
}

# boot_time: the kernel's boot time in epoch seconds.
boot_time() {
	awk '/^btime/ { print $2 }' /proc/stat
}

# pidfile_pid PIDFILE: print the PID recorded in PIDFILE if the file was
# written since the last boot (a guard against PID reuse); else fail and
# remove a stale file.  The process itself may be dead.
pidfile_pid() {
	local pid mtime
	[ -f "$1" ] || return 1
	mtime=$(stat -c %Y "$1" 2>/dev/null) || return 1
	pid=$(tr -dc 0-9 <"$1" 2>/dev/null)
	if [ -z "$pid" ] || [ "$mtime" -lt "$(boot_time)" ]; then
		rm -f "$1"
		return 1
	fi
	echo "$pid"
}

# running PIDFILE: true if the pid file's process is alive.
running() {
	local pid
	pid=$(pidfile_pid "$1") && pid_alive "$pid"
}

# stop_group PIDFILE [TIMEOUT_S]: SIGTERM the process group led by the
# PIDFILE's process (also when the leader is already gone but members such
# as Apache children or fcgiwrap workers are left), wait up to
# TIMEOUT_S seconds (default 10), then SIGKILL whatever is left.  Removes the
# pid file.  Returns 0 when nothing of the group is left.
# Without its leader a group gets only 1 s: an orphaned Apache event-MPM
# child catches SIGTERM but sits in a pipe read waiting for its dead parent.
stop_group() {
	local pidfile=$1 timeout=${2:-10} pid members i
	pid=$(pidfile_pid "$pidfile") || return 0
	members=$(pgrp_members "$pid")
	if pid_alive "$pid"; then
		members="$members $pid"
	elif [ "$timeout" -gt 1 ]; then
		timeout=1
	fi
	if [ -n "${members// /}" ]; then
		kill -TERM -- "-$pid" 2>/dev/null || true
		# shellcheck disable=SC2086
		kill -TERM $members 2>/dev/null || true
		for ((i = 0; i < timeout * 20; i++)); do
			members=$(pgrp_members "$pid")
			pid_alive "$pid" && members="$members $pid"
			[ -z "${members// /}" ] && break
			sleep 0.05
		done
		if [ -n "${members// /}" ]; then
			log "SIGKILL to what is left of group $pid:" "$members"
			kill -KILL -- "-$pid" 2>/dev/null || true
			# shellcheck disable=SC2086
			kill -KILL $members 2>/dev/null || true
			for ((i = 0; i < 40; i++)); do
				members=$(pgrp_members "$pid")
				pid_alive "$pid" && members="$members $pid"
				[ -z "${members// /}" ] && break
				sleep 0.05
			done
		fi
	fi
	rm -f "$pidfile"
	[ -z "${members// /}" ]
}

# start_group PIDFILE LOGFILE CMD [ARG...]: run CMD in the background as the
# leader of a new session and process group, stdin from /dev/null and
# stdout+stderr appended to LOGFILE.  The PID is written to PIDFILE before
# CMD is exec'd (so it is right even if CMD also writes it).
start_group() {
	local pidfile=$1 logfile=$2
	shift 2
	# shellcheck disable=SC2016 # $$ and $@ belong to the inner sh
	setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" \
		</dev/null >>"$logfile" 2>&1 &
	# setsid forks when the caller is a group leader; wait for the file.
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$pidfile" ] && return 0
		sleep 0.01
	done
	die "$1: no pid file written"
}

# ---- ports ---------------------------------------------------------------
# port_listeners PORT: socket inodes listening on TCP PORT (v4 and v6).
port_listeners() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p {
		print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# port_owners PORT: "pid(comm)" of the processes holding a listening socket
# on PORT (needs root to see other users' processes).
port_owners() {
	local inodes ino fd pid
	inodes=" $(port_listeners "$1" | tr '\n' ' ') "
	[ -n "${inodes// /}" ] || return 0
	for fd in /proc/[0-9]*/fd/*; do
		ino=$(readlink "$fd" 2>/dev/null) || continue
		case $ino in socket:*) ;; *) continue ;; esac
		ino=${ino#socket:[}
		ino=${ino%]}
		case $inodes in
		*" $ino "*)
			pid=${fd#/proc/}
			pid=${pid%%/*}
			echo "$pid($(cat "/proc/$pid/comm" 2>/dev/null))"
			;;
		esac
	done | sort -u | paste -sd ' '
}

# port_busy PORT: true if something listens on TCP PORT.
port_busy() {
	[ -n "$(port_listeners "$1")" ]
}

# require_port_free PORT WHAT VAR: die clearly if PORT is taken.  Call it
# after our own leftovers have been stopped, so anything there is not ours.
require_port_free() {
	local owners
	port_busy "$1" || return 0
	owners=$(port_owners "$1")
	die "port $1 (for $2) is already in use by ${owners:-another process}:" \
		"stop it or set $3 to a free port"
}

# wait_for_port PORT [TIMEOUT_S [PIDFILE]]: wait until 127.0.0.1:PORT accepts
# TCP connections.  Fails after TIMEOUT_S (default 20) seconds, or at once
# when PIDFILE is given and its process has died.
wait_for_port() {
	local port=$1 timeout=${2:-20} pidfile=${3:-} i
	for ((i = 0; i < timeout * 50; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		if [ -n "$pidfile" ] && ! running "$pidfile"; then
			return 1
		fi
		sleep 0.02
	done
	return 1
}

# ---- files ---------------------------------------------------------------
# check_traversable DIR: die unless DIR and all its parents are o+x, which
# the CGI children running as www-data need (Apache answers 403 otherwise).
check_traversable() {
	local d=$1
	while [ -n "$d" ] && [ "$d" != / ]; do
		if [ -d "$d" ] && [ -z "$(find "$d" -maxdepth 0 -perm -o+x)" ]; then
			die "$d is not searchable by others (o+x); www-data" \
				"cannot reach $1: use another MW_STATE"
		fi
		d=$(dirname "$d")
	done
}

# make_state_dirs: create $MW_STATE's layout with its owners and modes.
make_state_dirs() {
	check_traversable "$(dirname "$MW_STATE")"
	mkdir -p "$MW_STATE"
	chmod 0755 "$MW_STATE"
	local d
	for d in db apache apache/run nginx nginx/tmp tls mautic smtp \
		smtp/mail cgi-bin etc logs; do
		mkdir -p "$MW_STATE/$d"
		chmod 0755 "$MW_STATE/$d"
	done
	mkdir -p "$MW_STATE/fcgi" "$MW_STATE/cache" "$MW_STATE/spool"
	chown www-data:www-data "$MW_STATE/fcgi" "$MW_STATE/cache" "$MW_STATE/spool"
	chmod 0755 "$MW_STATE/fcgi"
	chmod 0700 "$MW_STATE/cache" "$MW_STATE/spool"
	check_traversable "$MW_STATE/cgi-bin"
}

# install_core CGI: copy the program's core that was built with the CGI
# at PATH (../mautic-wp/mautic-wp-core.so beside its directory) to
# $MW_STATE/mautic-wp/, where the copies in cgi-bin/ and fcgi-bin/ look for
# it.  Renamed into place: processes that have the old one loaded keep it.
install_core() {
	local core dst="$MW_STATE/mautic-wp/mautic-wp-core.so"
	core="$(dirname "$1")/../mautic-wp/mautic-wp-core.so"
	[ -f "$core" ] || return 1
	mkdir -p "$MW_STATE/mautic-wp"
	chmod 0755 "$MW_STATE/mautic-wp"
	cp "$core" "$dst.tmp.$$"
	chmod 0644 "$dst.tmp.$$"
	mv -f "$dst.tmp.$$" "$dst"
}

# install_cgi [PATH]: copy the built CGI (default $MW_CGI) to
# $MW_STATE/cgi-bin/mautic-wp.cgi, 0755, with its core.  The copy is
# renamed into place, so a request running the old binary is never served
# a half-written file and the copy never fails with "Text file busy".
install_cgi() {
	local src=${1:-$MW_CGI} dst="$MW_STATE/cgi-bin/mautic-wp.cgi"
	[ -f "$src" ] || return 1
	install_core "$src" || return 1
	mkdir -p "$MW_STATE/cgi-bin"
	cp "$src" "$dst.tmp.$$"
	chmod 0755 "$dst.tmp.$$"
	mv -f "$dst.tmp.$$" "$dst"
}

# build_hello: (re)build $MW_STATE/cgi-bin/hello.cgi from tests/stack/hello.c
# when the source is newer.
build_hello() {
	local src="$MW_STACK/hello.c" dst="$MW_STATE/cgi-bin/hello.cgi"
	[ "$dst" -nt "$src" ] && return 0
	${CC:-cc} -O2 -Wall -Wextra -Werror -o "$dst.tmp.$$" "$src" ||
		die "cannot build $dst"
	chmod 0755 "$dst.tmp.$$"
	mv -f "$dst.tmp.$$" "$dst"
}

# ---- MariaDB client ------------------------------------------------------
# Root authenticates "via unix_socket OR mysql_native_password": the
# password is ignored while unix_socket alone is set (fresh datadir) and used
# when the caller is not OS root.
MW_DB_ROOT_PASSWORD=rootpw

# db_root [ARGS...]: the mariadb client as root over the socket.
db_root() {
	mariadb --no-defaults --socket="$MW_DB_SOCKET" -uroot \
		--password="$MW_DB_ROOT_PASSWORD" \
		--default-character-set=utf8mb4 "$@"
}

# db_ping: true if the server answers on its socket.
db_ping() {
	mariadb-admin --no-defaults --socket="$MW_DB_SOCKET" -uroot \
		--password="$MW_DB_ROOT_PASSWORD" --connect-timeout=2 \
		ping >/dev/null 2>&1
}

# ---- the Galera nodes (galera-up.sh) -------------------------------------
galera_sql_port() { echo $((MW_GALERA_PORT + $1 - 1)); }
galera_socket() { echo "$MW_STATE/galera/node$1/mysqld.sock"; }
galera_pidfile() { echo "$MW_STATE/galera/node$1/mysqld.pid"; }

# ---- Redis client --------------------------------------------------------
# redis_ping: true if the test Redis of this state dir answers PING on its
# socket and listens on $MW_REDIS_PORT.
redis_ping() {
	[ "$(redis-cli -s "$MW_REDIS_SOCKET" ping 2>/dev/null)" = PONG ] &&
		[ "$(redis-cli -s "$MW_REDIS_SOCKET" --raw config get port 2>/dev/null |
			tail -n 1)" = "$MW_REDIS_PORT" ]
}

# ---- components ----------------------------------------------------------
# All components, in start order; MW_DEFAULT_COMPONENTS is what up.sh and
# down.sh do without arguments and what status.sh requires to be up.
# galera (three MariaDB Galera nodes) is started only when asked for.
MW_COMPONENTS="db redis mautic smtp apache nginx wordpress galera"
# shellcheck disable=SC2034 # used by up.sh and status.sh
MW_DEFAULT_COMPONENTS="db redis mautic smtp apache nginx wordpress"

# pidfile_of NAME: the pid file of a server (fcgiwrap is nginx's partner).
pidfile_of() {
	case $1 in
	db) echo "$MW_STATE/db/mysqld.pid" ;;
	redis) echo "$MW_STATE/redis/redis.pid" ;;
	mautic) echo "$MW_STATE/mautic/pid" ;;
	smtp) echo "$MW_STATE/smtp/pid" ;;
	apache) echo "$MW_STATE/apache/httpd.pid" ;;
	nginx) echo "$MW_STATE/nginx/nginx.pid" ;;
	wordpress) echo "$MW_STATE/wordpress/httpd.pid" ;;
	fcgiwrap) echo "$MW_STATE/fcgi/fcgiwrap.pid" ;;
	*) return 1 ;;
	esac
}

# port_of NAME: the TCP port of a server (none for fcgiwrap).
port_of() {
	case $1 in
	db) echo "$MW_DB_PORT" ;;
	redis) echo "$MW_REDIS_PORT" ;;
	mautic) echo "$MW_MAUTIC_PORT" ;;
	smtp) echo "$MW_SMTP_PORT" ;;
	apache) echo "$MW_APACHE_PORT" ;;
	nginx) echo "$MW_NGINX_PORT" ;;
	wordpress) echo "$MW_WP_PORT" ;;
	*) return 1 ;;
	esac
}

# check_components NAME...: die on a name that is not a component.
check_components() {
	local c
	for c in "$@"; do
		case " $MW_COMPONENTS " in
		*" $c "*) ;;
		*) die "unknown component '$c' (known: $MW_COMPONENTS)" ;;
		esac
	done
}
