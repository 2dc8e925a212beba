#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# (Re)install the CGI binary into the running stack:
# copies PATH (default $MW_CGI = build/dev/cgi-bin/mautic-wp.cgi) to
# $MW_STATE/cgi-bin/mautic-wp.cgi, mode 0755, by rename (safe while the old
# binary is serving requests).  No server needs a restart.
#
# Usage: tests/stack/install-cgi.sh [PATH]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=${1:-$MW_CGI}
[ -d "$MW_STATE/cgi-bin" ] || die "$MW_STATE/cgi-bin does not exist (run tests/stack/up.sh)"
install_cgi "$src" || die "$src does not exist (build it first)"
log "installed $src as $MW_STATE/cgi-bin/mautic-wp.cgi"
