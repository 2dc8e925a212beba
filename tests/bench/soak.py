#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Soak of the persistent mode: 20,000 mixed webhooks at
concurrency 4 against the FastCGI processes behind nginx + spawn-fcgi.
Checks: every answer 2xx, RSS of each process at the end within 10 % of
its RSS after warm-up, and the database equal to the emulator's final
state.  Prints the figures; exit status 1 when a check fails.

Usage: tests/bench/soak.py [--requests N] [--cgi PATH]   (stack running)"""

import argparse
import concurrent.futures
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "integration"))
import mw  # noqa: E402

N_CONTACTS = 60


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pids(t):
    with open(os.path.join(t.state, "fcgi", "spawn-fcgi.pid")) as f:
        return [int(x) for x in f.read().split()]


def state_of(rng, i, gen):
    return {"tags": sorted(rng.sample([f"t{k}" for k in range(10)], rng.randint(0, 4))),
            "email": f"soak{i}@example.com", "firstname": f"F{i}g{gen}",
            "lastname": rng.choice(["A", "B", "C"])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--cgi")
    a = ap.parse_args()
    env = mw.load_env()
    if env is None:
        print("soak: the stack is not running (tests/stack/up.sh)")
        return 1
    t = mw.Stack(env)
    if a.cgi:
        subprocess.run([os.path.join(mw.STACK, "fcgi-up.sh"), a.cgi], check=True,
                       capture_output=True)
    t.persistent()
    t.reset_db()
    t.emu_reset()
    t.config(webhook__secret=mw.WEBHOOK_SECRET, log__level="warn")
    rng = random.Random(42)
    state = {i: state_of(rng, i, 0) for i in range(1, N_CONTACTS + 1)}
    t.emu("POST", "/_emu/contacts", {"contacts": [
        {"id": i, "fields": {"email": s["email"], "firstname": s["firstname"],
                             "lastname": s["lastname"]}, "tags": s["tags"]}
        for i, s in state.items()]})
    key = {"X-Access-Key": mw.ACCESS_KEY}

    def hook(job):
        kind, cid, seed = job
        r = random.Random(seed)
        if kind == "batch":
            ids = r.sample(range(1, N_CONTACTS + 1), 5)
            body = t.payload([{"type": "mautic.lead_post_save_update", "contact_id": i}
                              for i in ids])
            return t.call("nginx", query=f"wpf_action={r.choice(['update', 'update_tags'])}"
                          f"&access_key={mw.ACCESS_KEY}", method="POST", body=body,
                          ctype="application/json",
                          headers={"Webhook-Signature": mw.signature(body)})
        return t.call("nginx", {"wpf_action": kind, "contact_id": cid}, headers=key)

    def wave(jobs):
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
            return list(ex.map(hook, jobs))

    kinds = ["update_tags"] * 5 + ["update"] * 3 + ["add"] + ["batch"]
    # Warm-up: every contact becomes a user, caches and pools settle.
    warm = wave([("add", i, i) for i in range(1, N_CONTACTS + 1)] +
                [(rng.choice(kinds), rng.randint(1, N_CONTACTS), k) for k in range(940)])
    ps = pids(t)
    rss0 = {p: rss_kb(p) for p in ps}
    t0 = time.time()
    answers, done, gen = [], 0, 0
    while done < a.requests - N_CONTACTS:
        n = min(2000, a.requests - N_CONTACTS - done)
        for _ in range(20):  # Mautic keeps changing between chunks
            gen += 1
            i = rng.randint(1, N_CONTACTS)
            state[i] = state_of(rng, i, gen)
            s = state[i]
            t.contact(i, tags=s["tags"], email=s["email"], firstname=s["firstname"],
                      lastname=s["lastname"])
        answers += wave([(rng.choice(kinds), rng.randint(1, N_CONTACTS), done + k)
                         for k in range(n)])
        done += n
    answers += wave([("add", i, i) for i in range(1, N_CONTACTS + 1)])  # last word
    secs = time.time() - t0
    rss1 = {p: rss_kb(p) for p in ps}
    bad = [x for x in warm + answers if not 200 <= x.status < 300]
    ok = not bad
    print(f"soak: {len(answers)} webhooks in {secs:.1f} s ({len(answers) / secs:.0f}/s) "
          f"at c=4 through nginx + spawn-fcgi, {len(bad)} not 2xx")
    for p in ps:
        grow = (rss1[p] - rss0[p]) / rss0[p] * 100 if rss0[p] else 0
        print(f"soak: pid {p}: RSS {rss0[p]} kB after warm-up, {rss1[p]} kB at the end "
              f"({grow:+.1f} %)")
        ok &= rss1[p] <= rss0[p] * 1.10
    for i, s in state.items():
        rows = t.sql("SELECT ID FROM wp_users WHERE user_email=%s", (s["email"],))
        if len(rows) != 1:
            print(f"soak: contact {i}: {len(rows)} users")
            ok = False
            continue
        uid = rows[0][0]
        want = mw.php_strlist(s["tags"]) if s["tags"] else None
        if t.meta(uid, "mautic_tags") != want or t.meta(uid, "first_name") != s["firstname"]:
            print(f"soak: contact {i}: user {uid} differs from Mautic")
            ok = False
    print("soak: " + ("database equal to the emulator's final state; RSS flat" if ok
                      else "FAILED"))
    t.config()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
