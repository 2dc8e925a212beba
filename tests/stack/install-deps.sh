#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian 12 packages needed to build mautic-wp and run its test
# stack. Idempotent: when every package is already installed it does not
# touch apt at all and returns in well under a second.
#
# Usage: tests/stack/install-deps.sh [--check]
#   --check   only report missing packages; exit 1 if any are missing.
#
# Notes (docs/testing.md):
#   - a temporary /usr/sbin/policy-rc.d (exit 101) keeps postinst scripts
#     from starting apache2/nginx/mariadb on :80/:3306; it is removed again;
#   - DPkg::Lock::Timeout=900 waits for a concurrent apt/dpkg run;
#   - libxcrypt's development package is called libcrypt-dev in Debian 12;
#   - galera-4, rsync and iproute2 (ss) serve the Galera test nodes
#     (galera-up.sh: the provider library, rsync state transfers).
set -eu

PACKAGES="
build-essential pkg-config cmake
libcurl4-openssl-dev libcjson-dev libmariadb-dev libinih-dev libssl-dev
libcrypt-dev
mariadb-server mariadb-client galera-4 rsync iproute2
apache2 apache2-utils
nginx fcgiwrap
openssl curl ca-certificates
python3 python3-aiosmtpd python3-pymysql
wrk hyperfine
clang-14 libclang-rt-14-dev
libfcgi-dev spawn-fcgi libapache2-mod-fcgid libhiredis-dev redis-server
valgrind clang-format
wordpress wordpress-theme-twentytwentythree libapache2-mod-php
php-cli php-mysql php-curl php-xml php-mbstring
"

# One dpkg-query for all: prints "name status" for every known package.
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $PACKAGES \
	2>/dev/null | awk '$2 == "installed" { print $1 }' | tr '\n' ' ' || true) "
missing=""
for p in $PACKAGES; do
	case $installed in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
echo "install-deps: missing:$missing"
[ "${1:-}" = --check ] && exit 1

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

export DEBIAN_FRONTEND=noninteractive
APT="$SUDO apt-get -y -q --no-install-recommends -o DPkg::Lock::Timeout=900 -o Dpkg::Options::=--force-unsafe-io -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

# Keep services from starting during postinst (only if nobody else did).
made_policy=
cleanup() {
	if [ -n "$made_policy" ]; then
		$SUDO rm -f /usr/sbin/policy-rc.d
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 0755 /usr/sbin/policy-rc.d
	made_policy=1
fi

# man-db's index rebuild costs seconds per run and is useless here.
echo 'man-db man-db/auto-update boolean false' |
	$SUDO debconf-set-selections 2>/dev/null || true
$SUDO rm -f /var/lib/man-db/auto-update

if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
	$SUDO apt-get -q -o DPkg::Lock::Timeout=900 update
fi
# shellcheck disable=SC2086
if ! $APT install $missing; then
	echo "install-deps: install failed, refreshing package lists" >&2
	$SUDO apt-get -q -o DPkg::Lock::Timeout=900 update
	# shellcheck disable=SC2086
	$APT install $missing
fi
echo "install-deps: done"
