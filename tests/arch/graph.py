#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Draw the arrows between the parts of mautic-wp from what CMake records.

Reads the graphviz files `cmake --graphviz` writes (or runs it on a
configured build directory) and prints the part-to-part and
part-to-library arrows as a Mermaid flowchart, or as plain text.  An arrow
A --> B means "A links B and may call it".  By default an arrow between
two parts is left out when a longer path already connects them (A --> C is
implied by A --> B --> C); --full keeps every declared arrow.

Usage:
  graph.py --build DIR [--cmake CMAKE] [--full] [--text]
  graph.py --dot FILE [--full] [--text]
  graph.py --build DIR --update docs/ARCHITECTURE.md
      replace the diagram between the "graph" markers of the document
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402  (same folder: the graph parser and the table)

BEGIN = "<!-- graph:begin (tests/arch/graph.py --update) -->"
END = "<!-- graph:end -->"


def arrows(graph):
    """({part: set(parts)}, {part: set(libs)}) from the parsed graph."""
    parts, libs = {}, {}
    for label, deps in graph.items():
        part = check.target_part(label)
        if part is None:
            continue
        parts.setdefault(part, set())
        libs.setdefault(part, set())
        for dep in deps:
            kind = check.dep_name(dep)
            if kind is None:
                continue
            (parts if kind[0] == "part" else libs)[part].add(kind[1])
    return parts, libs


def reduce(parts):
    """Drop A -> C when C is reachable from A through another part."""

    def reach(a, skip):
        seen, todo = set(), [b for b in parts.get(a, ()) if b != skip]
        while todo:
            b = todo.pop()
            if b in seen:
                continue
            seen.add(b)
            todo.extend(parts.get(b, ()))
        return seen

    return {a: {c for c in bs if c not in reach(a, c)}
            for a, bs in parts.items()}


def order(names):
    known = [p for p in check.ORDER if p in names]
    return list(reversed(known)) + sorted(set(names) - set(known))


def ident(name):
    return name.replace("-", "_")


def mermaid(parts, libs):
    out = ["```mermaid", "flowchart TD"]
    for p in order(parts):
        label = {check.PROGRAM[1]: "cgi-bin: mautic-wp.cgi",
                 check.CORE[1]: "mautic-wp-core.so"}.get(p, "lib/%s" % p)
        out.append('  %s["%s"]' % (ident(p), label))
    used = sorted({l for ls in libs.values() for l in ls})
    for l in used:
        out.append('  lib_%s[("%s")]' % (l, check.LIBS.get(l, l)))
    for p in order(parts):
        for q in order(parts[p]):
            out.append("  %s --> %s" % (ident(p), ident(q)))
    for p in order(libs):
        for l in sorted(libs[p]):
            out.append("  %s -.-> lib_%s" % (ident(p), l))
    out.append("```")
    return "\n".join(out) + "\n"


def text(parts, libs):
    out = []
    for p in order(parts):
        out.append("%-8s -> %s%s" % (
            p, ", ".join(order(parts[p])) or "(no part)",
            "   [" + ", ".join(sorted(libs.get(p, ()))) + "]"
            if libs.get(p) else ""))
    return "\n".join(out) + "\n"


def update(path, block):
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    try:
        start = doc.index(BEGIN) + len(BEGIN)
        end = doc.index(END, start)
    except ValueError:
        raise SystemExit("graph.py: %s has no %s ... %s markers" %
                         (path, BEGIN, END))
    new = doc[:start] + "\n" + block + doc[end:]
    if new != doc:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
        print("graph.py: %s updated" % path)
    else:
        print("graph.py: %s already current" % path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", help="configured CMake build directory")
    ap.add_argument("--dot", help="graphviz file written by cmake --graphviz")
    ap.add_argument("--cmake", default="cmake")
    ap.add_argument("--full", action="store_true",
                    help="keep arrows implied by longer paths")
    ap.add_argument("--text", action="store_true", help="plain text")
    ap.add_argument("--update", metavar="DOC",
                    help="rewrite the diagram inside DOC")
    a = ap.parse_args()
    if (a.build is None) == (a.dot is None):
        ap.error("give exactly one of --build and --dot")
    if a.dot is not None:
        with open(a.dot, encoding="utf-8") as f:
            graph = check.parse_dot(f.read())
    else:
        graph = check.parse_dot(check.graphviz(a.build, a.cmake))
    parts, libs = arrows(graph)
    if not a.full:
        parts = reduce(parts)
    block = text(parts, libs) if a.text else mermaid(parts, libs)
    if a.update:
        update(a.update, block)
    else:
        sys.stdout.write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
