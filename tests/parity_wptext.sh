#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sanitize_text_field() parity: WordPress's own function (run by
# tests/unit/wptext_parity.php on the installed WordPress) and our port
# (tests/unit/wptext_dump.c over lib/formats/wptext.c) on the same inputs
# (tests/data/wptext-text-cases.txt: multi-line text, markup, %XX octets,
# invalid UTF-8).  Any byte of difference fails.  Inputs with a NUL byte are
# left out (a C string cannot carry one; Mautic's JSON never does).
# Without php or WordPress (WP_DIR, default /usr/share/wordpress) the test
# is skipped (77), or fails under CI=true.
#
# Usage: tests/parity_wptext.sh SRCDIR DUMP-PROGRAM OUTDIR
set -eu
src=$1
dump=$2
out=$3
wp=${WP_DIR:-/usr/share/wordpress}
cases=$src/tests/data/wptext-text-cases.txt
missing=
command -v php >/dev/null 2>&1 || missing="php"
[ -f "$wp/wp-includes/formatting.php" ] || missing="${missing:+$missing, }WordPress in $wp"
if [ -n "$missing" ]; then
	echo "parity_wptext: SKIP: no $missing" >&2
	if [ "${CI:-}" = true ]; then
		echo "parity_wptext: CI=true, so a skip is a failure" >&2
		exit 1
	fi
	exit 77
fi
mkdir -p "$out"
"$dump" "$cases" >"$out/ours.txt"
WP_DIR=$wp php "$src/tests/unit/wptext_parity.php" "$cases" |
	awk -F '\t' '$2 == "text"' >"$out/wordpress.txt"
# Leave out the cases we cannot pass through a C string.
nul=$(awk -F '\t' '$3 == "!NUL" { print $1 }' "$out/ours.txt" | tr '\n' ' ')
for f in ours wordpress; do
	awk -F '\t' -v skip=" $nul" 'index(skip, " " $1 " ") == 0' \
		"$out/$f.txt" >"$out/$f.cmp"
done
n=$(wc -l <"$out/ours.cmp")
if [ "$n" -lt 10 ] || ! cmp -s "$out/ours.cmp" "$out/wordpress.cmp"; then
	echo "parity_wptext: our sanitize_text_field() differs from WordPress's ($n cases):" >&2
	diff "$out/wordpress.cmp" "$out/ours.cmp" >&2 || true
	exit 1
fi
echo "parity_wptext: $n cases, every byte the same as WordPress's sanitize_text_field()"
