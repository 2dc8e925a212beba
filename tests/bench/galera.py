#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Throughput of update_tags (tags change, so every webhook commits) and add
(a new contact each time) on one MariaDB against the three-node Galera
cluster of tests/stack/galera-up.sh, through two web servers (Apache and
nginx, requests alternating), in the same run, as CGI and in persistent
mode.  The web servers use the /galera/ locations; for the single server
their configs name the stack's MariaDB, for the cluster Apache lists node
1 first and nginx node 2.  Prints a markdown table and writes it to
tests/bench/results/.  Not a test: it never fails on slow numbers.

Usage (as root, with the stack and the Galera nodes up):
    tests/bench/galera.py            BENCH_GALERA_N (400) webhooks per row,
                                     BENCH_GALERA_CONC (8) at a time
"""

import concurrent.futures
import datetime
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import mw  # noqa: E402
import test_galera as tg  # noqa: E402

N = int(os.environ.get("BENCH_GALERA_N", "400"))
CONC = int(os.environ.get("BENCH_GALERA_CONC", "8"))
STEADY = 200  # contacts 1..200 have users; update_tags goes round them
TAGS = (["bench-a", "bench-b"], ["bench-a", "bench-c"])


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)


def write_configs(t, hosts_by_server):
    for server, hosts in hosts_by_server.items():
        saved = t.config_path
        t.config_path = os.path.join(t.state, "etc", f"galera-{server}.conf")
        try:
            t.config(wordpress__db_host=hosts, log__level="warn")
        finally:
            t.config_path = saved


def timed(t, calls):
    """Run calls (server, params) CONC at a time; (seconds, latencies,
    statuses)."""
    def one(c):
        server, params = c
        s = time.monotonic()
        a = t.call(server, params, headers={"X-Access-Key": mw.ACCESS_KEY})
        return time.monotonic() - s, a.status

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=CONC) as ex:
        res = list(ex.map(one, calls))
    return time.monotonic() - start, [r[0] for r in res], [r[1] for r in res]


def measure(t, label, reset):
    """Both webhooks against what reset() prepared; one row each."""
    reset()
    t.emu_reset()
    for i in range(1, STEADY + 1):
        t.contact(i, tags=TAGS[0], email=f"steady{i}@example.com", firstname=f"S{i}")
    servers = tg.SERVERS
    # Users for the steady contacts (not timed).
    timed(t, [(servers[i % 2], {"wpf_action": "add", "contact_id": i})
              for i in range(1, STEADY + 1)])
    rows = []
    # update_tags: each pass flips every contact's tags in Mautic first
    # (not timed), so every webhook of the pass writes and commits.
    secs, lats, sts = 0.0, [], []
    k = 0
    while len(lats) < N:
        k += 1
        for i in range(1, STEADY + 1):
            t.contact(i, tags=TAGS[k % 2], email=f"steady{i}@example.com", firstname=f"S{i}")
        n = min(STEADY, N - len(lats))
        s, l_, st = timed(t, [(servers[i % 2], {"wpf_action": "update_tags", "contact_id": i})
                              for i in range(1, n + 1)])
        secs += s
        lats += l_
        sts += st
    rows.append((label, "update_tags, tags change", secs, lats, sts))
    first = 100001
    for i in range(first, first + N):
        t.contact(i, tags=TAGS[0], email=f"new{i}@example.com", firstname=f"N{i}")
    s, l_, st = timed(t, [(servers[i % 2], {"wpf_action": "add", "contact_id": i})
                          for i in range(first, first + N)])
    rows.append((label, "add, a new contact each time", s, l_, st))
    for r in rows:
        log(f"{r[0]:40} {r[1]:30} {len(r[3]) / r[2]:7.1f}/s p50"
            f" {statistics.median(r[3]) * 1000:6.1f} ms, non-200: {sum(x != 200 for x in r[4])}")
    return rows


def main():
    env = mw.load_env()
    if env is None:
        raise SystemExit("bench: no stack: run tests/stack/up.sh")
    t = mw.Stack(env)
    g = tg.galera_env(t)
    states = {n: tg.node_state(g, n) for n in (1, 2, 3)}
    if any(s != "Synced" for s in states.values()):
        raise SystemExit(f"bench: the Galera nodes are not all Synced: {states}")
    cgi = os.path.join(env["MW_CGI_DIR"], "mautic-wp.cgi")
    subprocess.run([os.path.join(mw.STACK, "fcgi-up.sh"), cgi], check=True,
                   capture_output=True)
    single = f"127.0.0.1:{env['MW_DB_PORT']}"
    cluster = {s: ", ".join(f"127.0.0.1:{g[f'MW_GALERA_NODE{n}_PORT']}" for n in order)
               for s, order in tg.ORDER.items()}

    def reset_single():
        t.reset_db()
        write_configs(t, {"apache": single, "nginx": single})

    def reset_cluster():
        subprocess.run([os.path.join(mw.STACK, "db-reset.sh")], check=True,
                       capture_output=True,
                       env=dict(os.environ, MW_RESET_SOCKET=g["MW_GALERA_NODE1_SOCKET"]))
        write_configs(t, cluster)

    rows = []
    base_urls = dict(t.urls)
    for mode in ("cgi", "persistent"):
        t.urls.update(base_urls)
        if mode == "persistent":
            t.persistent()
        with tg.galera_urls(t):
            rows += measure(t, f"one MariaDB, {mode}", reset_single)
            rows += measure(t, f"3-node Galera, {mode}", reset_cluster)
    t.urls.update(base_urls)
    t.reset_db()
    load = os.getloadavg()
    out = [f"# Galera benchmark {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC", "",
           f"{N} webhooks per row, {CONC} at a time, alternating Apache (mod_cgid /"
           " mod_fcgid) and nginx (fcgiwrap / spawn-fcgi); the cluster's three nodes"
           f" on the same machine ({os.cpu_count()} vCPUs, load average"
           f" {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end).", "",
           "| database | webhook | webhooks/s | p50 ms | p95 ms | non-200 |",
           "|---|---|---|---|---|---|"]
    for label, what, secs, lats, sts in rows:
        lats = sorted(lats)
        out.append(f"| {label} | {what} | {len(lats) / secs:.0f} |"
                   f" {statistics.median(lats) * 1000:.1f} |"
                   f" {lats[int(len(lats) * 0.95) - 1] * 1000:.1f} |"
                   f" {sum(s != 200 for s in sts)} |")
    text = "\n".join(out) + "\n"
    print(text)
    path = os.path.join(HERE, "results",
                        f"galera-{datetime.datetime.utcnow():%Y-%m-%d-%H%M}.md")
    with open(path, "w") as f:
        f.write(text)
    log("written", path)


if __name__ == "__main__":
    main()
