#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Lint: clang-format check and banned unsafe libc calls: no atoi/atol (use
# strparse.h, which bounds every number), no sprintf/strcpy/strcat/gets (use
# snprintf and buf.h), no strtok, no rand (use getrandom).
set -eu
cd "$1"
files=$(git ls-files 'lib/*.c' 'lib/*.h' 'cgi-bin/*.c' 'cgi-bin/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null || true)
[ -n "$files" ] || files=$(ls lib/*.c lib/*.h cgi-bin/*.c)
rc=0
if command -v clang-format >/dev/null 2>&1; then
	clang-format --dry-run -Werror $files || rc=1
else
	echo "lint: clang-format not installed" >&2
	rc=1
fi
if grep -nHE '\b(atoi|atol|sprintf|strcpy|strcat|gets|strtok|rand)[[:space:]]*\(' $files; then
	echo "lint: banned libc call (use strparse.h, snprintf, buf.h, getrandom)" >&2
	rc=1
fi
# Every source file says its licence in its first lines (test data and
# fuzz corpora are inputs, not sources).
srcs=$(git ls-files '*.c' '*.h' '*.py' '*.sh' '*.php' '*.sql' '*.lua' \
	'CMakeLists.txt' '*/CMakeLists.txt' .ci/run 2>/dev/null |
	grep -v -e '^tests/data/' -e '^tests/fuzz/corpus/' || true)
for f in $srcs; do
	if ! head -3 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-or-later'; then
		echo "lint: $f: no SPDX-License-Identifier line in its first 3 lines" >&2
		rc=1
	fi
done
exit $rc
