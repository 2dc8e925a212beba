#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Lint: the repository cites nothing outside itself.

The contract and the facts the code relies on live in docs/, with links to
public upstream sources.  This lint fails, listing file:line, when a file
cites a document that is not in the repository or a tracker issue by
number:

  - the old contract and style notes by file name (SPEC / STYLE .md, or
    "SPEC section N"),
  - research notes by path (a reference/ note, or the shared folder next
    to the repository),
  - numbered notes ("gotcha N"),
  - tracker issues by number ("issue N", "issue #N").

Public upstream sources are cited by URL; a GitHub issue's URL is fine,
since it names the repository the number belongs to.

Usage:
  lint_refs.py [DIR]      check the files git tracks (and new, unignored
                          files) under DIR (default: this repository);
                          without git, every file under DIR
  lint_refs.py --self-test
                          plant a reference in a temporary tree and make
                          sure the lint fails there and passes on a clean one

Exit status: 0 clean, 1 references found, 2 usage error.
"""

import os
import re
import subprocess
import sys
import tempfile

# The patterns are built from pieces so that this file does not cite
# anything itself.
_S, _T = "SP" + "EC", "STY" + "LE"
PATTERNS = [
    (re.compile(r"\b(%s|%s)\.md\b" % (_S, _T)), "names an outside document"),
    (re.compile(r"\b%s\b\s*(§|section|sections)\s*\d" % _S),
     "cites a section of an outside document"),
    (re.compile(r"\b%s\s+(§|section)" % _T), "cites the style notes"),
    (re.compile(r"(^|[^\w/.-])reference/[\w.-]+\.md\b"),
     "names a research note outside the repository"),
    (re.compile(r"\.\./" + "shared\\b|\\bshared/" + r"(reference|SPEC|STYLE|seed)"),
     "points into the shared folder outside the repository"),
    (re.compile(r"\b[Gg]" + r"otchas?\s+\d+"), "cites a numbered note"),
    (re.compile(r"\b[Ii]" + r"ssues?\s+#?\d+"),
     "cites a tracker issue by number (use a public URL or state the fact)"),
]

SKIP_DIRS = {".git", "build", "__pycache__"}


def listed_files(root):
    """Files git tracks under root plus new files it does not ignore; every
    file when root is not in a git work tree."""
    try:
        r = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, check=True)
        names = [n for n in r.stdout.decode().split("\0") if n]
        return [os.path.join(root, n) for n in names
                if os.path.isfile(os.path.join(root, n))]
    except (OSError, subprocess.CalledProcessError):
        pass
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS]
        out.extend(os.path.join(d, f) for f in files)
    return sorted(out)


def scan(root):
    """[(relative path, line number, why, line)] for every hit."""
    hits = []
    for path in listed_files(root):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if b"\0" in data:
            continue  # binary
        text = data.decode("utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            for pattern, why in PATTERNS:
                if pattern.search(line):
                    hits.append((os.path.relpath(path, root), n, why,
                                 line.strip()))
                    break
    return hits


def run(root):
    hits = scan(root)
    for rel, n, why, line in hits:
        print("%s:%d: %s: %s" % (rel, n, why, line[:160]))
    if hits:
        print("lint_refs: %d reference(s) to documents outside the "
              "repository; state the fact, or link into docs/ or to a "
              "public upstream source" % len(hits))
        return 1
    print("lint_refs: no references outside the repository")
    return 0


def self_test():
    """The lint must fail on a planted reference and pass on a clean tree;
    run as a separate process, exactly as ctest runs it."""
    planted = "/* see " + _S + ".md section 4 */"
    cases = [
        ("clean", {"lib/x/a.c": "/* see docs/CONTRACT.md */\nint a;\n",
                   "docs/x.md": "See https://github.com/o/r/issues/12.\n",
                   "README.md": "Contact #42 was updated.\n"}, 0, None),
        ("planted-spec", {"lib/x/a.c": "int a;\n" + planted + "\n"}, 1,
         "lib/x/a.c:2:"),
        ("planted-style", {"tests/t.py": "# (" + _T + ".md 2.8)\n"}, 1,
         "tests/t.py:1:"),
        ("planted-reference", {"sql/s.sql":
                               "-- (reference/" + "wordpress-users.md)\n"},
         1, "sql/s.sql:1:"),
        ("planted-shared", {"README.md": "[c](../" + "shared/x.md)\n"}, 1,
         "README.md:1:"),
        ("planted-gotcha", {"tests/stack/a.sh": "# (g" + "otcha 7)\n"}, 1,
         "tests/stack/a.sh:1:"),
        ("planted-issue", {"docs/a.md": "the goals of i" + "ssue 6\n"}, 1,
         "docs/a.md:1:"),
        ("planted-issue-hash", {"docs/b.md": "see i" + "ssue #12\n"}, 1,
         "docs/b.md:1:"),
    ]
    failed = 0
    for name, files, want_rc, want_text in cases:
        with tempfile.TemporaryDirectory(prefix="mw-lint-refs-") as tmp:
            for rel, content in files.items():
                p = os.path.join(tmp, rel)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "w") as f:
                    f.write(content)
            r = subprocess.run([sys.executable, os.path.abspath(__file__),
                                tmp], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        ok = r.returncode == want_rc and (want_text is None or
                                          want_text in r.stdout)
        print("%s %s: exit %d (want %d)%s" % (
            "ok  " if ok else "FAIL", name, r.returncode, want_rc,
            "" if ok else "\n" + r.stdout))
        failed += not ok
    print("lint_refs self-test: %s" % ("failed" if failed else
                                       "planted references are caught, the "
                                       "clean tree passes"))
    return 1 if failed else 0


def main(argv):
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test()
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        sys.stderr.write(__doc__)
        return 2
    root = argv[1] if len(argv) == 2 else os.path.normpath(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    return run(os.path.abspath(root))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
