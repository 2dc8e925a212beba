#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check the arrows between the parts of mautic-wp.

Every part of lib/ is a CMake static library mw_<part>; the program
mautic-wp.cgi (cgi-bin/) links some of them.  The table ALLOWED below says
which parts and which third-party libraries each of them may use; it is the
table docs/ARCHITECTURE.md shows (between the "arrows" markers), and this
script fails when the two disagree.

Three checks, each against the same table:

  links     the direct link dependencies CMake records for every mw_<part>
            target and for mautic-wp.cgi (read from `cmake --graphviz`);
  includes  every #include "part/..." line in lib/<part>/*.[ch] and
            cgi-bin/*.[ch];
  headers   every #include <...> of a third-party library (curl, cJSON,
            MariaDB, OpenSSL, inih, libfcgi, hiredis, libcrypt) in the same
            files.

Usage:
  check.py --build DIR [--source DIR] [--cmake CMAKE]
                         run `cmake --graphviz` on the configured build DIR
  check.py --dot FILE [--source DIR]
                         use a graphviz file CMake wrote earlier
  check.py --print-table print the table as docs/ARCHITECTURE.md holds it
  check.py --self-test [--build DIR]
                         plant forbidden arrows in test inputs (and, with
                         --build, in a copy of the real graph) and make sure
                         every one of them is reported

Exit status: 0 when everything is allowed, 1 when something is not (each
violation on its own line), 2 on a usage or tool error.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# ---- the table -------------------------------------------------------------

# part -> (parts it may use, third-party libraries it may use).  "cgi-bin"
# is the program mautic-wp.cgi.  Library names are pkg-config names without
# the "lib" prefix (crypto = OpenSSL's libcrypto, crypt = libxcrypt, m =
# libm).  Keep docs/ARCHITECTURE.md in step: `check.py --print-table`.
ALLOWED = {
    "base": ((), ("crypto",)),
    "formats": (("base",), ("cjson", "crypto", "crypt", "m")),
    "config": (("formats", "base"), ("inih",)),
    "queue": (("base",), ()),
    "request": (("config", "formats", "base"), ("cjson", "crypto")),
    "mautic": (("config", "formats", "base"), ("curl", "cjson")),
    "mail": (("config", "formats", "base"), ("curl", "crypto")),
    "wp": (("config", "formats", "base"), ("mariadb", "hiredis")),
    "action": (("wp", "mail", "mautic", "request", "queue", "config",
                "formats", "base"), ("cjson",)),
    "cgi-bin": (("action", "request", "config", "queue", "formats", "base"),
                ("fcgi", "dl")),
    "core": (("action", "wp", "mail", "mautic", "request", "queue", "config",
              "formats", "base"), ("curl", "cjson", "mariadb", "crypto", "inih", "hiredis",
                  "fcgi", "crypt", "m")),
}

# Order of the table in the document: lowest part first.
ORDER = ["base", "formats", "config", "queue", "request", "mautic", "mail", "wp",
         "action", "cgi-bin", "core"]

# What each third-party library is, for the document.
LIBS = {
    "crypto": "OpenSSL libcrypto",
    "cjson": "cJSON",
    "crypt": "libxcrypt",
    "m": "libm",
    "inih": "inih",
    "curl": "libcurl",
    "mariadb": "MariaDB Connector/C",
    "hiredis": "hiredis",
    "fcgi": "libfcgi",
    "dl": "libdl (dlopen)",
}

# Headers of third-party libraries: (regex on the name inside <>, library).
HEADERS = [
    (r"^curl/", "curl"),
    (r"^cjson/", "cjson"),
    (r"^(mysql|errmsg|mysqld_error|mysql_com|ma_\w+)\.h$|^mariadb/",
     "mariadb"),
    (r"^openssl/", "crypto"),
    (r"^ini\.h$", "inih"),
    (r"^fcgi(app|_stdio|o|_config|misc)\.h$", "fcgi"),
    (r"^hiredis/", "hiredis"),
    (r"^crypt\.h$", "crypt"),
]

# CMake targets that are not parts: build flags, the "everything" target
# for tests, the arch_<part> link proofs, tests and fuzzers.
IGNORED_TARGET = re.compile(
    r"^(mw_flags|mw|arch_.*|test_.*|fuzz_.*|mw_packaging_files)$")

# The program's CMake target and its part name, and the shared object of
# the whole program (every part's objects, cgi-bin/core.c and serve.c)
# that the program loads on demand.
PROGRAM = ("mautic-wp.cgi", "cgi-bin")
CORE = ("mautic-wp-core", "core")

DOC_BEGIN = "<!-- arrows:begin (tests/arch/check.py --print-table) -->"
DOC_END = "<!-- arrows:end -->"


def table_markdown():
    """The table as Markdown, the way docs/ARCHITECTURE.md holds it."""
    out = ["| part | may use parts | may use libraries |",
           "|---|---|---|"]
    for part in ORDER:
        parts, libs = ALLOWED[part]
        out.append("| `%s` | %s | %s |" % (
            part,
            ", ".join("`%s`" % p for p in parts) or "none",
            ", ".join("%s (`%s`)" % (LIBS[l], l) for l in libs) or "none"))
    return "\n".join(out) + "\n"


# ---- the graph CMake writes ------------------------------------------------

NODE = re.compile(r'^\s*"(node\d+)"\s*\[\s*label\s*=\s*"([^"]*)"')
EDGE = re.compile(r'^\s*"(node\d+)"\s*->\s*"(node\d+)"')


def parse_dot(text):
    """Direct edges of a CMake graphviz file: {target label: set(labels)}."""
    labels, edges = {}, {}
    for line in text.splitlines():
        m = NODE.match(line)
        if m:
            labels[m.group(1)] = m.group(2)
            continue
        m = EDGE.match(line)
        if m:
            edges.setdefault(m.group(1), set()).add(m.group(2))
    graph = {}
    for src, dsts in edges.items():
        if src in labels:
            graph.setdefault(labels[src], set()).update(
                labels[d] for d in dsts if d in labels)
    for label in labels.values():
        graph.setdefault(label, set())
    return graph


def dep_name(label):
    """('part', name) or ('lib', name) or None (not a dependency we judge)
    for a node label of the graph."""
    if label == "mw_flags" or label.startswith("<") or label.startswith("</"):
        return None
    if label.startswith("mw_"):
        return ("part", label[3:])
    if label.startswith("PkgConfig::"):
        return ("lib", label[len("PkgConfig::"):].lower())
    base = os.path.basename(label)
    base = re.sub(r"^-l:?", "", base)
    base = re.sub(r"\.(so(\.\d+)*|a)$", "", base)
    if base.startswith("lib"):
        base = base[3:]
    return ("lib", base.lower())


def target_part(label):
    """The part a CMake target is, or None when it is not one."""
    if label == PROGRAM[0]:
        return PROGRAM[1]
    if label == CORE[0]:
        return CORE[1]
    if IGNORED_TARGET.match(label):
        return None
    if label.startswith("mw_"):
        return label[3:]
    return None


def check_links(graph):
    """Violations of the table in the graph's direct link dependencies."""
    bad = []
    seen = set()
    for label in sorted(graph):
        part = target_part(label)
        if part is None:
            continue
        seen.add(part)
        if part not in ALLOWED:
            bad.append("links: target %s is a part (%s) the table does not "
                       "know; add it to ALLOWED in tests/arch/check.py and "
                       "to docs/ARCHITECTURE.md" % (label, part))
            continue
        parts, libs = ALLOWED[part]
        for dep in sorted(graph[label]):
            kind = dep_name(dep)
            if kind is None:
                continue
            if kind[0] == "part" and kind[1] != part and kind[1] not in parts:
                bad.append("links: %s links part %s, which its arrows do "
                           "not allow (allowed: %s)" % (
                               label, kind[1], ", ".join(parts) or "none"))
            elif kind[0] == "lib" and kind[1] not in libs:
                bad.append("links: %s links library %s (%s), which its "
                           "arrows do not allow (allowed: %s)" % (
                               label, kind[1], dep,
                               ", ".join(libs) or "none"))
    for part in ORDER:
        if part not in seen:
            bad.append("links: no CMake target for part %s (%s) in the "
                       "graph" % (part, PROGRAM[0] if part == PROGRAM[1]
                                  else "mw_" + part))
    return bad


def declared_libs(graph):
    """{part: set(libraries its target declares)}, for the headers check."""
    out = {}
    for label, deps in graph.items():
        part = target_part(label)
        if part is None:
            continue
        out[part] = {k[1] for k in map(dep_name, deps)
                     if k is not None and k[0] == "lib"}
    return out


def graphviz(build, cmake):
    """Run cmake --graphviz on the configured build directory; the text of
    the main graph file."""
    if not os.path.isfile(os.path.join(build, "CMakeCache.txt")):
        raise SystemExit("check.py: %s is not a configured CMake build "
                         "directory (run cmake --preset dev first)" % build)
    tmp = tempfile.mkdtemp(prefix="mw-arch-")
    try:
        dot = os.path.join(tmp, "mw.dot")
        r = subprocess.run([cmake, "--graphviz=" + dot, build],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if r.returncode != 0 or not os.path.isfile(dot):
            sys.stderr.write(r.stdout)
            raise SystemExit("check.py: cmake --graphviz failed")
        with open(dot, encoding="utf-8") as f:
            return f.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- the sources -----------------------------------------------------------

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def source_files(src):
    """(part, path) of every C file the table governs."""
    out = []
    lib = os.path.join(src, "lib")
    for part in sorted(os.listdir(lib)) if os.path.isdir(lib) else []:
        d = os.path.join(lib, part)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                out.append((part, os.path.join(d, name)))
    d = os.path.join(src, "cgi-bin")
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if name.endswith((".c", ".h")):
            out.append(("cgi-bin", os.path.join(d, name)))
    return out


def header_lib(name):
    for pattern, lib in HEADERS:
        if re.search(pattern, name.strip()):
            return lib
    return None


def check_includes(src, declared=None):
    """Violations of the table in #include lines; warnings (third-party
    headers of a library the part's target does not declare) go to
    stderr."""
    bad = []
    for part, path in source_files(src):
        rel = os.path.relpath(path, src)
        if part not in ALLOWED:
            bad.append("includes: %s: folder %s is not a part the table "
                       "knows" % (rel, part))
            continue
        parts, libs = ALLOWED[part]
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
        for n, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, name = m.group(1), m.group(2)
            if kind == '"':
                if "/" not in name:
                    if not os.path.isfile(os.path.join(
                            os.path.dirname(path), name)):
                        bad.append("includes: %s:%d: \"%s\" is neither in "
                                   "this folder nor part/..." % (rel, n, name))
                    continue
                other = name.split("/", 1)[0]
                if other == part:
                    continue
                if other not in ALLOWED or other == PROGRAM[1]:
                    bad.append("includes: %s:%d: \"%s\": %s is not a part" %
                               (rel, n, name, other))
                elif other not in parts:
                    bad.append("includes: %s:%d: %s includes \"%s\", but "
                               "its arrows do not allow part %s (allowed: "
                               "%s)" % (rel, n, part, name, other,
                                        ", ".join(parts) or "none"))
                continue
            lib = header_lib(name)
            if lib is None:
                continue
            if lib not in libs:
                bad.append("headers: %s:%d: %s includes <%s> (%s), which its "
                           "arrows do not allow (allowed: %s)" % (
                               rel, n, part, name, LIBS.get(lib, lib),
                               ", ".join(libs) or "none"))
            elif declared is not None and part in declared and \
                    lib not in declared[part]:
                sys.stderr.write(
                    "check.py: warning: %s:%d: <%s> is %s, which the CMake "
                    "target of %s does not link itself (it arrives through "
                    "another part)\n" % (rel, n, name, LIBS.get(lib, lib),
                                         part))
    return bad


# ---- the document ----------------------------------------------------------

def check_doc(path):
    """The table in docs/ARCHITECTURE.md must be ours, byte for byte."""
    if not os.path.isfile(path):
        return ["doc: %s is missing" % path]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        start = text.index(DOC_BEGIN) + len(DOC_BEGIN)
        end = text.index(DOC_END, start)
    except ValueError:
        return ["doc: %s has no table between %s and %s" %
                (path, DOC_BEGIN, DOC_END)]
    if text[start:end].strip() != table_markdown().strip():
        return ["doc: the table in %s differs from ALLOWED in "
                "tests/arch/check.py; paste the output of "
                "`tests/arch/check.py --print-table` between the markers" %
                path]
    return []


# ---- self-test -------------------------------------------------------------

def synthetic_dot(extra_edges=()):
    """A graphviz file in CMake's format whose edges are exactly the table,
    plus extra (src label, dst label) edges."""
    ids = {}

    def node(label):
        if label not in ids:
            ids[label] = "node%d" % len(ids)
        return ids[label]

    lines = ['digraph "mautic-wp" {', 'node [', '  fontsize = "12"', '];']
    edges = []
    for part in ORDER:
        src = PROGRAM[0] if part == PROGRAM[1] else "mw_" + part
        for p in ALLOWED[part][0]:
            edges.append((src, "mw_" + p))
        for l in ALLOWED[part][1]:
            edges.append((src, l if l in ("crypt", "m") else
                          "PkgConfig::" + l.upper()))
        edges.append((src, "mw_flags"))
    edges.extend(extra_edges)
    for src, dst in edges:
        lines.append('    "%s" [ label = "%s", shape = octagon ];' %
                     (node(src), src))
        lines.append('    "%s" [ label = "%s", shape = octagon ];' %
                     (node(dst), dst))
        lines.append('    "%s" -> "%s" [ style = dotted ] // %s -> %s' %
                     (node(src), node(dst), src, dst))
    lines.append("}")
    return "\n".join(lines) + "\n"


def synthetic_tree(root, planted=()):
    """A lib/ and cgi-bin/ tree whose includes are all allowed, plus
    planted (relative path, line) files."""
    for part in ORDER:
        if part == CORE[1]:
            continue  # no folder: cgi-bin's files and every part's objects
        d = os.path.join(root, "cgi-bin" if part == "cgi-bin" else
                         os.path.join("lib", part))
        os.makedirs(d, exist_ok=True)
        lines = ['#include "%s/x.h"\n' % p for p in ALLOWED[part][0]]
        for lib in ALLOWED[part][1]:
            lines.append({"crypto": "#include <openssl/evp.h>\n",
                          "cjson": "#include <cjson/cJSON.h>\n",
                          "crypt": "#include <crypt.h>\n",
                          "m": "#include <math.h>\n",
                          "inih": "#include <ini.h>\n",
                          "curl": "#include <curl/curl.h>\n",
                          "mariadb": "#include <mysql.h>\n",
                          "hiredis": "#include <hiredis/hiredis.h>\n",
                          "fcgi": "#include <fcgiapp.h>\n",
                          "dl": "#include <dlfcn.h>\n"}[lib])
        lines.append("#include <stdio.h>\n")
        with open(os.path.join(d, "x.h"), "w") as f:
            f.write("/* x.h */\n")
        with open(os.path.join(d, "x.c"), "w") as f:
            f.write('#include "x.h"\n' + "".join(lines))
    for rel, line in planted:
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(line + "\n")


def self_test(build, cmake):
    """Plant one forbidden arrow at a time; every one must be reported and
    the clean inputs must pass.  Returns the exit status."""
    failures = []

    def expect(name, bad, want):
        hit = [b for b in bad if want in b]
        if want is None:
            if bad:
                failures.append("%s: expected no violation, got: %s" %
                                (name, "; ".join(bad)))
            else:
                print("ok   %s: clean input passes" % name)
        elif not hit:
            failures.append("%s: the planted arrow (%s) was not reported; "
                            "got: %s" % (name, want, "; ".join(bad) or
                                         "nothing"))
        else:
            print("ok   %s: reported: %s" % (name, hit[0]))

    expect("links-clean", check_links(parse_dot(synthetic_dot())), None)
    expect("links-part", check_links(parse_dot(synthetic_dot(
        [("mw_mautic", "mw_wp")]))), "mw_mautic links part wp")
    expect("links-part-up", check_links(parse_dot(synthetic_dot(
        [("mw_base", "mw_action")]))), "mw_base links part action")
    expect("links-lib", check_links(parse_dot(synthetic_dot(
        [("mw_request", "PkgConfig::MARIADB")]))),
        "mw_request links library mariadb")
    expect("links-lib-path", check_links(parse_dot(synthetic_dot(
        [("mw_action", "/usr/lib/x86_64-linux-gnu/libcurl.so")]))),
        "mw_action links library curl")
    expect("links-program", check_links(parse_dot(synthetic_dot(
        [("mautic-wp.cgi", "mw_wp")]))), "mautic-wp.cgi links part wp")
    expect("links-unknown-part", check_links(parse_dot(synthetic_dot(
        [("mw_extra", "mw_base")]))), "target mw_extra is a part")

    with tempfile.TemporaryDirectory(prefix="mw-arch-self-") as tmp:
        clean = os.path.join(tmp, "clean")
        synthetic_tree(clean)
        expect("includes-clean", check_includes(clean), None)
        cases = [
            ("includes-part", "lib/mautic/planted.c",
             '#include "wp/store.h"', "mautic includes \"wp/store.h\""),
            ("includes-down", "lib/formats/planted.h",
             '#include "config/config.h"',
             "formats includes \"config/config.h\""),
            ("includes-program", "cgi-bin/planted.c",
             '#include "mautic/mautic.h"',
             "cgi-bin includes \"mautic/mautic.h\""),
            ("includes-not-a-part", "lib/action/planted.c",
             '#include "nowhere/x.h"', "nowhere is not a part"),
            ("headers-curl", "lib/request/planted.c",
             "#include <curl/curl.h>", "request includes <curl/curl.h>"),
            ("headers-mariadb", "lib/action/planted.c",
             "#  include <mysql.h>", "action includes <mysql.h>"),
        ]
        for name, rel, line, want in cases:
            root = os.path.join(tmp, name)
            synthetic_tree(root, [(rel, line)])
            expect(name, check_includes(root), want)

        doc = os.path.join(tmp, "ARCHITECTURE.md")
        with open(doc, "w") as f:
            f.write("x\n%s\n%s%s\n" % (DOC_BEGIN, table_markdown(), DOC_END))
        expect("doc-clean", check_doc(doc), None)
        with open(doc, "w") as f:
            f.write("x\n%s\n%s| `mautic` | `wp` | none |\n%s\n" % (
                DOC_BEGIN, table_markdown(), DOC_END))
        expect("doc-drift", check_doc(doc), "differs from ALLOWED")

    if build is not None:
        real = graphviz(build, cmake)
        expect("real-graph-planted", check_links(parse_dot(
            real + '    "node9999001" [ label = "mw_wp", shape = octagon ];\n'
            '    "node9999002" [ label = "mw_mautic", shape = octagon ];\n'
            '    "node9999001" -> "node9999002" [ style = dotted ] // planted\n')),
            "mw_wp links part mautic")

    for f in failures:
        print("FAIL " + f)
    print("self-test: %s" % ("failed" if failures else "every planted arrow "
                             "was reported"))
    return 1 if failures else 0


# ---- main ------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", help="configured CMake build directory")
    ap.add_argument("--dot", help="graphviz file written by cmake --graphviz")
    ap.add_argument("--source", default=os.path.normpath(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")),
        help="source tree (default: this script's repository)")
    ap.add_argument("--cmake", default="cmake", help="cmake to run")
    ap.add_argument("--doc", help="architecture document to compare "
                    "(default: SOURCE/docs/ARCHITECTURE.md)")
    ap.add_argument("--print-table", action="store_true")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()

    if a.print_table:
        sys.stdout.write(table_markdown())
        return 0
    if a.self_test:
        return self_test(a.build, a.cmake)
    if (a.build is None) == (a.dot is None):
        ap.error("give exactly one of --build and --dot")
    if a.dot is not None:
        with open(a.dot, encoding="utf-8") as f:
            graph = parse_dot(f.read())
    else:
        graph = parse_dot(graphviz(a.build, a.cmake))

    bad = check_links(graph)
    bad += check_includes(a.source, declared_libs(graph))
    bad += check_doc(a.doc or os.path.join(a.source, "docs",
                                           "ARCHITECTURE.md"))
    for b in bad:
        print(b)
    if bad:
        print("arch: %d arrow(s) the table does not allow (table: "
              "tests/arch/check.py ALLOWED, docs/ARCHITECTURE.md)" % len(bad))
        return 1
    print("arch: every link, include and third-party header follows the "
          "table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
