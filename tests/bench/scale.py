#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The benchmark at scale: the same webhooks on sites of 1,000, 10,000 and
100,000 members (tests/stack/seed-site.sh), with and without the contact
index (mautic-wp.cgi --install-index / --remove-index), as a CGI (Apache
mod_cgid) and in the persistent mode (Apache mod_fcgid).

For every cell: median and p90 answer time of sequential webhooks on new
connections (as Mautic sends them), the round trips to the database the
program counted (the done line's rt=), and the database server's CPU time
per webhook (utime+stime of mariadbd from /proc, which counts whatever the
server did for us).  Plus the bare contact lookup, timed in SQL.  Prints a
markdown table and writes it to tests/bench/results/scale-*.md.  Not a test:
it never fails on slow figures.

Usage: tests/bench/scale.py [--sizes 1000,10000,100000] [--requests 60]
                            [--cgi PATH]     (default: build/release, else
                                              build/dev)
Needs the stack (tests/stack/up.sh) and the persistent mode
(tests/stack/fcgi-up.sh, started here with the same binary).
"""

import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import mw  # noqa: E402
import bench  # noqa: E402  (Emu, Logs, http_call)

FIRST = 1000000          # contact id of the first seeded member
NEW_FIRST = 5000000      # contacts for add: one new contact per request
ACTIONS = ("update_tags", "update", "add")
DONE_RT = re.compile(r"done action=(\S+) .*? ms=(\d+) mautic_calls=(\d+) sql=(\d+)"
                     r"(?: rt=(\d+))?")


def log(*a):
    print("scale:", *a, file=sys.stderr, flush=True)


def sh(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def mariadbd_cpu_s():
    """utime+stime of the test MariaDB server, in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() not in ("mariadbd", "mysqld"):
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


class Scale:
    def __init__(self, a):
        env = mw.load_env()
        if env is None:
            raise SystemExit("scale: no stack.env: run tests/stack/up.sh first")
        self.env = env
        self.a = a
        self.t = mw.Stack(env)
        self.emu = bench.Emu(self.t)
        self.logs = bench.Logs(env["MW_LOG_DIR"])
        self.script_env = dict(os.environ, **env)
        self.cgi_url = env["MW_APACHE_URL"]
        self.fcgi_url = self.cgi_url.replace("/cgi-bin/", "/fcgi-bin/")
        self.binary = a.cgi
        self.rows = []
        self.lookups = []
        self.next_new = NEW_FIRST

    # ---- set-up ---------------------------------------------------------
    def install(self):
        for script, arg in (("install-cgi.sh", self.binary), ("fcgi-up.sh", self.binary)):
            p = sh([os.path.join(mw.STACK, script), arg], env=self.script_env)
            if p.returncode != 0:
                raise SystemExit(f"scale: {script} failed: {p.stderr[-400:]}")
        self.t.config(log__level="info")

    def shell(self, *args):
        p = sh([self.binary, "--config", self.env["MW_CONFIG"], *args])
        return p.returncode, p.stdout + p.stderr

    def seed(self, n):
        t0 = time.time()
        p = sh([os.path.join(mw.STACK, "db-reset.sh")], env=self.script_env)
        if p.returncode != 0:
            raise SystemExit(f"scale: db-reset.sh: {p.stderr[-300:]}")
        p = sh([os.path.join(mw.STACK, "seed-site.sh"), str(n), str(FIRST)],
               env=self.script_env)
        if p.returncode != 0:
            raise SystemExit(f"scale: seed-site.sh: {p.stderr[-300:]}")
        seeded = time.time() - t0
        # The contacts the webhooks name: spread over the whole site, with
        # the data the seeded members already hold (the common, unchanged
        # path), plus fresh contacts for add.
        k = self.a.requests
        step = max(1, n // k)
        self.sample = [FIRST + i * step for i in range(min(k, n))]
        self.emu.req("POST", "/_emu/reset", {})
        contacts = []
        for i, cid in enumerate(self.sample):
            seq = cid - FIRST + 1
            tags = ["Members", "Course A"] if seq % 3 == 0 else ["Members"]
            contacts.append({"id": cid, "tags": tags,
                             "fields": {"email": f"member{cid}@seed.test",
                                        "firstname": "Member", "lastname": str(cid)}})
        for j in range(self.next_new, self.next_new + 4 * k + 20):
            contacts.append({"id": j, "tags": ["Members"],
                             "fields": {"email": f"new{j}@seed.test",
                                        "firstname": "New", "lastname": str(j)}})
        self.emu.req("POST", "/_emu/contacts", {"contacts": contacts})
        log(f"{n} members seeded in {seeded:.1f} s")

    # ---- measuring --------------------------------------------------------
    def lookup_ms(self, n):
        """Median time of the program's contact lookup statement, in SQL."""
        times = []
        with self.t.db() as c, c.cursor() as cur:
            for cid in self.sample[:30]:
                t0 = time.perf_counter()
                cur.execute("SELECT MIN(user_id) FROM wp_usermeta WHERE meta_key ="
                            " 'mautic_contact_id' AND meta_value = %s", (str(cid),))
                cur.fetchall()
                times.append((time.perf_counter() - t0) * 1000)
        return statistics.median(times)

    def cell(self, n, index, mode, action, count):
        url = self.cgi_url if mode == "CGI" else self.fcgi_url
        key = {"X-Access-Key": mw.ACCESS_KEY}

        def query(i):
            if action == "add":
                cid = self.next_new
                self.next_new += 1
            else:
                cid = self.sample[i % len(self.sample)]
            return f"{url}?wpf_action={action}&contact_id={cid}"

        # Warm-up: the first webhooks of a contact may write (update_tags
        # syncs the stored list once); the persistent processes connect.
        for i in range(min(5, count)):
            bench.http_call(query(i), headers=key)
        time.sleep(0.2)
        self.logs.mark()
        cpu0 = mariadbd_cpu_s()
        times, bad = [], 0
        for i in range(count):
            t0 = time.perf_counter()
            st, raw = bench.http_call(query(i), headers=key, timeout=60)
            times.append((time.perf_counter() - t0) * 1000)
            if st != 200:
                bad += 1
                if bad <= 2:
                    log(f"  {action} {mode}: HTTP {st} {raw[:200]}")
        cpu1 = mariadbd_cpu_s()
        time.sleep(0.3)
        done = [m for m in DONE_RT.findall(self.logs.since()) if m[0] == action]
        rts = [int(m[4]) for m in done if m[4]]
        sqls = [int(m[3]) for m in done]
        times.sort()
        row = {"n": n, "index": index, "mode": mode, "action": action,
               "count": count, "failed": bad,
               "p50": statistics.median(times),
               "p90": times[min(len(times) - 1, int(len(times) * 0.9))],
               "rt": statistics.median(rts) if rts else None,
               "sql": statistics.median(sqls) if sqls else None,
               "db_cpu": (cpu1 - cpu0) * 1000 / count}
        self.rows.append(row)
        log(f"  {n:>6} index={index:<3} {mode:<10} {action:<11} p50 {row['p50']:7.2f} ms"
            f"  p90 {row['p90']:7.2f} ms  rt {row['rt']}  db cpu {row['db_cpu']:.2f} ms"
            + (f"  {bad} failed" if bad else ""))

    def run(self):
        started = datetime.datetime.now(datetime.timezone.utc)
        t0 = time.time()
        self.install()
        for n in self.a.sizes:
            self.seed(n)
            for index in ("off", "on"):
                rc, out = self.shell("--remove-index" if index == "off" else "--install-index")
                if rc != 0:
                    raise SystemExit(f"scale: index {index}: {out[-400:]}")
                # Without the index a lookup reads every linked member: a
                # few requests are enough to show it at 100,000.
                count = self.a.requests
                if index == "off" and n >= 50000:
                    count = max(5, count // 6)
                self.lookups.append((n, index, self.lookup_ms(n)))
                for mode in ("CGI", "persistent"):
                    for action in ACTIONS:
                        self.cell(n, index, mode, action, count)
        self.shell("--remove-index")
        p = sh([os.path.join(mw.STACK, "db-reset.sh")], env=self.script_env)
        self.emu.req("POST", "/_emu/reset", {})
        return self.report(started, time.time() - t0)

    def report(self, started, elapsed):
        L = [f"# Scale benchmark, {started:%Y-%m-%d %H:%M} UTC\n",
             f"Binary `{self.binary}`; {self.a.requests} sequential webhooks per cell"
             " (fewer without the index at 50,000 members and more), each on a new"
             " connection; members seeded by `tests/stack/seed-site.sh` (20 usermeta"
             " rows each). rt = database round trips the program counted; DB CPU ="
             " mariadbd's CPU time per webhook.\n",
             "## Contact lookup (SQL, median ms)\n",
             "| members | without index | with index |", "|---|---|---|"]
        by = {(n, i): ms for n, i, ms in self.lookups}
        for n in self.a.sizes:
            L.append(f"| {n:,} | {by.get((n, 'off'), 0):.2f} | {by.get((n, 'on'), 0):.2f} |")
        L += ["", "## Webhooks (median / p90 ms; round trips; DB CPU ms per webhook)\n",
              "| members | index | mode | action | p50 ms | p90 ms | rt | DB CPU ms | failed |",
              "|---|---|---|---|---|---|---|---|---|"]
        for r in self.rows:
            L.append(f"| {r['n']:,} | {r['index']} | {r['mode']} | {r['action']} |"
                     f" {r['p50']:.2f} | {r['p90']:.2f} |"
                     f" {r['rt'] if r['rt'] is not None else '–'} |"
                     f" {r['db_cpu']:.2f} | {r['failed']} |")
        L += ["", f"Total run time {elapsed:.0f} s."]
        text = "\n".join(L) + "\n"
        outdir = os.path.join(HERE, "results")
        os.makedirs(outdir, exist_ok=True)
        path = os.path.join(outdir, f"scale-{started:%Y-%m-%d-%H%M}.md")
        with open(path, "w") as f:
            f.write(text)
        print(text)
        log(f"written to {path}")
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--cgi")
    a = ap.parse_args()
    a.sizes = [int(x) for x in a.sizes.split(",")]
    if not a.cgi:
        for b in ("release", "dev"):
            p = os.path.join(ROOT, "build", b, "cgi-bin", "mautic-wp.cgi")
            if os.path.exists(p):
                a.cgi = p
                break
    if not a.cgi or not os.path.exists(a.cgi):
        raise SystemExit("scale: no binary: build one or pass --cgi")
    if os.geteuid() != 0:
        raise SystemExit("scale: run as root (the stack's config is root:www-data)")
    return Scale(a).run()


if __name__ == "__main__":
    sys.exit(main())
