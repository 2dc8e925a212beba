#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mautic-wp benchmark: latency and throughput of each webhook through each
web server set-up, new connection per request, plus the floors (hello-world
CGI, WordPress boot), peak RSS and the counted Mautic calls and SQL round
trips per webhook.  Prints a markdown report and writes it to
tests/bench/results/.  Not a test: it never fails on slow numbers.

Run it through tests/bench/run.sh (which checks the prerequisites); the
knobs are described in tests/bench/README.md.
"""

import collections
import datetime
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import mw  # noqa: E402  (tests/integration/mw.py)

# ---- settings ---------------------------------------------------------------

ALL_ACTIONS = ["test", "update_tags", "update_tags~", "update", "update~", "add",
               "batch", "batch~"]
LABELS = {
    "test": "test",
    "update_tags": "update_tags",
    "update_tags~": "update_tags, tags change",
    "update": "update",
    "update~": "update, fields+tags change",
    "add": "add (new contact each time)",
    "batch": "signed global batch, 10 contacts",
    "batch~": "signed global batch, 10 contacts, tags change",
}
STEADY = 10                # contacts 1..10: users exist and are in sync
POOL_FIRST = 100001        # contacts POOL_FIRST..: one per request
TAGS_A = ["bench-a", "bench-b"]
TAGS_B = ["bench-a", "bench-c"]


def env_list(name, default):
    return (os.environ.get(name) or default).split()


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)


class Settings:
    def __init__(self, env):
        self.conc = [int(c) for c in env_list("BENCH_CONC", "1 4")]
        self.warmup = int(os.environ.get("BENCH_WARMUP", "1"))
        self.seconds_given = os.environ.get("BENCH_SECONDS")
        self.seconds = int(self.seconds_given or 8)
        self.budget = int(os.environ.get("BENCH_BUDGET", "330"))
        self.pool = max(300, int(os.environ.get("BENCH_POOL", "6000")))
        self.actions = env_list("BENCH_ACTIONS", " ".join(ALL_ACTIONS))
        for a in self.actions:
            if a not in ALL_ACTIONS:
                raise SystemExit(f"bench: unknown action {a!r} in BENCH_ACTIONS"
                                 f" (known: {' '.join(ALL_ACTIONS)})")
        self.floors = os.environ.get("BENCH_FLOORS", "1") != "0"
        self.rss_runs = int(os.environ.get("BENCH_RSS_RUNS", "5"))
        ap, np_ = env["MW_APACHE_PORT"], env["MW_NGINX_PORT"]
        default_targets = " ".join([
            "mod_cgid=" + env["MW_APACHE_URL"],
            "nginx+fcgiwrap=" + env["MW_NGINX_URL"],
            "mod_fcgid=" + env.get("MW_FCGID_URL",
                                   f"http://127.0.0.1:{ap}/fcgi-bin/mautic-wp.cgi"),
            "nginx+spawn-fcgi=" + env.get("MW_SPAWNFCGI_URL",
                                          f"http://127.0.0.1:{np_}/fcgi-bin/mautic-wp.cgi"),
        ])
        self.targets = []
        for item in env_list("BENCH_TARGETS", default_targets):
            name, sep, url = item.partition("=")
            if not sep or not url.startswith("http://"):
                raise SystemExit(f"bench: BENCH_TARGETS item {item!r} is not NAME=http://...")
            self.targets.append((name, url))
        self.floor_urls = [
            ("hello.cgi via Apache mod_cgid", f"http://127.0.0.1:{ap}/cgi-bin/hello.cgi"),
            ("hello.cgi via nginx+fcgiwrap", f"http://127.0.0.1:{np_}/cgi-bin/hello.cgi"),
            ("WordPress: wp-load.php + 1 usermeta write (mod_php prefork)",
             f"{env['MW_WP_URL']}/bench/wp-bench.php"),
        ]
        self.cgi = os.environ.get("BENCH_CGI") or os.path.join(
            ROOT, "build", "release", "cgi-bin", "mautic-wp.cgi")
        self.outdir = os.environ.get("BENCH_RESULTS") or os.path.join(HERE, "results")


# ---- small helpers ----------------------------------------------------------

def http_call(url, method="GET", headers=None, body=None, timeout=15):
    """One request on a new connection: (status, body text); status 0 and
    the error text when the connection fails."""
    u = urllib.parse.urlsplit(url)
    h = {"Connection": "close"}
    h.update(headers or {})
    try:
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
        conn.request(method, u.path + ("?" + u.query if u.query else ""),
                     body=body, headers=h)
        r = conn.getresponse()
        raw = r.read().decode("utf-8", "replace")
        conn.close()
        return r.status, raw
    except OSError as e:
        return 0, str(e)


def cpu_times():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    vals = [int(x) for x in parts]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return sum(vals[:8]), idle


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


class Emu:
    """The emulator's control API over one kept-alive HTTPS connection.  The
    client sets TCP_QUICKACK before each answer: the emulator writes header
    and body separately without TCP_NODELAY, and a delayed ACK would stall
    every answer by ~40 ms (see the report's note)."""

    def __init__(self, stack):
        self.u = urllib.parse.urlsplit(stack.mautic_url)
        self.ctx = ssl.create_default_context(cafile=stack.ca)
        self.conn = None

    def req(self, method, path, body=None):
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPSConnection(
                        self.u.hostname, self.u.port, context=self.ctx, timeout=60)
                data = None if body is None else json.dumps(body).encode()
                self.conn.request(method, path, body=data,
                                  headers={"Content-Type": "application/json"})
                try:
                    self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                except (OSError, AttributeError):
                    pass
                r = self.conn.getresponse()
                raw = r.read()
                if r.status >= 300:
                    raise RuntimeError(f"emulator {method} {path}: {r.status} {raw[:200]!r}")
                return raw
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 2:
                    raise

    def contact(self, cid, tags, **fields):
        self.req("PUT", f"/_emu/contacts/{cid}", {"fields": fields, "tags": list(tags)})

    def log_count(self):
        return len(json.loads(self.req("GET", "/_emu/log"))["requests"])

    def log_clear(self):
        self.req("DELETE", "/_emu/log")

    def payload(self, events):
        return self.req("POST", "/_emu/webhook_payload", {"events": events})


def emulator_get_ms(stack, n=7):
    """Median time of one GET /api/contacts/1 with curl on a new HTTPS
    connection (what the CGI does), in ms."""
    times = []
    for _ in range(n):
        p = sh(["curl", "-s", "-o", "/dev/null", "--cacert", stack.ca, "-u",
                f"{mw.MAUTIC_USER}:{mw.MAUTIC_PASSWORD}", "-w", "%{time_total}",
                stack.mautic_url + "/api/contacts/1"])
        try:
            times.append(float(p.stdout) * 1000)
        except ValueError:
            pass
    return statistics.median(times) if times else None


# ---- logs: the CGI's done lines ---------------------------------------------

DONE_RE = re.compile(r"done action=(\S+) (?:contact=\d+ user=\d+|contacts=\d+) "
                     r"outcome=([a-z_ ]+?) status=(\d+) ms=(\d+) mautic_calls=(\d+) sql=(\d+)")
RESULT_RE = re.compile(r"result contact=\d+ user=\d+ outcome=([a-z_]+)")


class Logs:
    """Everything appended to $MW_LOG_DIR/*.log since mark()."""

    def __init__(self, d):
        self.dir = d
        self.marks = {}

    def mark(self):
        self.marks = {}
        for n in os.listdir(self.dir):
            if n.endswith(".log"):
                p = os.path.join(self.dir, n)
                self.marks[p] = os.path.getsize(p)

    def since(self):
        out = []
        for n in os.listdir(self.dir):
            if not n.endswith(".log"):
                continue
            p = os.path.join(self.dir, n)
            try:
                with open(p, "rb") as f:
                    f.seek(self.marks.get(p, 0))
                    text = f.read().decode("utf-8", "replace")
            except OSError:
                continue
            out.append(unwrap_nginx(text) if "FastCGI sent in stderr" in text else text)
        return "\n".join(out)


NGINX_RE = re.compile(r'\*(\d+) FastCGI sent in stderr: "(.*?)" while ', re.S)


def unwrap_nginx(text):
    """The CGI's stderr from nginx's error log.  nginx logs each chunk it
    reads as its own record, without the chunk's last newline, so a line can
    be cut in two: the chunks of one connection (*N) are joined in order,
    with a newline where the next chunk starts a new log line."""
    by_conn = collections.OrderedDict()
    for conn, chunk in NGINX_RE.findall(text):
        prev = by_conn.get(conn)
        if prev is None:
            by_conn[conn] = chunk
        else:
            by_conn[conn] = prev + ("\n" if chunk.startswith("mautic-wp[") else "") + chunk
    return "\n".join(by_conn.values())


def parse_done(text):
    done = [dict(action=m[0], outcome=m[1], status=int(m[2]), ms=int(m[3]),
                 calls=int(m[4]), sql=int(m[5])) for m in DONE_RE.findall(text)]
    results = collections.Counter(RESULT_RE.findall(text))
    return done, results


# ---- the benchmark ------------------------------------------------------------

class Bench:
    def __init__(self):
        env = mw.load_env()
        if env is None:
            raise SystemExit("bench: no stack.env under $MW_STATE: run tests/stack/up.sh")
        self.env = env
        self.s = Settings(env)
        self.t = mw.Stack(env)
        self.emu = Emu(self.t)
        self.logs = Logs(env["MW_LOG_DIR"])
        self.work = tempfile.mkdtemp(prefix="mw-bench-")
        self.cells = {}          # (row, target, conc) -> result dict
        self.notes = []
        self.na = {}             # target/floor name -> reason
        self.rss = {}            # row -> [KB...]
        self.emu_direct = {}     # row -> emulator API requests per direct run
        self.cgi_path = os.path.join(env["MW_CGI_DIR"], "mautic-wp.cgi")
        self.saved_cgi = None
        # The persistent mode (tests/stack/fcgi-up.sh): its own copy.
        self.fcgi_path = os.path.join(env["MW_STATE"], "fcgi-bin", "mautic-wp.cgi")
        self.fcgi_up = os.path.join(mw.STACK, "fcgi-up.sh")
        self.saved_fcgi = None
        # The stack scripts take the ports from the environment.
        self.script_env = dict(os.environ, **env)
        self.script_env.setdefault("WP_CONFIG_NAME", env.get("MW_WP_CONFIG_NAME", "mwtest"))
        self.bodies = {}

    # ---- set-up and restore -------------------------------------------------
    def install(self, src):
        dst = self.cgi_path
        tmp = f"{dst}.tmp.{os.getpid()}"
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o755)
        os.replace(tmp, dst)

    def setup(self):
        s = self.s
        bench_dir = os.path.join(self.env["MW_STATE"], "bench")
        os.makedirs(bench_dir, exist_ok=True)
        os.chmod(bench_dir, 0o755)
        shutil.copyfile(os.path.join(HERE, "wp-bench.php"),
                        os.path.join(bench_dir, "wp-bench.php"))
        os.chmod(os.path.join(bench_dir, "wp-bench.php"), 0o644)
        if os.path.exists(self.cgi_path):
            self.saved_cgi = os.path.join(bench_dir, "cgi-before-bench")
            shutil.copyfile(self.cgi_path, self.saved_cgi)
            os.chmod(self.saved_cgi, 0o755)
        if s.cgi != "installed":
            if not os.path.isfile(s.cgi):
                raise SystemExit(f"bench: {s.cgi} does not exist: build it (cmake --preset"
                                 " release && cmake --build --preset release), or set"
                                 " BENCH_CGI=PATH, or BENCH_CGI=installed")
            self.install(s.cgi)
            if os.path.exists(self.fcgi_path) and os.path.exists(self.fcgi_up):
                # Same binary in the persistent columns: restart them with it.
                self.saved_fcgi = os.path.join(bench_dir, "fcgi-before-bench")
                shutil.copyfile(self.fcgi_path, self.saved_fcgi)
                os.chmod(self.saved_fcgi, 0o755)
                self.fcgi_restart(s.cgi)
        self.binary = s.cgi if s.cgi != "installed" else self.cgi_path
        self.t.config(webhook__secret=mw.WEBHOOK_SECRET, log__level="info")

    def fcgi_restart(self, binary):
        p = sh([self.fcgi_up, binary], env=self.script_env)
        if p.returncode != 0:
            log(f"warning: {self.fcgi_up} {binary} failed: {p.stderr.strip()[-300:]}")

    def restore(self):
        log("restoring: the binaries installed before, the default config, a fresh"
            " database and emulator")
        try:
            if self.saved_cgi and os.path.exists(self.saved_cgi):
                self.install(self.saved_cgi)
                os.unlink(self.saved_cgi)
            if self.saved_fcgi and os.path.exists(self.saved_fcgi):
                self.fcgi_restart(self.saved_fcgi)
                os.unlink(self.saved_fcgi)
        finally:
            self.t.config()
            try:
                self.reset_db()
                self.emu.req("POST", "/_emu/reset", {})
            except Exception as e:  # the report is still worth having
                log(f"warning: restore incomplete: {e}")
            shutil.rmtree(self.work, ignore_errors=True)

    # ---- data -------------------------------------------------------------
    def reset_db(self):
        p = sh([os.path.join(mw.STACK, "db-reset.sh")], env=self.script_env)
        if p.returncode != 0:
            raise RuntimeError(f"db-reset.sh failed: {p.stderr.strip()[-300:]}")

    def seed_emulator(self):
        t0 = time.time()
        self.emu.req("POST", "/_emu/reset", {})
        for i in range(1, STEADY + 1):
            self.emu.contact(i, TAGS_A, email=f"steady{i}@bench.example",
                             firstname=f"Steady{i}", lastname="Bench")
        if any(a in self.s.actions for a in ("add", "update_tags~", "update~")):
            for i in range(POOL_FIRST, POOL_FIRST + self.s.pool):
                self.emu.contact(i, TAGS_B, email=f"pool{i}@bench.example",
                                 firstname=f"Pool{i}", lastname="Bench")
        ev = [{"type": "mautic.lead_post_save_update", "contact_id": i}
              for i in range(1, STEADY + 1)]
        body_a = self.emu.payload(ev)
        for i in range(1, STEADY + 1):
            self.emu.contact(i, TAGS_B, email=f"steady{i}@bench.example",
                             firstname=f"Steady{i}", lastname="Bench")
        body_b = self.emu.payload(ev)
        for i in range(1, STEADY + 1):
            self.emu.contact(i, TAGS_A, email=f"steady{i}@bench.example",
                             firstname=f"Steady{i}", lastname="Bench")
        for name, body in (("a", body_a), ("b", body_b)):
            p = os.path.join(self.work, f"batch-{name}.json")
            with open(p, "wb") as f:
                f.write(body)
            self.bodies[name] = (p, mw.signature(body), len(body))
        log(f"emulator seeded in {time.time() - t0:.1f} s")

    def seed_steady_users(self, url):
        """Fresh database, then users for contacts 1..STEADY made by the
        CGI itself (so that later webhooks find them unchanged)."""
        self.reset_db()
        for i in range(1, STEADY + 1):
            st, raw = http_call(f"{url}?wpf_action=add&contact_id={i}",
                                headers={"X-Access-Key": mw.ACCESS_KEY})
            if st != 200:
                raise RuntimeError(f"seeding user for contact {i}: {st} {raw[:200]}")

    def seed_pool_users(self, n, first=POOL_FIRST, reset=True):
        """Users linked to pool contacts first.., with other tags and
        another first name than Mautic has (so every webhook for them
        changes something); by default in a fresh database."""
        if reset:
            self.reset_db()
        tags = mw.php_strlist(TAGS_A)
        users, meta = [], []
        for i in range(first, first + n):
            login = f"pool{i}@bench.example"
            users.append((i, login, f"pool{i}bench-example", login, f"Old{i} Bench"))
            for k, v in (("nickname", login), ("first_name", f"Old{i}"),
                         ("last_name", "Bench"),
                         ("wp_capabilities", 'a:1:{s:10:"subscriber";b:1;}'),
                         ("wp_user_level", "0"), ("mautic_contact_id", str(i)),
                         ("mautic_tags", tags)):
                meta.append((i, k, v))
        with self.t.db() as c, c.cursor() as cur:
            for k in range(0, len(users), 1000):
                cur.executemany(
                    "INSERT INTO wp_users (ID, user_login, user_pass, user_nicename,"
                    " user_email, user_registered, display_name) VALUES (%s, %s,"
                    " '$P$Bxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', %s, %s, UTC_TIMESTAMP(), %s)",
                    users[k:k + 1000])
            for k in range(0, len(meta), 5000):
                cur.executemany("INSERT INTO wp_usermeta (user_id, meta_key, meta_value)"
                                " VALUES (%s, %s, %s)", meta[k:k + 5000])

    # ---- one cell ---------------------------------------------------------
    def wrk(self, base, spec, conc, seconds, id_first=None, id_last=None):
        out = os.path.join(self.work, "wrk.json")
        if os.path.exists(out):
            os.unlink(out)
        e = dict(os.environ, BW_PATH=spec["path"], BW_METHOD=spec.get("method", "GET"),
                 BW_HEADERS="\n".join(spec.get("headers", [])),
                 BW_BODIES=":".join(spec.get("bodies", [])),
                 BW_SIGS=":".join(spec.get("sigs", [])), BW_OUT=out)
        if id_first is not None:
            e.update(BW_ID_FIRST=str(id_first), BW_ID_LAST=str(id_last),
                     BW_ID_CYCLE="1" if spec.get("cycle") else "0")
        p = sh(["wrk", "-t1", f"-c{conc}", f"-d{seconds}s", "--timeout", "20s",
                "-s", os.path.join(HERE, "wrk.lua"), base], env=e)
        if p.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(f"wrk failed: {p.stdout[-500:]} {p.stderr[-500:]}")
        with open(out) as f:
            return json.load(f)

    def cell(self, row, target, url, spec, conc, ids=None):
        s = self.s
        u = urllib.parse.urlsplit(url)
        base = f"{u.scheme}://{u.netloc}"
        spec = dict(spec, path=u.path + spec.get("query", ""))
        first, last = ids if ids else (None, None)
        if s.warmup > 0:
            w = self.wrk(base, spec, conc, s.warmup, first, last)
            if ids and not spec.get("cycle"):
                first = w["last_id"] + 1
        time.sleep(0.2)          # let the warm-up's last processes finish
        self.logs.mark()
        self.emu.log_clear()
        c0 = cpu_times()
        r = self.wrk(base, spec, conc, s.seconds, first, last)
        c1 = cpu_times()
        time.sleep(0.4)          # CGIs still running write their done line
        done, results = parse_done(self.logs.since())
        r["emu_requests"] = self.emu.log_count()
        r["done"] = done
        r["results"] = results
        total, idle = c1[0] - c0[0], c1[1] - c0[1]
        r["cpu_busy"] = 100.0 * (1 - idle / total) if total else None
        r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0
        r["load"] = loadavg()
        self.cells[(row, target, conc)] = r
        bad = r["nother"] + r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"]
        log(f"{row:>13} {target:<16} c={conc}: p50 {r['p50_us'] / 1000:6.1f} ms, p90"
            f" {r['p90_us'] / 1000:6.1f} ms, {r['rps']:7.1f} req/s, {r['requests']} requests"
            + (f", {bad} failed (statuses {r['statuses'] or '-'})" if bad else "")
            + (" [id pool used up]" if r["exhausted"] else ""))
        return r

    # ---- actions --------------------------------------------------------
    def spec(self, action):
        key = f"X-Access-Key: {mw.ACCESS_KEY}"
        if action == "test":
            return {"query": "?wpf_action=test", "headers": [key]}
        if action in ("update_tags", "update"):
            return {"query": f"?wpf_action={action}&contact_id={{id}}", "headers": [key],
                    "cycle": True}
        if action in ("update_tags~", "update~", "add"):
            return {"query": f"?wpf_action={action.rstrip('~')}&contact_id={{id}}",
                    "headers": [key]}
        if action in ("batch", "batch~"):
            # batch~ alternates two payloads of the same 10 contacts with
            # other tags, each with its own signature.
            names = ["a"] if action == "batch" else ["b", "a"]
            return {"query": "?wpf_action=update_tags", "method": "POST",
                    "headers": [key, "Content-Type: application/json"],
                    "bodies": [self.bodies[n][0] for n in names],
                    "sigs": [self.bodies[n][1] for n in names]}
        raise ValueError(action)

    def prime(self, targets):
        """Before the first cell: 3 s of update_tags at the highest
        concurrency through every target, so that mod_fcgid has spawned its
        processes and every persistent process holds its DB and Mautic
        connections (a cell's 1 s warm-up is too short for that)."""
        self.seed_steady_users(targets[0][1])
        spec = self.spec("update_tags")
        for name, url in targets:
            u = urllib.parse.urlsplit(url)
            self.wrk(f"{u.scheme}://{u.netloc}", dict(spec, path=u.path + spec["query"]),
                     max(self.s.conc), 3, 1, STEADY)

    def pool_need(self, target, conc, action):
        """Users to seed for a changing cell: 1.5 x what the steady cell of
        the same target and concurrency managed, capped by the pool."""
        steady = self.cells.get((action.rstrip("~"), target, conc))
        if steady is None:
            return self.s.pool
        need = int(steady["rps"] * (self.s.seconds + self.s.warmup) * 1.5) + 200
        return min(self.s.pool, need)

    def run_action(self, action, targets):
        log(f"--- {LABELS[action]}")
        spec = self.spec(action)
        if action in ("update_tags", "update", "batch", "batch~"):
            self.seed_steady_users(targets[0][1])
        for name, url in targets:
            for conc in self.s.conc:
                if action == "test":
                    self.cell(action, name, url, spec, conc)
                elif action in ("update_tags", "update"):
                    self.cell(action, name, url, spec, conc, (1, STEADY))
                elif action in ("update_tags~", "update~"):
                    n = self.pool_need(name, conc, action)
                    self.seed_pool_users(n)
                    self.cell(action, name, url, spec, conc,
                              (POOL_FIRST, POOL_FIRST + n - 1))
                elif action == "add":
                    self.reset_db()
                    self.cell(action, name, url, spec, conc,
                              (POOL_FIRST, POOL_FIRST + self.s.pool - 1))
                else:
                    self.cell(action, name, url, spec, conc)

    # ---- peak RSS: the binaries run directly -------------------------------
    def direct_run(self, argv, env, stdin=b""):
        out = os.path.join(self.work, "time.out")
        cmd = ["/usr/bin/time", "-f", "%M %e", "-o", out, "setpriv", "--reuid=www-data",
               "--regid=www-data", "--init-groups"] + argv
        p = subprocess.run(cmd, input=stdin, capture_output=True, env=env, timeout=60)
        with open(out) as f:
            kb = int(f.read().split()[0])
        return kb, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def cgi_env(self, query, method="GET", body=b"", signature=None):
        e = {"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1",
             "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_SOFTWARE": "mw-bench",
             "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1",
             "SCRIPT_NAME": "/cgi-bin/mautic-wp.cgi", "REQUEST_METHOD": method,
             "QUERY_STRING": query, "MAUTIC_WP_CONFIG": self.env["MW_CONFIG"],
             "HTTP_X_ACCESS_KEY": mw.ACCESS_KEY}
        if method == "POST":
            e.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
            if signature:
                e["HTTP_WEBHOOK_SIGNATURE"] = signature
        return e

    def measure_rss(self, seed_url):
        n = self.s.rss_runs
        log(f"--- peak RSS: each binary run directly {n} times as www-data")
        self.seed_steady_users(seed_url)
        self.seed_pool_users(n, POOL_FIRST + self.s.pool - 50, reset=False)
        add_first = POOL_FIRST + self.s.pool - 200
        for action in self.s.actions:
            kbs = []
            self.emu.log_clear()
            for k in range(n):
                body, sig, method = b"", None, "GET"
                if action == "test":
                    q = "wpf_action=test"
                elif action in ("update_tags", "update"):
                    q = f"wpf_action={action}&contact_id={k % STEADY + 1}"
                elif action in ("update_tags~", "update~"):
                    q = (f"wpf_action={action.rstrip('~')}&contact_id="
                         f"{POOL_FIRST + self.s.pool - 50 + k}")
                elif action == "add":
                    q = f"wpf_action=add&contact_id={add_first + k}"
                else:
                    name = "a" if action == "batch" else ("b" if k % 2 == 0 else "a")
                    with open(self.bodies[name][0], "rb") as f:
                        body = f.read()
                    sig, method, q = self.bodies[name][1], "POST", "wpf_action=update_tags"
                kb, out, err = self.direct_run([self.cgi_path],
                                               self.cgi_env(q, method, body, sig), body)
                if not out.startswith("Status: 200") and '"ok":true' not in out:
                    log(f"warning: direct {action}: {out[:200]!r} {err[-300:]!r}")
                kbs.append(kb)
            self.rss[action] = kbs
            self.emu_direct[action] = self.emu.log_count() / n
        hello = os.path.join(self.env["MW_CGI_DIR"], "hello.cgi")
        if os.path.exists(hello):
            self.rss["hello"] = [self.direct_run([hello], self.cgi_env(""))[0]
                                 for _ in range(n)]
        php = shutil.which("php")
        page = os.path.join(self.env["MW_STATE"], "bench", "wp-bench.php")
        if php:
            u = urllib.parse.urlsplit(self.env["MW_WP_URL"])
            e = {"PATH": "/usr/bin:/bin", "MW_WP_HOST": u.netloc,
                 "WP_CONFIG_NAME": self.env.get("MW_WP_CONFIG_NAME", "mwtest")}
            self.rss["wordpress"] = [self.direct_run([php, page], e)[0] for _ in range(n)]

    # ---- the run ------------------------------------------------------------
    def probe(self):
        avail = []
        for name, url in self.s.targets:
            st, raw = http_call(url + "?wpf_action=test",
                                headers={"X-Access-Key": mw.ACCESS_KEY}, timeout=10)
            if st == 200 and '"ok":true' in raw:
                avail.append((name, url))
            else:
                why = f"HTTP {st}" if st else raw[:80]
                self.na[name] = f"{url} did not answer a test webhook ({why})"
                log(f"target {name}: n/a ({self.na[name]})")
        floors = []
        if self.s.floors:
            for name, url in self.s.floor_urls:
                st, raw = http_call(url, timeout=20)
                if st == 200:
                    floors.append((name, url))
                else:
                    hint = (" (re-run tests/stack/wordpress-up.sh: it serves /bench/)"
                            if "wp-bench" in url else "")
                    self.na[name] = f"{url}: HTTP {st or raw[:80]}{hint}"
                    log(f"floor {name}: n/a ({self.na[name]})")
        return avail, floors

    def plan_seconds(self, ncells):
        s = self.s
        per = s.seconds + s.warmup + 1.5
        if s.seconds_given is None and ncells * per > s.budget:
            s.seconds = max(3, int(s.budget / ncells - s.warmup - 1.5))
            self.notes.append(
                f"{ncells} cells: each cell ran {s.seconds} s (not the default 8 s) to keep"
                f" the run near BENCH_BUDGET={s.budget} s; set BENCH_SECONDS to choose.")
        log(f"{ncells} cells x ({s.warmup} s warm-up + {s.seconds} s)")

    def run(self):
        self.started = datetime.datetime.now(datetime.timezone.utc)
        self.load_start = loadavg()
        t0 = time.time()
        try:
            self.setup()
            targets, floors = self.probe()
            if not targets:
                raise SystemExit("bench: no target answered a test webhook")
            self.targets_avail = targets
            self.emu_ms = emulator_get_ms(self.t)
            self.seed_emulator()
            ncells = len(floors) * len(self.s.conc) + \
                len(self.s.actions) * len(targets) * len(self.s.conc)
            self.plan_seconds(ncells)
            if floors:
                log("--- floors")
                for name, url in floors:
                    for conc in self.s.conc:
                        self.cell("floor", name, url, {"query": ""}, conc)
            self.prime(targets)
            for action in self.s.actions:
                self.run_action(action, targets)
            self.measure_rss(targets[0][1])
        finally:
            self.restore()
        self.elapsed = time.time() - t0
        self.load_end = loadavg()
        return self.report(targets, floors)

    # ---- the report -------------------------------------------------------
    def fmt_cell(self, r):
        if r is None:
            return "n/a"
        bad = r["nother"] + r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"]
        s = f"{r['p50_us'] / 1000:.1f} / {r['p90_us'] / 1000:.1f} · {r['rps']:.0f}/s"
        if r["rps"] < 10:
            s = f"{r['p50_us'] / 1000:.1f} / {r['p90_us'] / 1000:.1f} · {r['rps']:.1f}/s"
        if bad:
            s += f" ({bad} failed)"
        if r["exhausted"]:
            s += " (pool used up)"
        return s

    @staticmethod
    def done_ms(r):
        if not r or not r["done"]:
            return "–"
        return f"{statistics.median(d['ms'] for d in r['done']):g}"

    @staticmethod
    def outcomes(r):
        if r is None:
            return ""
        if r["results"]:
            c = r["results"]
        else:
            c = collections.Counter(d["outcome"] for d in r["done"])
        tot = sum(c.values())
        if not tot:
            return "–"
        return ", ".join(f"{k} {100 * v / tot:.0f}%" for k, v in c.most_common())

    def work_row(self, a, first):
        s = self.s
        done = []
        for (row, _tg, _c), r in self.cells.items():
            if row == a:
                done += r["done"]

        def spread(key):
            v = [d[key] for d in done]
            if not v:
                return "–"
            lo, hi, med = min(v), max(v), statistics.median(v)
            return f"{med:g}" if lo == hi else f"{med:g} ({lo}–{hi})"

        ms = self.done_ms
        r1 = self.cells.get((a, first, min(s.conc)))
        rmax = self.cells.get((a, first, max(s.conc)))
        rss = self.rss.get(a)
        cols = [LABELS[a], self.outcomes(r1), spread("calls"),
                f"{self.emu_direct[a]:g}" if a in self.emu_direct else "–", spread("sql"),
                f"{ms(r1)} / {ms(rmax)}",
                f"{max(rss) / 1024:.1f} MB" if rss else "–"]
        return "| " + " | ".join(cols) + " |"

    def report(self, targets, floors):
        s = self.s
        names = [n for n, _ in s.targets]
        L = []
        L.append(f"# mautic-wp benchmark, {self.started:%Y-%m-%d %H:%M} UTC\n")
        cpu = "?"
        try:
            with open("/proc/cpuinfo") as f:
                cpu = next(x.split(":", 1)[1].strip() for x in f if x.startswith("model name"))
        except (OSError, StopIteration):
            pass
        head = sh(["git", "-C", ROOT, "describe", "--always", "--dirty"]).stdout.strip()
        with open(self.binary, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:12]
        L.append(f"- Machine: {os.cpu_count()} vCPU ({cpu}), kernel {os.uname().release};"
                 f" load average {self.load_start} at the start, {self.load_end} at the end."
                 " Other work shared these cores: the numbers are noisy (±10 % and more"
                 " between runs is normal here).")
        mtime = datetime.datetime.fromtimestamp(os.path.getmtime(self.binary),
                                                datetime.timezone.utc)
        L.append(f"- Binary: `{self.binary}` ({os.path.getsize(self.binary)} bytes, sha256"
                 f" {digest}, built {mtime:%Y-%m-%d %H:%M} UTC); the repository was at"
                 f" {head} during the run.")
        if self.saved_fcgi:
            L.append("  The persistent processes were restarted with it"
                     " (tests/stack/fcgi-up.sh) and restored afterwards.")
        elif os.path.exists(self.fcgi_path):
            with open(self.fcgi_path, "rb") as f:
                d2 = hashlib.sha256(f.read()).hexdigest()[:12]
            if d2 != digest:
                L.append(f"  The persistent processes run another binary: `{self.fcgi_path}`"
                         f" (sha256 {d2}).")
        L.append(f"- Each cell: {s.warmup} s warm-up, then {s.seconds} s of `wrk -t1 -cN`"
                 " with `Connection: close` (a new TCP connection per request, as Mautic"
                 " sends webhooks; wrk's latency excludes the ~0.1 ms loopback connect)."
                 " Cells: p50 / p90 latency in ms · requests per second.")
        if self.emu_ms is not None:
            L.append(f"- Mautic emulator: one `GET /api/contacts/1` with curl on a new HTTPS"
                     f" connection takes {self.emu_ms:.1f} ms (median of 7).")
            if self.emu_ms > 30:
                L.append("  **That is too slow to be the emulator's own work**: an emulator"
                         " older than commit 2cc047b writes each answer's header and body"
                         " separately without TCP_NODELAY, and the body waits for the"
                         " client's delayed ACK (~40 ms). Every webhook that calls the API"
                         " then carries it, in every column; a real Mautic behind Apache or"
                         " nginx does not. Restart the emulator from a current"
                         " tests/stack/mautic-emu.py.")
        if os.environ.get("BENCH_NOTE"):
            L.append(f"- Note: {os.environ['BENCH_NOTE']}")
        for n in self.notes:
            L.append(f"- {n}")
        for n, why in self.na.items():
            L.append(f"- n/a: {n}: {why}")
        L.append("")
        for conc in s.conc:
            L.append(f"## Webhooks at concurrency {conc}: p50 / p90 ms · req/s\n")
            L.append("| webhook | " + " | ".join(names) + " |")
            L.append("|---|" + "---|" * len(names))
            for a in s.actions:
                L.append(f"| {LABELS[a]} | " + " | ".join(
                    self.fmt_cell(self.cells.get((a, n, conc))) for n in names) + " |")
            L.append("")
        if floors or any(k in self.na for k, _ in s.floor_urls):
            L.append("## Floors: p50 / p90 ms · req/s\n")
            L.append("| floor | " + " | ".join(f"c={c}" for c in s.conc)
                     + " | peak RSS, run directly |")
            L.append("|---|" + "---|" * len(s.conc) + "---|")
            for name, _ in s.floor_urls:
                key = "wordpress" if "WordPress" in name else "hello"
                rss = self.rss.get(key)
                rss_s = f"{max(rss) / 1024:.1f} MB" if rss else "–"
                if key == "wordpress" and rss:
                    rss_s += " (php-cli, same script)"
                L.append(f"| {name} | " + " | ".join(
                    self.fmt_cell(self.cells.get(("floor", name, c))) for c in s.conc)
                    + f" | {rss_s} |")
            L.append("")
        L.append("## Work per webhook (counted)\n")
        L.append("Mautic calls and SQL round trips are the CGI's own counts from the"
                 " `done` line of every request in the measured cells (median; the range"
                 " if they varied). \"Emulator\" is the number of API requests the emulator"
                 " logged per webhook during the direct runs below. In-process"
                 " ms is the `ms=` of the done line (after start-up, before exit). Peak"
                 f" RSS: the CGI run directly as www-data under `/usr/bin/time`, max of"
                 f" {s.rss_runs}.\n")
        L.append("| webhook | outcome (first target, c=1) | Mautic calls | emulator"
                 " API requests | SQL round trips | in-process ms p50 (c=1 / c=max) |"
                 " peak RSS |")
        L.append("|---|---|---|---|---|---|---|")
        first = targets[0][0]
        for a in s.actions:
            L.append(self.work_row(a, first))
        L.append("")
        L.append("## All cells\n")
        L.append("| row | target | c | requests | failed | p50 ms | p90 ms | p99 ms |"
                 " req/s | CPU busy % | API requests (emulator) | in-process ms p50 |"
                 " outcomes |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for (row, tg, c), r in self.cells.items():
            bad = r["nother"] + r["err_connect"] + r["err_read"] + r["err_write"] + \
                r["err_timeout"]
            label = LABELS.get(row, row) if row != "floor" else tg
            tgt = tg if row != "floor" else "–"
            L.append(f"| {label} | {tgt} | {c} | {r['requests']} | {bad} |"
                     f" {r['p50_us'] / 1000:.1f} | {r['p90_us'] / 1000:.1f} |"
                     f" {r['p99_us'] / 1000:.1f} | {r['rps']:.1f} |"
                     f" {r['cpu_busy']:.0f} | {r['emu_requests']} |"
                     f" {self.done_ms(r)} |"
                     f" {self.outcomes(r) if row != 'floor' else ''} |")
        L.append("")
        L.append(f"Total run time {self.elapsed:.0f} s.")
        text = "\n".join(L) + "\n"
        os.makedirs(s.outdir, exist_ok=True)
        path = os.path.join(s.outdir, f"{self.started:%Y-%m-%d-%H%M}.md")
        with open(path, "w") as f:
            f.write(text)
        print(text)
        log(f"written to {path}")
        return 0


if __name__ == "__main__":
    sys.exit(Bench().run())
