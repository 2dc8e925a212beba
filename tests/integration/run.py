#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the integration tests against the stack started by tests/stack/up.sh.

Usage: run.py [--cgi PATH] [--server apache|nginx] [-k SUBSTRING] [-v]

Every test_* function of every tests/integration/test_*.py module runs once
per web server (Apache mod_cgid and nginx+fcgiwrap) unless it sets
`servers`.  Before each test the database is reloaded from sql/, the Mautic
emulator is reset and the CGI's config is rewritten with defaults.
Exit status: 0 all passed, 1 a failure, 77 the stack is not running (a
failure under CI=true, where a skipped integration test is not allowed)."""

import argparse
import importlib.util
import os
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mw  # noqa: E402

SKIP = 77


def stack_or_skip():
    env = mw.load_env()
    why = None
    if env is None:
        why = "no stack.env: run tests/stack/up.sh first"
    else:
        st = subprocess.run([os.path.join(mw.STACK, "status.sh")],
                            capture_output=True, text=True)
        if st.returncode != 0:
            why = "the stack is not (fully) running:\n" + st.stdout + st.stderr
    if why:
        print("integration: SKIP: " + why)
        if os.environ.get("CI") == "true":
            print("integration: CI=true, so a skipped integration test is a failure")
            sys.exit(1)
        sys.exit(SKIP)
    return env


def load_tests(pattern):
    here = os.path.dirname(os.path.abspath(__file__))
    tests = []
    for name in sorted(os.listdir(here)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(here, name))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for attr in dir(mod):
            fn = getattr(mod, attr)
            if attr.startswith("test_") and callable(fn):
                if pattern and pattern not in attr and pattern not in name:
                    continue
                tests.append((name[:-3], attr, fn))
    tests.sort(key=lambda t: (t[0], t[2].__code__.co_firstlineno))
    return tests


# The files whose tests run under memcheck: every action, signed batches,
# hostile input and the queue's intake and worker.  A memcheck process
# costs over a second before main(), so the other files (the same code
# paths in other settings: users and mail, reactions, clusters...) are
# left to the asan pass, which runs all of them.
VALGRIND_FILES = ("test_foundation", "test_webhooks", "test_hostile", "test_queue")


def valgrind_install(env):
    """Put a wrapper in place of the installed CGI that runs it under
    memcheck, each process logging to its own file."""
    state = env["MW_STATE"]
    vg = os.path.join(state, "valgrind")
    logs = os.path.join(vg, "logs")
    subprocess.run(["rm", "-rf", vg], check=True)
    os.makedirs(logs)
    os.chmod(vg, 0o755)
    os.chown(logs, 33, 33)
    cgi = os.path.join(env["MW_CGI_DIR"], "mautic-wp.cgi")
    real = os.path.join(vg, "mautic-wp.cgi.real")
    subprocess.run(["cp", cgi, real], check=True)
    os.chmod(real, 0o755)
    wrapper = cgi + ".new"
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec /usr/bin/valgrind --quiet --leak-check=full"
                " --show-leak-kinds=definite,indirect,possible"
                " --errors-for-leak-kinds=definite,indirect,possible"
                f" --log-file={logs}/%p.log {real} \"$@\"\n")
    os.chmod(wrapper, 0o755)
    os.replace(wrapper, cgi)
    return {"logs": logs, "real": real, "cgi": cgi}


def valgrind_report(vg):
    """Count processes and errors; put the real CGI back."""
    os.replace(vg["real"], vg["cgi"])
    names = os.listdir(vg["logs"])
    bad = []
    for n in names:
        with open(os.path.join(vg["logs"], n)) as f:
            text = f.read()
        if text.strip():
            bad.append(n)
            print(f"FAIL valgrind {n}:\n{text[:3000]}")
    print(f"valgrind: {len(names)} CGI processes under memcheck, {len(bad)} with errors"
          " or leaks")
    if not names:
        return ["valgrind: no process ran under memcheck"]
    return [f"valgrind {n}" for n in bad]


def secrets_scan(t, marks):
    """Search every CGI log line and every answer of the run for the
    access key, the webhook secret, the Mautic password, the OAuth secret,
    every token and every generated password the emulator received."""
    secrets = {"access key": mw.ACCESS_KEY, "webhook secret": mw.WEBHOOK_SECRET,
               "Mautic password": mw.MAUTIC_PASSWORD, "OAuth secret": mw.OAUTH_SECRET,
               "database password": "wppw"}
    for i, v in enumerate(sorted(mw.Stack.harvested)):
        secrets[f"token or generated password #{i}"] = v
    texts = {f"{srv} log": t.log_since(srv, mark) for srv, mark in marks.items()}
    texts["answers"] = "\n".join(mw.Stack.answers)
    leaks = []
    for where, text in texts.items():
        for what, value in secrets.items():
            if value and value in text:
                leaks.append(f"{what} found in {where}")
    print(f"secrets scan: {len(secrets)} secrets, {len(mw.Stack.answers)} answers, "
          f"{sum(len(x) for x in texts.values())} bytes searched, {len(leaks)} found")
    return leaks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cgi")
    ap.add_argument("--server", choices=("apache", "nginx"))
    ap.add_argument("-k")
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--mode", choices=("cgi", "persistent"), default="cgi",
                    help="persistent: the same tests against the FastCGI processes"
                         " (Apache mod_fcgid, nginx + spawn-fcgi)")
    ap.add_argument("--no-volume", action="store_true",
                    help="leave out the tests marked volume (bursts, kill loops, clusters"
                         " under load)")
    ap.add_argument("--valgrind", action="store_true",
                    help="serve the CGI under valgrind memcheck (Apache only, the"
                         " files of VALGRIND_FILES, tests that depend on timing or"
                         " volume left out)")
    a = ap.parse_args()
    env = stack_or_skip()
    if a.cgi:
        subprocess.run([os.path.join(mw.STACK, "install-cgi.sh"), a.cgi], check=True)
    vg = valgrind_install(env) if a.valgrind else None
    if vg:
        # Under memcheck a CGI is 20-50 times slower, TLS handshakes most of
        # all: the Mautic time budget of the tests' config grows with it.
        os.environ["MW_TEST_MAUTIC_TIMEOUT_MS"] = "9000"
    if a.mode == "persistent":
        subprocess.run([os.path.join(mw.STACK, "fcgi-up.sh")] + ([a.cgi] if a.cgi else
                       [os.path.join(env["MW_CGI_DIR"], "mautic-wp.cgi")]), check=True)
    t = mw.Stack(env)
    if a.mode == "persistent":
        t.persistent()
    marks = {srv: t.log_mark(srv) for srv in t.logs}
    tests = load_tests(a.k)
    failed, passed, skipped = [], 0, 0
    t0 = time.time()
    for mod, name, fn in tests:
        servers = getattr(fn, "servers", ("apache", "nginx"))
        if a.no_volume and getattr(fn, "volume", False):
            continue
        if vg is not None:
            if getattr(fn, "timing", False) or getattr(fn, "volume", False):
                continue
            if mod not in VALGRIND_FILES:
                continue
            servers = [s for s in servers if s == "apache"]
        for server in servers:
            if a.server and server != a.server:
                continue
            label = f"{mod}.{name}[{server}]"
            t.reset_db()
            t.emu_reset()
            t.spool_reset()
            t.clear_token_cache()
            t.clear_mails()
            t.config()
            start = time.time()
            try:
                fn(t, server)
                passed += 1
                if a.v:
                    print(f"ok   {label} ({time.time() - start:.2f}s)")
            except mw.Skip as e:
                # A part of the stack that only some tests need is not up.
                if os.environ.get("CI") == "true":
                    failed.append(label)
                    print(f"FAIL {label}: skipped under CI=true: {e}")
                else:
                    skipped += 1
                    print(f"skip {label}: {e}")
            except Exception:  # noqa: BLE001 - report every failure
                failed.append(label)
                print(f"FAIL {label}")
                traceback.print_exc(file=sys.stdout)
    if vg is not None:
        errors = valgrind_report(vg)
        failed.extend(errors)
    t.harvest()
    leaks = secrets_scan(t, marks)
    if leaks:
        failed.append("secrets_scan")
        for leak in leaks:
            print("FAIL secrets_scan: " + leak)
    print(f"integration: {passed} passed, {len(failed)} failed"
          + (f", {skipped} skipped" if skipped else "") + f" in {time.time() - t0:.1f}s")
    for f in failed:
        print("  failed: " + f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
