#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Rerun lib/formats/gen_wptext_tables.php into OUTDIR and compare its output
# with the checked-in lib/formats/wptext_tables.c: any difference fails.
# Without php or WordPress (WP_DIR, default /usr/share/wordpress; Debian
# packages php-cli, php-mbstring, wordpress) the test is skipped (77), or
# fails under CI=true, where every tool is installed.
#
# Usage: tests/gen_wptext_tables.sh SRCDIR OUTDIR
set -eu
src=$1
out=$2
wp=${WP_DIR:-/usr/share/wordpress}
missing=
command -v php >/dev/null 2>&1 || missing="php"
[ -f "$wp/wp-includes/kses.php" ] || missing="${missing:+$missing, }WordPress in $wp"
if [ -n "$missing" ]; then
	echo "gen_wptext_tables: SKIP: no $missing" >&2
	if [ "${CI:-}" = true ]; then
		echo "gen_wptext_tables: CI=true, so a skip is a failure" >&2
		exit 1
	fi
	exit 77
fi
mkdir -p "$out"
if ! WP_DIR=$wp php "$src/lib/formats/gen_wptext_tables.php" \
	>"$out/wptext_tables.c"; then
	echo "gen_wptext_tables: the generator failed" >&2
	exit 1
fi
if ! diff -u "$src/lib/formats/wptext_tables.c" "$out/wptext_tables.c"; then
	echo "gen_wptext_tables: lib/formats/wptext_tables.c differs from what lib/formats/gen_wptext_tables.php prints; regenerate it (see its header)" >&2
	exit 1
fi
echo "gen_wptext_tables: lib/formats/wptext_tables.c is up to date"
