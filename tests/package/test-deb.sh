#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package, end to end: build the release preset and the .deb
# (cpack), check what is in it, install it on this machine with apt, prove
# that the INSTALLED binary answers webhooks through a throwaway Apache that
# includes the PACKAGED snippet, then remove it (the conffile stays), purge
# it (everything goes) and leave the machine as it was.
#
# Usage (as root, on Debian 12, with the test stack up: tests/stack/up.sh):
#	tests/package/test-deb.sh
# Env:
#	MW_STATE		the test stack's state dir (default /tmp/mw)
#	MW_PKG_PORT		port of the throwaway Apache (default 18091)
#	MW_PKG_CONTACT		Mautic contact id used (default 42)
#	MW_PKG_CMAKE_ARGS	extra arguments for `cmake --preset release`
#	MW_PKG_KEEP=1		leave the package installed on failure, to look
#
# It resets the Mautic emulator and adds one user to the test database, so
# do not run it while the integration tests run.  A mautic-wp package that
# this script did not install is never touched: it stops instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
MW_LOG_TAG=test-deb
. tests/stack/lib.sh

PORT=${MW_PKG_PORT:-18091}
CID=${MW_PKG_CONTACT:-42}
CONF=/etc/mautic-wp/mautic-wp.conf
SNIPPET=/etc/apache2/conf-available/mautic-wp.conf
CGI=/usr/lib/cgi-bin/mautic-wp.cgi
CORE=/usr/lib/mautic-wp/mautic-wp-core.so
MARK="# written by tests/package/test-deb.sh"
A="$MW_STATE/pkg-apache"
PIDFILE="$A/httpd.pid"
APT=(apt-get -y -q --no-install-recommends -o DPkg::Lock::Timeout=900)
export DEBIAN_FRONTEND=noninteractive
T0=$(now_ms)
declare -a TIMES=()

[ "$(id -u)" -eq 0 ] || die "run as root (apt-get, dpkg, Apache as www-data)"
[ -r "$MW_STATE/stack.env" ] || die "no test stack at $MW_STATE: run tests/stack/up.sh"
# shellcheck disable=SC1091
. "$MW_STATE/stack.env"

phase_t=$(now_ms)
phase() {
	TIMES+=("$(printf '%-28s %6ss' "$1" "$(elapsed "$phase_t")")")
	phase_t=$(now_ms)
}
fail() {
	log "FAIL: $*"
	exit 1
}
# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# ---- cleanup: whatever happens, no Apache and (unless asked) no package --
made_policy='' ours=''
cleanup() {
	local rc=$?
	stop_group "$PIDFILE" 5 || true
	if [ -z "$ours" ]; then
		:
	elif [ "$rc" -ne 0 ] && [ "${MW_PKG_KEEP:-0}" = 1 ]; then
		log "MW_PKG_KEEP=1: mautic-wp left installed"
	elif dpkg-query -W -f='${db:Status-Status}' mautic-wp 2>/dev/null |
		grep -qv '^not-installed$'; then
		"${APT[@]}" purge mautic-wp >/dev/null 2>&1 ||
			dpkg --purge mautic-wp >/dev/null 2>&1 || true
	fi
	if [ -n "$made_policy" ]; then
		rm -f /usr/sbin/policy-rc.d
	fi
	[ "$rc" -eq 0 ] || log "failed after $(elapsed "$T0")s"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# No maintainer script of ours starts a service, but apt may pull in one
# that does (and a purge reloads Apache): keep them from binding :80.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 0755 /usr/sbin/policy-rc.d
	made_policy=1
fi

# ---- leftovers of an earlier run -------------------------------------------
stop_group "$PIDFILE" 5 || die "cannot stop the Apache of an earlier run"
status=$(dpkg-query -W -f='${db:Status-Status}' mautic-wp 2>/dev/null || true)
if [ -n "$status" ] && [ "$status" != not-installed ]; then
	if [ -f "$CONF" ] && head -n 1 "$CONF" | grep -qxF "$MARK"; then
		log "purging mautic-wp left by an earlier run"
		ours=1
		"${APT[@]}" purge mautic-wp >/dev/null
	else
		die "mautic-wp is installed ($status) and not by this script:" \
			"not touching it (purge it yourself on a test machine)"
	fi
fi
require_port_free "$PORT" "the package test's Apache" MW_PKG_PORT

# Tools this test needs beyond the build and stack dependencies.
need=()
command -v man >/dev/null || need+=(man-db)
command -v groff >/dev/null || need+=(groff-base)
command -v dpkg-shlibdeps >/dev/null || need+=(dpkg-dev)
command -v readelf >/dev/null || need+=(binutils)
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	"${APT[@]}" install "${need[@]}" >/dev/null
fi
phase "preparation"

# ---- build --------------------------------------------------------------
# shellcheck disable=SC2086 # MW_PKG_CMAKE_ARGS is a list of arguments
cmake --preset release ${MW_PKG_CMAKE_ARGS:-} >/dev/null
if ! cmake --build --preset release -j"$(nproc)" >build/release/pkg-build.log 2>&1; then
	tail -n 40 build/release/pkg-build.log >&2
	fail "release build (full log: build/release/pkg-build.log)"
fi
phase "build (release preset)"

rm -f build/release/mautic-wp_*.deb
(cd build/release && cpack -G DEB >cpack.log 2>&1) ||
	{ cat build/release/cpack.log >&2; fail "cpack"; }
debs=(build/release/mautic-wp_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
	fail "cpack made ${debs[*]}"
fi
DEB=${debs[0]}
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' build/release/CMakeCache.txt)
arch=$(dpkg --print-architecture)
expect "package file" "$DEB" "build/release/mautic-wp_${version}_${arch}.deb"
phase "cpack"

# ---- what is in the package -------------------------------------------------
field() { dpkg-deb -f "$DEB" "$1"; }
expect Package "$(field Package)" mautic-wp
expect Version "$(field Version)" "$version"
expect Section "$(field Section)" web
expect Recommends "$(field Recommends)" "apache2 | nginx, fcgiwrap"
expect Suggests "$(field Suggests)" "libapache2-mod-fcgid | spawn-fcgi"
depends=$(field Depends)
for lib in libc6 libcurl4 libcjson1 libmariadb3 libssl3 libinih1 libcrypt1; do
	grep -qE "(^|, )${lib}( |,|\$)" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
expect conffiles "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles)" \
	"$CONF
$SNIPPET"
# mode owner path, for every file (directories are 0755 root/root)
listing=$(dpkg-deb -c "$DEB" | awk '{ sub(/^\.\//, "/", $6); print $1, $2, $6 }')
want_files="-rwxr-xr-x root/root /usr/lib/cgi-bin/mautic-wp.cgi
-rw-r--r-- root/root $CORE
-rw-r----- root/root $CONF
-rw-r--r-- root/root $SNIPPET
-rw-r--r-- root/root /usr/share/doc/mautic-wp/README.md
-rw-r--r-- root/root /usr/share/doc/mautic-wp/apache-mautic-wp.conf
-rw-r--r-- root/root /usr/share/doc/mautic-wp/changelog.gz
-rw-r--r-- root/root /usr/share/doc/mautic-wp/copyright
-rw-r--r-- root/root /usr/share/doc/mautic-wp/mautic-wp.conf.example
-rw-r--r-- root/root /usr/share/doc/mautic-wp/nginx-mautic-wp.conf
-rw-r--r-- root/root /usr/share/lintian/overrides/mautic-wp
-rw-r--r-- root/root /lib/systemd/system/mautic-wp-worker.service
-rw-r--r-- root/root /usr/share/man/man5/mautic-wp.conf.5.gz
-rw-r--r-- root/root /usr/share/man/man8/mautic-wp.cgi.8.gz
-rw-r--r-- root/root /usr/share/mautic-wp/mautic-wp-events.sql
-rw-r--r-- root/root /usr/share/mautic-wp/mautic-wp-locks.sql
-rw-r--r-- root/root /usr/share/mautic-wp/mautic-wp.php
$(for f in docs/*.md; do echo "-rw-r--r-- root/root /usr/share/doc/mautic-wp/$f"; done)"
expect "files in the package" "$(grep -v '^d' <<<"$listing" | LC_ALL=C sort -k3)" \
	"$(LC_ALL=C sort -k3 <<<"$want_files")"
bad_dirs=$(grep '^d' <<<"$listing" | grep -v '^drwxr-xr-x root/root ' || true)
[ -z "$bad_dirs" ] || fail "directories with odd modes: $bad_dirs"
x=$(mktemp -d)
dpkg-deb -x "$DEB" "$x"
cmp -s "$x$SNIPPET" packaging/apache-mautic-wp.conf || fail "snippet differs"
cmp -s "$x$CONF" cgi-bin/mautic-wp.conf.example || fail "config differs"
cmp -s "$x/usr/share/mautic-wp/mautic-wp.php" wordpress/mautic-wp.php || fail "mu-plugin differs"
readelf -S "$x$CGI" | grep -q '\.debug_info' && fail "binary not stripped"
readelf -d "$x$CGI" | grep -q 'FLAGS_1.*PIE' || fail "binary is not PIE"
readelf -d "$x$CGI" | grep -q 'BIND_NOW\|FLAGS.*NOW' || fail "no -z now"
readelf -S "$x$CORE" | grep -q '\.debug_info' && fail "core not stripped"
readelf -d "$x$CORE" | grep -q 'BIND_NOW\|FLAGS.*NOW' || fail "core: no -z now"
readelf -l "$x$CORE" | grep -q 'GNU_RELRO' || fail "core: no RELRO"
# The CGI loads only the C library, libm, cJSON and inih; the rest is
# the core's.
extra=$(readelf -d "$x$CGI" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
	grep -v '^lib\(c\|m\|cjson\|inih\)\.so' || true)
[ -z "$extra" ] || fail "the CGI executable needs $extra"
rm -rf "$x"
for page in packaging/mautic-wp.cgi.8 packaging/mautic-wp.conf.5; do
	w=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$w" ] || fail "$page: $w"
done
if command -v lintian >/dev/null; then
	lint=$(lintian --pedantic "$DEB" 2>&1 | grep -v 'running with root privileges' || true)
	[ -z "$lint" ] || fail "lintian: $lint"
fi
phase "package contents"

# ---- install ----------------------------------------------------------------
ours=1
"${APT[@]}" install "./$DEB" >/dev/null 2>&1 ||
	{ "${APT[@]}" install "./$DEB" >&2 || true; fail "apt-get install"; }
expect "dpkg status" "$(dpkg-query -W -f='${db:Status-Abbrev}' mautic-wp)" "ii "
# owner:group mode of what postinst set up
st() { stat -c '%U:%G %a' "$1"; }
expect "$CONF" "$(st "$CONF")" "root:www-data 640"
expect /var/cache/mautic-wp "$(st /var/cache/mautic-wp)" "www-data:www-data 700"
expect /var/spool/mautic-wp "$(st /var/spool/mautic-wp)" "www-data:www-data 700"
expect "$CGI" "$(st "$CGI")" "root:root 755"
expect "--version" "$("$CGI" --version)" "mautic-wp $version"
if grep -rqs '^path-exclude=/usr/share/man' /etc/dpkg/dpkg.cfg.d/; then
	log "dpkg excludes /usr/share/man here: man page checks skipped"
else
	expect "man -w" "$(man -w mautic-wp.cgi)" /usr/share/man/man8/mautic-wp.cgi.8.gz
	expect "man -w 5" "$(man -w 5 mautic-wp.conf)" /usr/share/man/man5/mautic-wp.conf.5.gz
	MANWIDTH=80 man 8 mautic-wp.cgi 2>/dev/null | grep -q 'X-Access-Key' ||
		fail "man mautic-wp.cgi does not render"
fi
phase "apt-get install"

# ---- a real config against the test stack --------------------------------------
KEY="pkg-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
tmp=$(mktemp)
cat >"$tmp" <<EOF
$MARK
[wordpress]
db_host = 127.0.0.1
db_port = $MW_DB_PORT
db_name = $MW_DB_NAME
db_user = $MW_DB_USER
db_password = $MW_DB_PASSWORD
table_prefix = wp_

[mautic]
url = $MW_MAUTIC_URL
auth = basic
username = apiuser
password = apipass
ca_file = $MW_CA
timeout_ms = 5000

[webhook]
access_key = $KEY

[mail]
transport = smtp
smtp_url = $MW_SMTP_URL

[log]
level = info
EOF
install -m 0640 -o root -g www-data "$tmp" "$CONF"
rm -f "$tmp"
expect "$CONF after edit" "$(st "$CONF")" "root:www-data 640"

# The emulator's contact and a WordPress user linked to it.
emu() {
	curl -fsS --cacert "$MW_CA" -X "$1" "$MW_MAUTIC_URL$2" ${3:+-d "$3"} >/dev/null
}
emu POST /_emu/reset '{}'
emu PUT "/_emu/contacts/$CID" \
	'{"fields":{"email":"pkgtest@example.invalid","firstname":"Pkg"},"tags":["x"]}'
db_root -N wordpress <<'EOF' >/dev/null || fail "cannot prepare the database"
DELETE m FROM wp_usermeta m JOIN wp_users u ON u.ID = m.user_id
 WHERE u.user_login = 'mwpkgtest';
DELETE FROM wp_users WHERE user_login = 'mwpkgtest';
EOF
db_root -N wordpress -e "DELETE FROM wp_usermeta WHERE meta_key = 'mautic_contact_id' AND meta_value = '$CID'"
UID_=$(db_root -N wordpress <<EOF
INSERT INTO wp_users (user_login, user_pass, user_nicename, user_email,
 user_registered, display_name)
 VALUES ('mwpkgtest', '\$P\$Bxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'mwpkgtest',
 'pkgtest@example.invalid', UTC_TIMESTAMP(), 'mwpkgtest');
SET @u = LAST_INSERT_ID();
INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES
 (@u, 'nickname', 'mwpkgtest'),
 (@u, 'wp_capabilities', 'a:1:{s:10:"subscriber";b:1;}'),
 (@u, 'wp_user_level', '0'),
 (@u, 'mautic_contact_id', '$CID');
SELECT @u;
EOF
)
[[ $UID_ =~ ^[0-9]+$ ]] || fail "no test user: $UID_"

# The installed binary's own diagnostics, as the web server's user.
if ! check=$(runuser -u www-data -- "$CGI" --check 2>&1); then
	printf '%s\n' "$check" >&2
	fail "$CGI --check as www-data"
fi
phase "config, contact, user"

# ---- Apache with the packaged snippet ------------------------------------------
MODS=/usr/lib/apache2/modules
mkdir -p "$A/run"
chmod 0755 "$A"
cat >"$A/httpd.conf" <<EOF
# Generated by tests/package/test-deb.sh
ServerRoot "$A"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile "$PIDFILE"
DefaultRuntimeDir "$A/run"
Mutex file:$A/run default
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule alias_module $MODS/mod_alias.so
LoadModule env_module $MODS/mod_env.so
LoadModule cgid_module $MODS/mod_cgid.so
User www-data
Group www-data
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MaxRequestWorkers 8
ErrorLog "$A/error.log"
LogLevel warn
LogFormat "%h %t \"%r\" %>s %b" pkg
CustomLog "$A/access.log" pkg
ScriptSock "$A/run/cgid.sock"
<Directory />
	AllowOverride None
	Require all denied
</Directory>
# The package's snippet, as a2enconf would include it.
Include $SNIPPET
EOF
: >"$A/error.log"
rm -f "$A/run/cgid.sock"*
apache2 -t -f "$A/httpd.conf" >"$A/configtest.log" 2>&1 ||
	fail "Apache config test: $(cat "$A/configtest.log")"
apache2 -f "$A/httpd.conf" -k start || fail "Apache did not start"
wait_for_port "$PORT" 10 "$PIDFILE" || fail "Apache does not listen, see $A/error.log"
phase "Apache start"

URL="http://127.0.0.1:$PORT/cgi-bin/mautic-wp.cgi"
BODY="$A/body.json"
# call [curl args...]: prints the HTTP status; the body is in $BODY.
call() {
	curl -sS -o "$BODY" -w '%{http_code}' "$@"
}
# json PYTHON-EXPR: evaluate with j = the last body.
json() {
	/usr/bin/python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$BODY" "$1"
}

expect "test" "$(call -H "X-Access-Key: $KEY" "$URL?wpf_action=test")" 200
expect "test ok" "$(json 'j["ok"], j["action"]')" "(True, 'test')"
expect "content type" "$(curl -sS -o /dev/null -w '%{content_type}' \
	-H "X-Access-Key: $KEY" "$URL?wpf_action=test")" application/json
expect "wrong key" "$(call -H 'X-Access-Key: wrong-key-123' "$URL?wpf_action=test")" 403
expect "wrong key error" "$(json 'j["error"]')" forbidden

expect "update_tags" "$(call -H "X-Access-Key: $KEY" \
	"$URL?wpf_action=update_tags&contact_id=$CID")" 200
expect "update_tags result" \
	"$(json '(j["ok"], j["results"][0]["user_id"], j["results"][0]["outcome"])')" \
	"(True, $UID_, 'updated')"
tags=$(db_root -N wordpress -e "SELECT meta_value FROM wp_usermeta WHERE user_id = $UID_ AND meta_key = 'mautic_tags'")
expect "mautic_tags" "$tags" 'a:1:{i:0;s:1:"x";}'
expect "update_tags again" "$(call -X POST -H "X-Access-Key: $KEY" \
	-d "wpf_action=update_tags&contact_id=$CID" "$URL")" 200
expect "same tags" "$(json 'j["results"][0]["outcome"]')" unchanged

grep -q "done action=update_tags contact=$CID user=$UID_ outcome=updated status=200" "$A/error.log" ||
	fail "no 'done' log line in $A/error.log"
if grep -qF "$KEY" "$A/error.log" "$A/access.log"; then
	fail "the access key leaked into Apache's logs"
fi
phase "webhooks through Apache"
stop_group "$PIDFILE" 10 || fail "cannot stop the test Apache"

# ---- remove keeps the conffiles, purge deletes everything ---------------------------
# An admin's a2enconf: a remove disables the snippet, a reinstall enables it
# again, and a purge leaves no dangling link (Apache would not start).
link=/etc/apache2/conf-enabled/mautic-wp.conf
state=/var/lib/apache2/conf
# a2enconf/a2disconf create state dirs; remove again those that are new.
new_dirs=()
for d in enabled_by_admin enabled_by_maint disabled_by_admin disabled_by_maint; do
	[ -d "$state/$d" ] || new_dirs+=("$state/$d")
done
a2enconf -q mautic-wp >/dev/null
[ -L "$link" ] || fail "a2enconf mautic-wp"

"${APT[@]}" remove mautic-wp >/dev/null 2>&1 || fail "apt-get remove"
expect "status after remove" "$(dpkg-query -W -f='${db:Status-Abbrev}' mautic-wp)" "rc "
[ ! -e "$CGI" ] || fail "$CGI still there after remove"
[ ! -e /usr/share/man/man8/mautic-wp.cgi.8.gz ] || fail "man page still there after remove"
head -n 1 "$CONF" | grep -qxF "$MARK" || fail "remove did not keep the edited $CONF"
[ -f "$SNIPPET" ] || fail "remove did not keep $SNIPPET"
[ ! -L "$link" ] || fail "remove did not disable the Apache snippet"
phase "apt-get remove"

"${APT[@]}" install "./$DEB" >/dev/null 2>&1 || fail "apt-get install after remove"
{ [ -L "$link" ] && [ -e "$link" ]; } || fail "reinstall did not enable the snippet again"
head -n 1 "$CONF" | grep -qxF "$MARK" || fail "reinstall replaced the edited $CONF"
expect "$CONF after reinstall" "$(st "$CONF")" "root:www-data 640"
phase "apt-get install again"

"${APT[@]}" purge mautic-wp >/dev/null 2>&1 || fail "apt-get purge"
status=$(dpkg-query -W -f='${db:Status-Status}' mautic-wp 2>/dev/null || true)
[ -z "$status" ] || [ "$status" = not-installed ] || fail "status after purge: $status"
for p in "$CONF" /etc/mautic-wp "$SNIPPET" /var/cache/mautic-wp /var/spool/mautic-wp "$link" \
	/usr/share/doc/mautic-wp "$state"/*/mautic-wp; do
	if [ -e "$p" ] || [ -L "$p" ]; then
		fail "$p still there after purge"
	fi
done
for d in "${new_dirs[@]}"; do
	rmdir "$d" 2>/dev/null || true
done
phase "apt-get purge"

# The test user goes too; the stack stays up for whoever is next.
db_root -N wordpress <<'EOF' >/dev/null
DELETE m FROM wp_usermeta m JOIN wp_users u ON u.ID = m.user_id
 WHERE u.user_login = 'mwpkgtest';
DELETE FROM wp_users WHERE user_login = 'mwpkgtest';
EOF
rm -rf "$A"

printf '\n%s (%s bytes)\n' "$DEB" "$(stat -c %s "$DEB")"
printf 'Depends: %s\n' "$depends"
printf '%s\n' "${TIMES[@]}"
printf 'package test passed in %ss\n' "$(elapsed "$T0")"
