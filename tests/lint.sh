#!/bin/sh
# Lint: clang-format check and banned unsafe libc calls (a pocket checksrc).
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
exit $rc
