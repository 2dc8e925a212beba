#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A campaign burst: what one campaign step for many contacts costs Mautic
and the web host, synchronously (as a CGI and in the persistent mode) and
with async=1 (the local queue and its worker).

Mautic's campaign cron sends the step's webhooks one after another, each
waiting for our answer, so its time is the sum of our answer times.  The
emulator answers every API call after --delay-ms (a real Mautic takes
50-300 ms; the emulator alone 1-3).  Per mode:

  Mautic-side s      the sum of the answer times (what the cron waits)
  answer p50 ms      the median answer
  consistent s       from the first webhook until WordPress holds every
                     change (the queue empty, the worker idle)
  after last s       of which after the last answer
  API calls          requests the emulator received
  peak RSS MiB       the largest process on the web host doing the work:
                     one CGI process (max of 5 direct runs), a FastCGI
                     process, or the worker (VmHWM), as measured
  worker RSS MiB     the worker's resident memory at its first sample
                     (after 200 webhooks) and its last (the queue empty)
  floor p50 ms       the median answer to a request with a wrong access
                     key on the same URL: the web server, the process
                     hand-off and the client, without our work; the
                     answer p50 minus this is what the program spends
  hello-world CGI    (a line under the table) the median answer of a
                     C program that prints "hello" as a CGI through the
                     same Apache: what any CGI costs, before its own work

The webhooks: --webhooks update_tags and update for existing members
(half each, every member once), plus --adds add for new contacts, mixed in
evenly.  The full size is 10,000 + 1,000 at 150 ms, about 25 minutes per
synchronous mode on the 2-core test machine; --webhooks and --adds make it
smaller.  A measurement, not a test: it fails only when it cannot run.

Usage: tests/bench/burst.py [--webhooks 10000] [--adds 1000] [--delay-ms 150]
                            [--modes cgi,persistent,async,async-persistent]
                            [--cgi PATH]
Needs the stack (tests/stack/up.sh); the persistent mode is started here
(tests/stack/fcgi-up.sh) with the same binary.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import mw  # noqa: E402
import bench  # noqa: E402  (Emu, http_call)

FIRST = 1000000      # contact id of the first seeded member
NEW_FIRST = 6000000  # contacts for add


def log(*a):
    print("burst:", *a, file=sys.stderr, flush=True)


def sh(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def status_kib(pid, field):
    """A memory figure of /proc/PID/status (VmHWM, VmRSS) in KiB, 0 when
    the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def vmhwm_kib(pid):
    return status_kib(pid, "VmHWM")


def vmrss_kib(pid):
    return status_kib(pid, "VmRSS")


def pids_of(name, arg_not=None):
    """Processes whose program is called name (FastCGI processes run a copy
    of the CGI from their own directory), without arg_not in argv."""
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.path.basename(os.readlink(f"/proc/{pid}/exe")) != name:
                    continue
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if arg_not and arg_not.encode() in f.read():
                        continue
                out.append(int(pid))
            except OSError:
                pass
    return out


class Burst:
    def __init__(self, a):
        env = mw.load_env()
        if env is None:
            raise SystemExit("burst: no stack.env: run tests/stack/up.sh first")
        self.env, self.a = env, a
        self.t = mw.Stack(env)
        self.emu = bench.Emu(self.t)
        self.script_env = dict(os.environ, **env)
        self.urls = {"cgi": env["MW_APACHE_URL"],
                     "persistent": env["MW_APACHE_URL"].replace("/cgi-bin/", "/fcgi-bin/"),
                     "async": env["MW_APACHE_URL"],
                     "async-persistent": env["MW_APACHE_URL"].replace("/cgi-bin/", "/fcgi-bin/")}
        self.cgi_path = os.path.join(env["MW_CGI_DIR"], "mautic-wp.cgi")
        self.rows = []

    def install(self):
        for script in ("install-cgi.sh", "fcgi-up.sh"):
            p = sh([os.path.join(mw.STACK, script), self.a.cgi], env=self.script_env)
            if p.returncode != 0:
                raise SystemExit(f"burst: {script} failed: {p.stderr[-400:]}")

    def seed(self):
        n = self.a.webhooks
        for script, args in (("db-reset.sh", []), ("seed-site.sh", [str(n), str(FIRST)])):
            p = sh([os.path.join(mw.STACK, script)] + args, env=self.script_env)
            if p.returncode != 0:
                raise SystemExit(f"burst: {script}: {p.stderr[-300:]}")
        self.emu.req("POST", "/_emu/reset", {})
        contacts = []
        # The campaign step changes every member's tags in Mautic.
        for i in range(n):
            cid = FIRST + i
            contacts.append({"id": cid, "tags": ["Members", "Campaign step 2"],
                             "fields": {"email": f"member{cid}@seed.test",
                                        "firstname": "Member", "lastname": str(cid)}})
        for j in range(self.a.adds):
            cid = NEW_FIRST + j
            contacts.append({"id": cid, "tags": ["Members"],
                             "fields": {"email": f"new{cid}@seed.test",
                                        "firstname": "New", "lastname": str(cid)}})
        for k in range(0, len(contacts), 2000):
            self.emu.req("POST", "/_emu/contacts", {"contacts": contacts[k:k + 2000]})
        self.t.spool_reset()

    def plan(self):
        """The webhooks, in the order the cron sends them."""
        n, m = self.a.webhooks, self.a.adds
        hooks = [("update_tags" if i % 2 == 0 else "update", FIRST + i) for i in range(n)]
        every = max(1, (n + m) // max(1, m))
        for j in range(m):
            hooks.insert(min(len(hooks), j * every), ("add", NEW_FIRST + j))
        return hooks

    def consistent(self):
        """Every member has the campaign's tag and every add its user."""
        want_tag = 'Campaign step 2'
        with self.t.db() as c, c.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM wp_usermeta WHERE meta_key='mautic_tags'"
                        " AND meta_value LIKE %s", ("%" + want_tag + "%",))
            tagged = cur.fetchone()[0]
            cur.execute("SELECT COUNT(*) FROM wp_usermeta WHERE meta_key="
                        "'mautic_contact_id' AND CAST(meta_value AS UNSIGNED) >= %s",
                        (NEW_FIRST,))
            added = cur.fetchone()[0]
        return tagged >= self.a.webhooks and added >= self.a.adds

    def cgi_rss_kib(self, query):
        best = 0
        for _ in range(5):
            env = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET",
                   "QUERY_STRING": query, "MAUTIC_WP_CONFIG": self.env["MW_CONFIG"],
                   "HTTP_X_ACCESS_KEY": mw.ACCESS_KEY, "PATH": "/usr/bin:/bin"}
            p = subprocess.run(["setpriv", "--reuid=33", "--regid=33", "--clear-groups",
                                "/usr/bin/time", "-f", "%M", self.cgi_path],
                               env=env, capture_output=True, text=True)
            try:
                best = max(best, int(p.stderr.strip().splitlines()[-1]))
            except (ValueError, IndexError):
                pass
        return best

    def floor_ms(self, url):
        ts = []
        for i in range(200):
            s = time.perf_counter()
            st, _b = bench.http_call(url + "?wpf_action=update_tags&contact_id=1",
                                     headers={"X-Access-Key": "not-the-key"}, timeout=30)
            ts.append(time.perf_counter() - s)
            if st != 403:
                raise SystemExit(f"burst: a wrong key got {st}, not 403")
        return statistics.median(ts) * 1000

    def hello_ms(self):
        """The median answer of the stack's hello-world C CGI (the same
        Apache, mod_cgid): the price of any CGI process."""
        url = self.env["MW_APACHE_URL"].replace("mautic-wp.cgi", "hello.cgi")
        ts = []
        for i in range(200):
            s = time.perf_counter()
            st, _b = bench.http_call(url, timeout=30)
            ts.append(time.perf_counter() - s)
            if st != 200:
                raise SystemExit(f"burst: hello.cgi answered {st}")
        return statistics.median(ts) * 1000

    def run_mode(self, mode):
        log(f"{mode}: seeding {self.a.webhooks} members and {self.a.adds} new contacts")
        self.seed()
        self.t.config(mautic__timeout_ms=9000, queue__on_failure="yes",
                      webhook__async="always" if mode.startswith("async") else "param",
                      log__level="warn")
        self.emu.req("POST", "/_emu/config", {"api_delay_ms": self.a.delay_ms})
        self.emu.req("POST", "/_emu/stats", {})
        floor = self.floor_ms(self.urls[mode])
        worker = None
        rss = []
        if mode.startswith("async"):
            # niced as the .deb's systemd unit runs it
            worker = subprocess.Popen(["nice", "-n", "10", "ionice", "-c", "2", "-n", "7",
                                       "setpriv", "--reuid=33", "--regid=33", "--clear-groups",
                                       self.cgi_path, "--worker", "--config",
                                       self.env["MW_CONFIG"]],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        hooks = self.plan()
        url = self.urls[mode]
        times, statuses = [], {}
        peak = 0
        t0 = time.time()
        for k, (action, cid) in enumerate(hooks):
            q = urllib.parse.urlencode({"wpf_action": action, "contact_id": cid})
            s = time.perf_counter()
            st, _b = bench.http_call(url + "?" + q, headers={"X-Access-Key": mw.ACCESS_KEY},
                                         timeout=30)
            times.append(time.perf_counter() - s)
            statuses[st] = statuses.get(st, 0) + 1
            if k % 200 == 0:
                log(f"{mode}: {k}/{len(hooks)}")
                if worker is not None:
                    peak = max(peak, vmhwm_kib(worker.pid))
                    rss.append(vmrss_kib(worker.pid))
        last = time.time()
        while not self.consistent():
            if time.time() - last > 1800:
                log(f"{mode}: not consistent after 30 minutes")
                break
            if worker is not None:
                peak = max(peak, vmhwm_kib(worker.pid))
            time.sleep(0.2)
        done = time.time()
        stats = json.loads(self.emu.req("GET", "/_emu/stats"))
        if worker is not None:
            peak = max(peak, vmhwm_kib(worker.pid))
            rss.append(vmrss_kib(worker.pid))
            worker.terminate()
            worker.wait(timeout=60)
        elif mode == "persistent":
            peak = max([vmhwm_kib(p) for p in pids_of("mautic-wp.cgi", "--worker")] + [0])
        else:
            peak = self.cgi_rss_kib(f"wpf_action=update&contact_id={FIRST}")
        self.emu.req("POST", "/_emu/config", {"api_delay_ms": 0})
        row = {"mode": mode, "webhooks": len(hooks), "statuses": statuses,
               "mautic_s": sum(times), "p50_ms": statistics.median(times) * 1000,
               "consistent_s": done - t0, "after_s": done - last,
               "calls": stats["api_calls"], "rss_mib": peak / 1024.0,
               "floor_ms": floor,
               "worker_rss": (rss[1] / 1024.0, rss[-1] / 1024.0) if len(rss) > 1 else None}
        log(f"{mode}: {row}")
        self.rows.append(row)

    def report(self):
        lines = [f"# Campaign burst, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC", "",
                 f"{self.a.webhooks} update_tags/update + {self.a.adds} add webhooks, "
                 f"sent one after another; Mautic API answers after {self.a.delay_ms} ms.", "",
                 "| mode | Mautic-side s | answer p50 ms | consistent s (after last) "
                 "| API calls | peak RSS MiB | worker RSS MiB | floor p50 ms | answers |",
                 "|---|---|---|---|---|---|---|---|---|"]
        names = {"cgi": "sync CGI (mod_cgid)", "persistent": "sync persistent (mod_fcgid)",
                 "async": "async, CGI + worker",
                 "async-persistent": "async, persistent + worker"}
        for r in self.rows:
            lines.append(f"| {names[r['mode']]} | {r['mautic_s']:.1f} | {r['p50_ms']:.1f} | "
                         f"{r['consistent_s']:.1f} ({r['after_s']:.1f}) | {r['calls']} | "
                         f"{r['rss_mib']:.1f} | "
                         + (f"{r['worker_rss'][0]:.1f} → {r['worker_rss'][1]:.1f}"
                            if r["worker_rss"] else "-")
                         + f" | {r['floor_ms']:.1f} | "
                         + ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
                         + " |")
        if any(not r["mode"].endswith("persistent") for r in self.rows):
            lines += ["", f"Hello-world C CGI through the same Apache (mod_cgid): "
                      f"{self.hello_ms():.1f} ms (median of 200)."]
        text = "\n".join(lines) + "\n"
        print(text)
        out = os.path.join(HERE, "results",
                           f"burst-{datetime.datetime.utcnow():%Y-%m-%d-%H%M}.md")
        with open(out, "w") as f:
            f.write(text)
        log(f"written to {out}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--webhooks", type=int, default=10000)
    ap.add_argument("--adds", type=int, default=1000)
    ap.add_argument("--delay-ms", type=int, default=150)
    ap.add_argument("--modes", default="cgi,persistent,async,async-persistent")
    default = os.path.join(ROOT, "build", "release", "cgi-bin", "mautic-wp.cgi")
    if not os.path.exists(default):
        default = os.path.join(ROOT, "build", "dev", "cgi-bin", "mautic-wp.cgi")
    ap.add_argument("--cgi", default=default)
    a = ap.parse_args()
    b = Burst(a)
    b.install()
    for mode in a.modes.split(","):
        b.run_mode(mode)
    b.report()
    b.t.reset_db()
    b.t.config()


if __name__ == "__main__":
    main()
