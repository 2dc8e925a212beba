#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Drop and recreate the test database and reload sql/wp-schema.sql and
# sql/wp-fresh-site.sql, in one client session (about 0.1-0.3 s).
#
# Usage: tests/stack/db-reset.sh [PREFIX] [EXTRA.sql ...]
#   PREFIX     table prefix, default wp_.  Any other prefix is substituted on
#              the fly in table names (`wp_...`) and in the prefixed names
#              'wp_user_roles', 'wp_capabilities' and 'wp_user_level'.
#   EXTRA.sql  further files loaded afterwards, with the same substitution.
# Env: MW_STATE (server socket), MW_DB_NAME (default wordpress),
# MW_RESET_SOCKET (another server's socket: a Galera node, galera-up.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
MW_DB_SOCKET=${MW_RESET_SOCKET:-$MW_DB_SOCKET}

prefix=${1:-wp_}
[ $# -gt 0 ] && shift
[[ $prefix =~ ^[A-Za-z0-9_]{1,32}$ ]] || die "bad table prefix '$prefix'"
db=${MW_DB_NAME:-wordpress}
[[ $db =~ ^[A-Za-z0-9_]{1,64}$ ]] || die "bad database name '$db'"

files=("$MW_ROOT/sql/wp-schema.sql" "$MW_ROOT/sql/wp-fresh-site.sql" "$@")
for f in "${files[@]}"; do
	[ -r "$f" ] || die "cannot read $f"
done
[ -S "$MW_DB_SOCKET" ] || die "no MariaDB socket at $MW_DB_SOCKET (run tests/stack/db-up.sh)"

t0=$(now_ms)
{
	echo "SET sql_notes = 0;"
	echo "DROP DATABASE IF EXISTS \`$db\`;"
	echo "CREATE DATABASE \`$db\` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;"
	echo "USE \`$db\`;"
	if [ "$prefix" = wp_ ]; then
		cat "${files[@]}"
	else
		sed -e "s/\`wp_/\`$prefix/g" \
			-e "s/'wp_user_roles'/'${prefix}user_roles'/g" \
			-e "s/'wp_capabilities'/'${prefix}capabilities'/g" \
			-e "s/'wp_user_level'/'${prefix}user_level'/g" \
			"${files[@]}"
	fi
} | db_root --batch
[ -t 2 ] && log "$db reloaded with prefix $prefix in $(elapsed "$t0") s"
exit 0
