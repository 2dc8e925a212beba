#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The CGI executable's shared libraries (its DT_NEEDED entries) are only
the ones its fast path needs: the C library, libm, cJSON and inih.  A call
from the fast path into a part that uses libcurl, MariaDB Connector/C or
OpenSSL would make every queued webhook load them (about 12 ms per CGI
process); this check fails then, naming the library.  The core
(mautic-wp-core.so) must export the table mw_core and nothing else.

Usage: cgi_libraries.py CGI CORE
"""

import re
import subprocess
import sys

ALLOWED = {"libc.so.6", "libm.so.6", "libcjson.so.1", "libinih.so.1"}
# The sanitizer build's runtimes.
SANITIZERS = re.compile(r"^lib(asan|ubsan)\.so\.\d+$")


def needed(path):
    out = subprocess.run(["readelf", "-d", path], capture_output=True,
                         text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def main():
    cgi, core = sys.argv[1], sys.argv[2]
    bad = [lib for lib in needed(cgi)
           if lib not in ALLOWED and not SANITIZERS.match(lib)]
    for lib in bad:
        print(f"cgi_libraries: {cgi} needs {lib}: the fast path must not "
              "reach a part that uses it (see lib/action/front.c)")
    out = subprocess.run(["nm", "-D", "--defined-only", core],
                         capture_output=True, text=True, check=True).stdout
    exported = sorted(ln.split()[-1] for ln in out.splitlines() if ln.strip())
    if exported != ["mw_core"]:
        print(f"cgi_libraries: {core} exports {exported}, not only mw_core")
        bad.append(core)
    if not any("libcurl" in lib for lib in needed(core)):
        print(f"cgi_libraries: {core} does not need libcurl: not the core?")
        bad.append(core)
    print("cgi_libraries: %s needs %s" % (cgi, ", ".join(needed(cgi))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
