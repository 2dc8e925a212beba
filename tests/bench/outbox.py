#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The outbox's cost and the drain's speed (a measurement, never a test).

1. Answer latency in persistent mode (nginx + spawn-fcgi), one request at
   a time, each on a new connection as Mautic sends them: update_tags with
   the tags changing on every request (a row is written, the event
   recorded), and unchanged (the "tags loaded" event), with the outbox
   off, on with the ping going to a closed port (the row and the ping's
   connect only), and on with the mu-plugin installed and its drains
   running on the same machine.
2. Drain throughput: N events recorded with no ping, then one signed ping;
   events per second from the ping to an empty outbox, with the mu-plugin
   alone (WordPress core's listeners only) in the stack's WordPress
   (mod_php, prefork).

Usage: tests/bench/outbox.py [--requests N] [--events N] [--cgi PATH]
(stack running; tests/stack/fcgi-up.sh is run for the persistent mode)."""

import argparse
import hashlib
import hmac
import http.client
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "integration"))
import mw  # noqa: E402

USERS = 20


def mu_dir(t):
    return os.path.join(t.state, "wordpress", "wp-content", "mu-plugins")


def plugin(t, on):
    dst = os.path.join(mu_dir(t), "mautic-wp.php")
    if on:
        shutil.copy(os.path.join(mw.ROOT, "wordpress", "mautic-wp.php"), dst)
    elif os.path.exists(dst):
        os.unlink(dst)


def pending(t):
    try:
        return t.sql("SELECT COUNT(*) FROM wp_mautic_wp_events WHERE parked = 0")[0][0]
    except Exception:  # noqa: BLE001 - no table yet
        return 0


def ping(t):
    key = t.sql("SELECT option_value FROM wp_options WHERE option_name"
                " = 'mautic_wp_drain_key'")[0][0]
    ts, nonce = str(int(time.time())), secrets.token_hex(16)
    sig = hmac.new(key.encode(), f"{ts}.{nonce}".encode(), hashlib.sha256).hexdigest()
    u = urllib.parse.urlsplit(t.wp_url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("POST", "/wp-cron.php?mautic-wp-drain=1", body=b"",
              headers={"X-Mautic-WP-Time": ts, "X-Mautic-WP-Nonce": nonce,
                       "X-Mautic-WP-Signature": sig})
    st = c.getresponse().status
    c.close()
    return st


def latency(t, n, change):
    """The ms of n update_tags webhooks, cycling over the users."""
    key = {"X-Access-Key": mw.ACCESS_KEY}
    ms = []
    for k in range(n):
        cid = 1 + k % USERS
        if change:
            t.contact(cid, tags=[f"t{k}"], email=f"b{cid}@example.com")
        t0 = time.perf_counter()
        a = t.call("nginx", {"wpf_action": "update_tags", "contact_id": cid}, headers=key)
        ms.append((time.perf_counter() - t0) * 1000)
        if a.status != 200:
            raise RuntimeError(f"webhook answered {a.status}: {a.raw[:200]}")
    return ms


def setup(t, **cfg):
    t.reset_db()
    t.emu_reset()
    t.config(log__level="warn", **cfg)
    for cid in range(1, USERS + 1):
        t.add_user(f"b{cid}", f"b{cid}@example.com", contact_id=cid,
                   tags=mw.php_strlist(["t"]))
        t.contact(cid, tags=["t"], email=f"b{cid}@example.com")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--cgi")
    a = ap.parse_args()
    env = mw.load_env()
    if env is None:
        print("outbox bench: the stack is not running (tests/stack/up.sh)")
        return 1
    t = mw.Stack(env)
    subprocess.run([os.path.join(mw.STACK, "fcgi-up.sh")] + ([a.cgi] if a.cgi else
                   [os.path.join(env["MW_CGI_DIR"], "mautic-wp.cgi")]),
                   check=True, capture_output=True)
    t.persistent()
    closed = "http://127.0.0.1:9"
    modes = [("outbox off", {"events__outbox": "no"}, False),
             ("outbox on, ping to a closed port", {"events__outbox": "yes",
                                                   "events__ping_url": closed}, False),
             ("outbox on, mu-plugin draining", {"events__outbox": "yes"}, True)]
    rows = []
    try:
        # The modes take turns in blocks, so that the load of a shared
        # machine falls on all of them alike.
        for change in (True, False):
            plugin(t, False)
            setup(t)
            got = {name: [] for name, _, _ in modes}
            for rnd in range(a.rounds):
                for name, cfg, plug in modes:
                    plugin(t, plug)
                    t.config(log__level="warn", **cfg)
                    latency(t, 10, change)  # the config re-read, warm statements
                    got[name] += latency(t, a.requests // a.rounds, change)
            for name, _, _ in modes:
                ms = sorted(got[name])
                p50, p90 = statistics.median(ms), ms[int(len(ms) * 0.9)]
                rows.append((("tags change" if change else "unchanged"), name, p50, p90))
                print(f"outbox bench: update_tags {rows[-1][0]}, {name}: "
                      f"p50 {p50:.2f} ms, p90 {p90:.2f} ms", file=sys.stderr)
        # Drain throughput.
        plugin(t, True)
        setup(t, events__outbox="yes", events__ping_url=closed)
        key = {"X-Access-Key": mw.ACCESS_KEY}
        for k in range(a.events):
            cid = 1 + k % USERS
            t.contact(cid, tags=[f"d{k}"], email=f"b{cid}@example.com")
            t.call("nginx", {"wpf_action": "update_tags", "contact_id": cid}, headers=key)
        n = pending(t)
        t0 = time.perf_counter()
        st = ping(t)
        while pending(t) > 0 and time.perf_counter() - t0 < 300:
            time.sleep(0.02)
        secs = time.perf_counter() - t0
        left = pending(t)
    finally:
        plugin(t, False)
        t.config()
    print("| update_tags | outbox | p50 ms | p90 ms |")
    print("|---|---|---|---|")
    for kind, name, p50, p90 in rows:
        print(f"| {kind} | {name} | {p50:.2f} | {p90:.2f} |")
    print()
    print(f"drain: {n - left} events in {secs:.2f} s after one ping (answered {st}):"
          f" {(n - left) / secs:.0f} events/s, {left} left")
    return 0


if __name__ == "__main__":
    sys.exit(main())
