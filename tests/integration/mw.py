# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for mautic-wp integration tests: the stack, the CGI, the database
and the Mautic emulator.  Only /usr/bin/python3's stdlib plus Debian's
python3-pymysql."""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import ssl
import struct
import subprocess
import time
import urllib.parse
import zlib

import pymysql

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STACK = os.path.join(ROOT, "tests", "stack")

ACCESS_KEY = "it-access-key-3f9a7c"
WEBHOOK_SECRET = "it-webhook-secret-77aa"
MAUTIC_USER = "apiuser"
MAUTIC_PASSWORD = "apipass"
OAUTH_ID = "1_testclient"
OAUTH_SECRET = "testsecret"


class Skip(Exception):
    """A test needs a part of the stack that is not running (the Galera
    nodes of tests/stack/galera-up.sh): skipped, a failure under CI=true."""


def wait_until(predicate, timeout, what, interval=0.02):
    """Call predicate() every interval seconds until it returns a true
    value, and return that value; after timeout seconds, fail saying what
    was awaited.  For conditions only: a pause that is part of a scenario
    stays a time.sleep()."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def process_gone(pid):
    """True once pid has exited (a zombie counts as gone: it holds no
    sockets or files)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def load_env():
    """The stack's addresses from $MW_STATE/stack.env, or None if absent."""
    state = os.environ.get("MW_STATE", "/tmp/mw")
    path = os.path.join(state, "stack.env")
    if not os.path.exists(path):
        return None
    env = {}
    out = subprocess.run(["bash", "-c", f"set -a; . {path}; env -0"],
                         capture_output=True, check=True).stdout
    for item in out.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            if k.startswith(b"MW_"):
                env[k.decode()] = v.decode()
    return env


class Answer:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        try:
            self.json = json.loads(raw)
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"<{self.status} {self.raw[:300]!r}>"

    @property
    def results(self):
        return (self.json or {}).get("results", [])

    @property
    def outcome(self):
        r = self.results
        return r[0]["outcome"] if r else None


class Stack:
    """One test stack (servers started by tests/stack/up.sh)."""

    answers = []        # every answer of the run, for the secrets scan
    harvested = set()   # generated passwords and tokens seen by the emulator

    def __init__(self, env):
        self.env = env
        self.state = env["MW_STATE"]
        self.config_path = env["MW_CONFIG"]
        self.ca = env["MW_CA"]
        self.spool = env.get("MW_SPOOL_DIR") or os.path.join(self.state, "spool")
        self.mautic_url = env["MW_MAUTIC_URL"]
        self.urls = {"apache": env["MW_APACHE_URL"], "nginx": env["MW_NGINX_URL"]}
        self.mode = "cgi"
        self.logs = {"apache": os.path.join(env["MW_LOG_DIR"], "apache-error.log"),
                     "nginx": os.path.join(env["MW_LOG_DIR"], "nginx-error.log")}
        self.ssl = ssl.create_default_context(cafile=self.ca)

    def persistent(self):
        """Talk to the FastCGI processes (mod_fcgid, spawn-fcgi) instead."""
        self.mode = "persistent"
        for k in self.urls:
            self.urls[k] = self.urls[k].replace("/cgi-bin/", "/fcgi-bin/")

    # ---- configuration -------------------------------------------------
    def config(self, **over):
        """Write the CGI's config: defaults plus overrides given as
        section__key=value (None deletes a key).  Returns the text."""
        c = {
            "wordpress": {"db_host": "127.0.0.1", "db_port": self.env["MW_DB_PORT"],
                          "db_name": "wordpress", "db_user": "wp", "db_password": "wppw",
                          "table_prefix": "wp_", "site_url": self.wp_url,
                          "site_name": "Test Site"},
            "mautic": {"url": self.mautic_url, "auth": "basic", "username": MAUTIC_USER,
                       "password": MAUTIC_PASSWORD, "ca_file": self.ca,
                       "timeout_ms": os.environ.get("MW_TEST_MAUTIC_TIMEOUT_MS", "3000"),
                       "token_cache": os.path.join(self.env["MW_CACHE_DIR"], "token")},
            "webhook": {"access_key": ACCESS_KEY},
            # The synchronous path's own statuses (502, 503, 504) are what
            # most tests check; test_queue turns queueing on.
            "queue": {"dir": self.spool, "on_failure": "no"},
            "fields": {"user_email": "email", "first_name": "firstname",
                       "last_name": "lastname"},
            "mail": {"transport": "smtp", "smtp_url": self.env["MW_SMTP_URL"]},
            "log": {"level": "info"},
            # The outbox and its ping are tested on their own
            # (test_reactions.py): elsewhere they would wake WordPress on
            # every webhook and change the rows the checksums compare.
            "events": {"outbox": "no"},
        }
        for k, v in over.items():
            sec, key = k.split("__", 1)
            c.setdefault(sec, {})
            if v is None:
                c[sec].pop(key, None)
            else:
                c[sec][key] = str(v)
        text = "".join(f"[{s}]\n" + "".join(f"{k} = {v}\n" for k, v in kv.items())
                       for s, kv in c.items())
        self.write_config_text(text)
        return text

    def write_config_text(self, text, mode=0o640):
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.chown(tmp, 0, 33)  # root:www-data
        os.chmod(tmp, mode)
        os.replace(tmp, self.config_path)

    # ---- the local queue ------------------------------------------------
    def spool_reset(self):
        """Empty the spool (keeping the directory, www-data's, 0700)."""
        journal = os.path.join(self.spool, "journal")
        if os.path.lexists(journal):
            os.unlink(journal)
        for sub in ("new", "tmp", "dead", "slots"):
            d = os.path.join(self.spool, sub)
            if os.path.isdir(d):
                for n in os.listdir(d):
                    p = os.path.join(d, n)
                    if os.path.isdir(p) and not os.path.islink(p):
                        os.rmdir(p)
                    else:
                        os.unlink(p)

    def spool_files(self, sub="new"):
        """The names in sub/; for new/, every queued job: the files and
        the journal's slots (names ending in .s<slot>), by arrival."""
        d = os.path.join(self.spool, sub)
        names = os.listdir(d) if os.path.isdir(d) else []
        if sub == "new":
            names += list(self.journal_jobs())
        return sorted(names)

    JOURNAL_SLOT = 1024

    def journal_jobs(self):
        """{name: (slot, job bytes)} of the journal's taken slots, read the
        way the program lays them out (magic, length, CRC-32, the name,
        the job as in a job file)."""
        out = {}
        path = os.path.join(self.spool, "journal")
        if not os.path.isfile(path) or os.path.islink(path):
            return out
        with open(path, "rb") as f:
            data = f.read()
        for slot in range(len(data) // self.JOURNAL_SLOT):
            rec = data[slot * self.JOURNAL_SLOT:(slot + 1) * self.JOURNAL_SLOT]
            if rec[:4] == b"\0\0\0\0":
                continue
            n = struct.unpack("<I", rec[4:8])[0]
            name = rec[16:80].split(b"\0")[0].decode()
            out[name] = (slot, rec[80:16 + n])
        return out

    def spool_job_bytes(self, name):
        """A queued job's bytes (a job file's content), wherever it is."""
        jobs = self.journal_jobs()
        if name in jobs:
            return jobs[name][1]
        with open(os.path.join(self.spool, "new", name), "rb") as f:
            return f.read()

    def spool_write_job(self, name, job):
        """Write a queued job's bytes back where it is, as the program
        would (a file www-data's and 0600, or its slot's record)."""
        jobs = self.journal_jobs()
        if name in jobs:
            body = name.encode().ljust(64, b"\0") + job
            rec = b"MWS1" + struct.pack("<II", len(body), zlib.crc32(body)) \
                + b"\0" * 4 + body
            with open(os.path.join(self.spool, "journal"), "r+b") as f:
                f.seek(jobs[name][0] * self.JOURNAL_SLOT)
                f.write(rec)
            return
        path = os.path.join(self.spool, "new", name)
        with open(path, "wb") as f:
            f.write(job)
        os.chown(path, 33, 33)
        os.chmod(path, 0o600)

    def worker(self, *args, timeout=120):
        """Run the CGI's worker mode as the web server's user (the spool's
        files are www-data's).  Returns (rc, stdout, stderr)."""
        cgi = os.path.join(self.env["MW_CGI_DIR"], "mautic-wp.cgi")
        env = {k: v for k, v in os.environ.items() if k != "GATEWAY_INTERFACE"}
        p = subprocess.run(["setpriv", "--reuid=33", "--regid=33", "--clear-groups", cgi] + list(args) +
                           ["--config", self.config_path], capture_output=True,
                           text=True, env=env, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def worker_start(self):
        """The long-running worker (--worker) as www-data, in the background."""
        cgi = os.path.join(self.env["MW_CGI_DIR"], "mautic-wp.cgi")
        env = {k: v for k, v in os.environ.items() if k != "GATEWAY_INTERFACE"}
        return subprocess.Popen(["setpriv", "--reuid=33", "--regid=33", "--clear-groups",
                                 cgi, "--worker", "--config", self.config_path],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)

    def mails(self):
        """Messages the SMTP sink received, oldest first."""
        path = os.path.join(self.state, "smtp", "mail.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def clear_mails(self):
        path = os.path.join(self.state, "smtp", "mail.jsonl")
        if os.path.exists(path):
            open(path, "w").close()
        d = os.path.join(self.state, "smtp", "mail")
        for n in os.listdir(d) if os.path.isdir(d) else []:
            os.unlink(os.path.join(d, n))

    def clear_token_cache(self):
        for name in ("token", "token.lock"):
            p = os.path.join(self.env["MW_CACHE_DIR"], name)
            if os.path.exists(p):
                os.unlink(p)

    # ---- the CGI through a web server ------------------------------------
    def call(self, server, params=None, method="GET", body=None, ctype=None,
             headers=None, query=None):
        """One request to the CGI; params go in the query string unless
        query is given verbatim."""
        url = urllib.parse.urlsplit(self.urls[server])
        if query is None:
            query = urllib.parse.urlencode(params or {})
        path = url.path + ("?" + query if query else "")
        h = {"Connection": "close"}
        if ctype:
            h["Content-Type"] = ctype
        h.update(headers or {})
        if isinstance(body, str):
            body = body.encode()
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        raw = r.read().decode("utf-8", "replace")
        ans = Answer(r.status, {k.lower(): v for k, v in r.getheaders()}, raw)
        conn.close()
        Stack.answers.append(raw)
        return ans

    def hook(self, server, action, contact_id=None, **extra):
        p = {"wpf_action": action, "access_key": ACCESS_KEY}
        if contact_id is not None:
            p["contact_id"] = contact_id
        p.update(extra)
        return self.call(server, p)

    def log_mark(self, server):
        try:
            return os.path.getsize(self.logs[server])
        except OSError:
            return 0

    def log_since(self, server, mark):
        """The CGI's own log lines written since mark, once the web server
        has written them all: read until two reads 50 ms apart agree."""
        last = [None]

        def settled():
            text = self._log_text(server, mark)
            done = text == last[0]
            last[0] = text
            return done

        wait_until(settled, 10, f"the {server} error log to stop growing",
                   interval=0.05)
        return last[0]

    def _log_text(self, server, mark):
        """The CGI's lines in the error log since mark.  nginx wraps them
        in its own records (with the request line, which holds the query
        string); only the CGI's text is returned."""
        try:
            with open(self.logs[server], "rb") as f:
                f.seek(mark)
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        if server == "nginx":
            parts = re.findall(r'FastCGI sent in stderr: "(.*?)" while ', text, re.S)
            text = "\n".join(parts)
        # mod_fcgid prefixes each line of a FastCGI process's stderr.
        text = re.sub(r"^.*?mod_fcgid: stderr: ", "", text, flags=re.M)
        return "\n".join(line for line in text.splitlines()
                         if line.startswith("mautic-wp[")) + "\n"

    # ---- the Mautic emulator ---------------------------------------------
    def emu(self, method, path, body=None):
        url = urllib.parse.urlsplit(self.mautic_url)
        conn = http.client.HTTPSConnection(url.hostname, url.port, context=self.ssl,
                                           timeout=30)
        data = None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=data,
                     headers={"Content-Type": "application/json", "Connection": "close"})
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        if r.status >= 300:
            raise RuntimeError(f"emulator {method} {path}: {r.status} {raw[:200]!r}")
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    def harvest(self):
        """Remember secrets the emulator saw (returned passwords, tokens)."""
        for r in self.emu_log():
            if r["method"] == "PATCH" and r["body"].startswith("{"):
                for v in json.loads(r["body"]).values():
                    if isinstance(v, str) and len(v) >= 16:
                        Stack.harvested.add(v)
            if r["auth"].startswith("bearer:"):
                Stack.harvested.add(r["auth"][7:])

    def emu_reset(self):
        self.harvest()
        self.emu("POST", "/_emu/reset", {})

    def contact(self, cid, tags=(), **fields):
        self.emu("PUT", f"/_emu/contacts/{cid}", {"fields": fields, "tags": list(tags)})

    def fault(self, **rule):
        self.emu("POST", "/_emu/faults", rule)

    def emu_log(self):
        return self.emu("GET", "/_emu/log")["requests"]

    def wait_emu_log(self, n, timeout=10):
        """Wait until the emulator has logged n requests."""
        wait_until(lambda: len(self.emu_log()) >= n, timeout,
                   f"{n} requests in the Mautic emulator's log", interval=0.1)

    def emu_log_clear(self):
        self.harvest()
        self.emu("DELETE", "/_emu/log")

    def payload(self, events, test_payload=False):
        """Exact bytes of a Mautic global webhook for the emulator's state."""
        url = urllib.parse.urlsplit(self.mautic_url)
        conn = http.client.HTTPSConnection(url.hostname, url.port, context=self.ssl,
                                           timeout=30)
        conn.request("POST", "/_emu/webhook_payload",
                     body=json.dumps({"events": events, "test_payload": test_payload}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        assert r.status == 200, (r.status, raw[:200])
        return raw

    # ---- the WordPress database ------------------------------------------
    def db(self):
        return pymysql.connect(unix_socket=self.env["MW_DB_SOCKET"], user="root",
                               password="rootpw", database="wordpress",
                               charset="utf8mb4", autocommit=True)

    def wordpress_busy(self):
        """Connections to WordPress's port that are open or that the
        server has not closed yet (ESTABLISHED, CLOSE_WAIT): requests in
        flight, such as the drain ping a commit sends and does not wait
        for."""
        port = "%04X" % int(self.env.get("MW_WP_PORT", "18083"))
        n = 0
        for f in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(f) as fh:
                    next(fh)
                    for line in fh:
                        cols = line.split()
                        if cols[1].rsplit(":", 1)[1] == port and cols[3] in ("01", "08"):
                            n += 1
            except OSError:
                pass
        return n

    def reset_db(self):
        """Load the fresh database, once WordPress has finished what the
        last test sent it: a drain ping's wp-cron.php run writes
        wp_options (doing_cron) whenever PHP gets to it, and must not
        write into the next test's database."""
        deadline = time.time() + 10
        while self.wordpress_busy() and time.time() < deadline:
            time.sleep(0.02)
        subprocess.run([os.path.join(STACK, "db-reset.sh")], check=True,
                       capture_output=True)

    def sql(self, query, args=None):
        with self.db() as c, c.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall()

    def snapshot(self):
        """Every row of the WordPress tables, as a set of (table, row)."""
        rows = set()
        for table, order in (("wp_users", "ID"), ("wp_usermeta", "umeta_id"),
                             ("wp_options", "option_id")):
            for row in self.sql(f"SELECT * FROM {table} ORDER BY {order}"):
                rows.add((table, repr(row)))
        return rows

    def checksum(self):
        """A fingerprint of every row of the WordPress tables."""
        h = hashlib.sha256()
        for table, order in (("wp_users", "ID"), ("wp_usermeta", "umeta_id"),
                             ("wp_options", "option_id")):
            for row in self.sql(f"SELECT * FROM {table} ORDER BY {order}"):
                h.update(repr(row).encode())
        return h.hexdigest()

    def make_network(self, blogs=(2, 3), user_count=None):
        """Turn the fresh site into a multisite network as WordPress's
        network setup leaves it: the global tables (wp_blogs, wp_site,
        wp_sitemeta with the network's user_count), wp_users' spam and
        deleted columns, and for each sub-site N its wp_N_options (a copy
        of the main site's settings with its own wp_N_user_roles).  The
        database is reloaded before every test, so nothing outlives it."""
        self.sql("ALTER TABLE wp_users ADD spam tinyint(2) NOT NULL DEFAULT '0',"
                 " ADD deleted tinyint(2) NOT NULL DEFAULT '0'")
        self.sql("CREATE TABLE wp_blogs (blog_id bigint(20) NOT NULL AUTO_INCREMENT,"
                 " site_id bigint(20) NOT NULL DEFAULT 0, domain varchar(200) NOT NULL"
                 " DEFAULT '', path varchar(100) NOT NULL DEFAULT '', PRIMARY KEY (blog_id))")
        self.sql("CREATE TABLE wp_site (id bigint(20) NOT NULL AUTO_INCREMENT,"
                 " domain varchar(200) NOT NULL DEFAULT '', path varchar(100) NOT NULL"
                 " DEFAULT '', PRIMARY KEY (id))")
        self.sql("CREATE TABLE wp_sitemeta (meta_id bigint(20) NOT NULL AUTO_INCREMENT,"
                 " site_id bigint(20) NOT NULL DEFAULT 0, meta_key varchar(255) DEFAULT NULL,"
                 " meta_value longtext, PRIMARY KEY (meta_id), KEY meta_key (meta_key(191)),"
                 " KEY site_id (site_id))")
        self.sql("INSERT INTO wp_site (id, domain, path) VALUES (1, 'example.test', '/')")
        self.sql("INSERT INTO wp_blogs (blog_id, site_id, domain, path) VALUES"
                 " (1, 1, 'example.test', '/')")
        count = user_count
        if count is None:
            count = self.sql("SELECT COUNT(ID) FROM wp_users")[0][0]
        self.sql("INSERT INTO wp_sitemeta (site_id, meta_key, meta_value) VALUES"
                 " (1, 'user_count', %s), (1, 'site_name', 'Test Network')", (str(count),))
        for n in blogs:
            self.sql(f"INSERT INTO wp_blogs (blog_id, site_id, domain, path) VALUES"
                     f" ({n}, 1, 'site{n}.example.test', '/')")
            self.sql(f"CREATE TABLE wp_{n}_options LIKE wp_options")
            self.sql(f"INSERT INTO wp_{n}_options (option_name, option_value, autoload)"
                     f" SELECT REPLACE(option_name, 'wp_user_roles', 'wp_{n}_user_roles'),"
                     f" option_value, autoload FROM wp_options WHERE option_name IN"
                     f" ('wp_user_roles', 'default_role', 'db_version', 'blogname')")
            self.sql(f"INSERT INTO wp_{n}_options (option_name, option_value, autoload)"
                     f" VALUES ('siteurl', 'http://site{n}.example.test', 'yes')")

    def wp_text_field(self, values):
        """What WordPress's own sanitize_text_field() makes of each value after
        WP Fusion's "%40" to "@": the stack's WordPress runs it
        (tests/unit/wptext_parity.php, field "text")."""
        def esc(v):
            out = ""
            for ch in v:
                if ch == "\\":
                    out += "\\\\"
                elif ch == "\n":
                    out += "\\n"
                elif ch == "\t":
                    out += "\\t"
                elif ch == "\r":
                    out += "\\r"
                elif ch == "#" and not out:
                    out += "\\x23"
                else:
                    out += ch
            return out

        cases = os.path.join(self.state, "wpf-text-cases.txt")
        with open(cases, "w") as f:
            for v in values:
                f.write(esc(v.replace("%40", "@")) + "\n")
        script = os.path.join(ROOT, "tests", "unit", "wptext_parity.php")
        out = subprocess.run(["php", script, cases], capture_output=True, text=True,
                             check=True).stdout
        unesc = {"n": "\n", "t": "\t", "r": "\r"}
        got = {}
        for line in out.splitlines():
            case, field, value = line.split("\t", 2)
            if field == "text":
                got[int(case)] = re.sub(
                    r"\\(x[0-9a-f]{2}|.)",
                    lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 3
                    else unesc.get(m.group(1), m.group(1)), value)
        return [got[i] for i in range(len(values))]

    def add_user(self, login, email, contact_id=None, tags=None):
        """A plain subscriber, as WordPress would have it, optionally
        linked to a contact and holding tags (a serialized string)."""
        with self.db() as c, c.cursor() as cur:
            cur.execute("INSERT INTO wp_users (user_login, user_pass, user_nicename,"
                        " user_email, user_registered, display_name) VALUES"
                        " (%s, '$P$Bxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', %s, %s,"
                        " UTC_TIMESTAMP(), %s)", (login, login.lower(), email, login))
            uid = cur.lastrowid
            rows = [("nickname", login), ("first_name", ""), ("last_name", ""),
                    ("wp_capabilities", 'a:1:{s:10:"subscriber";b:1;}'),
                    ("wp_user_level", "0")]
            if contact_id is not None:
                rows.append(("mautic_contact_id", str(contact_id)))
            if tags is not None:
                rows.append(("mautic_tags", tags))
            for k, v in rows:
                cur.execute("INSERT INTO wp_usermeta (user_id, meta_key, meta_value)"
                            " VALUES (%s, %s, %s)", (uid, k, v))
            return uid

    def meta(self, uid, key):
        rows = self.sql("SELECT meta_value FROM wp_usermeta WHERE user_id=%s AND"
                        " meta_key=%s ORDER BY umeta_id", (uid, key))
        if not rows:
            return None
        assert len(rows) == 1, f"{len(rows)} rows of {key} for user {uid}"
        v = rows[0][0]
        return v.decode() if isinstance(v, bytes) else v


    # ---- the real WordPress (tests/stack/wordpress-up.sh) ----------------
    # WordPress writes to the database while it serves (cron, widget_* and
    # transient options, session_tokens usermeta on login, ...): take
    # checksum() around CGI calls, not around these.

    @property
    def wp_url(self):
        """WordPress's origin, e.g. http://127.0.0.1:18083 (no slash)."""
        return self.env.get("MW_WP_URL", "http://127.0.0.1:18083").rstrip("/")

    def _wp_path(self, url):
        """The path?query of url, which must be on WordPress's origin (or
        already be a path)."""
        u = urllib.parse.urlsplit(url)
        if u.netloc and u.netloc != urllib.parse.urlsplit(self.wp_url).netloc:
            raise ValueError(f"{url} is not on {self.wp_url}")
        return (u.path or "/") + ("?" + u.query if u.query else "")

    def _wp_http(self, method, path, cookies, form=None):
        """One request to WordPress, redirects not followed.  cookies (a
        name -> raw value dict, sent on every path) is updated from
        Set-Cookie, expired ones removed.  Returns (status, Location, body)."""
        import email.utils
        url = urllib.parse.urlsplit(self.wp_url)
        h = {"Connection": "close"}
        if cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            raw = r.read().decode("utf-8", "replace")
            for sc in r.headers.get_all("Set-Cookie") or []:
                nv, _, attrs = sc.partition(";")
                name, _, value = nv.strip().partition("=")
                expired = False
                for a in attrs.split(";"):
                    k, _, v = a.strip().partition("=")
                    if k.lower() == "expires":
                        try:
                            expired = (email.utils.parsedate_to_datetime(v).timestamp()
                                       < time.time())
                        except (TypeError, ValueError, IndexError):
                            pass
                    elif k.lower() == "max-age" and v.strip().lstrip("-").isdigit():
                        expired = int(v) <= 0
                if expired:
                    cookies.pop(name, None)
                else:
                    cookies[name] = value
            return r.status, r.getheader("Location", ""), raw
        finally:
            conn.close()

    def wp_login(self, login, password):
        """True if WordPress's own wp-login.php accepts login (user name or
        e-mail) and password: a POST with the test cookie answers 302 to
        /wp-admin/... with a wordpress_logged_in_* cookie, and with those
        cookies /wp-admin/profile.php answers 200 showing that user.
        Details of the last attempt are in self.wp_last."""
        import html
        cookies = {"wordpress_test_cookie": "WP%20Cookie%20check"}
        admin = self.wp_url + "/wp-admin/"
        st, loc, page = self._wp_http("POST", "/wp-login.php", cookies, {
            "log": login, "pwd": password, "wp-submit": "Log In",
            "redirect_to": admin, "testcookie": "1"})
        err = re.search(r'<div id="login_error">(.*?)</div>', page, re.S)
        self.wp_last = {"login_status": st, "location": loc, "cookies": sorted(cookies),
                        "login_error": err and re.sub(r"<[^>]+>|\s+", " ",
                                                      err.group(1)).strip()}
        if (st != 302 or not loc.startswith(admin)
                or not any(k.startswith("wordpress_logged_in_") for k in cookies)):
            return False
        st, loc, page = self._wp_http("GET", "/wp-admin/profile.php", cookies)
        found = {}
        for field in ("user_login", "email"):
            m = re.search(r'name="%s" id="%s"[^>]*? value="([^"]*)"' % (field, field), page)
            found[field] = html.unescape(m.group(1)) if m else None
        self.wp_last.update(profile_status=st, profile_location=loc, profile=found)
        return st == 200 and login in (found["user_login"], found["email"])

    def wp_cli(self, *args):
        """Run tests/stack/wp-cli.php ARGS (WordPress loaded in PHP CLI with
        the web server's config) and return its parsed JSON.  Command errors
        come back as {"error": ...}; usage errors and non-JSON raise."""
        env = dict(os.environ, MW_WP_URL=self.wp_url,
                   WP_CONFIG_NAME=self.env.get("MW_WP_CONFIG_NAME", "mwtest"))
        p = subprocess.run(["php", os.path.join(STACK, "wp-cli.php")]
                           + [str(a) for a in args],
                           capture_output=True, text=True, env=env, timeout=120)
        try:
            out = json.loads(p.stdout)
        except ValueError:
            out = None
        if (out is None and p.stdout.strip() != "null") or p.returncode not in (0, 1):
            raise RuntimeError(f"wp-cli.php {' '.join(map(str, args))}: rc {p.returncode},"
                               f" stdout {p.stdout[:500]!r}, stderr {p.stderr[-1000:]!r}")
        return out

    def wp_reset_password(self, login, key, new_password, link=None):
        """True if WordPress's password-set flow accepts (login, key) and
        sets new_password, proven by wp_login(login, new_password).  The
        flow: GET wp-login.php?action=rp&key=KEY&login=LOGIN (or link, a
        mailed link on WordPress's origin) -> 302 setting the
        wp-resetpass-* cookie -> GET wp-login.php?action=rp (the form, with
        rp_key) -> POST action=resetpass pass1, pass2, rp_key -> "Your
        password has been reset.".  An invalid or expired key is a 302 to
        action=lostpassword&error=invalidkey/expiredkey.  Details of the
        last attempt are in self.wp_last."""
        cookies = {}
        if link is None:
            path = ("/wp-login.php?action=rp&key=" + urllib.parse.quote(key, safe="")
                    + "&login=" + urllib.parse.quote(login, safe=""))
        else:
            path = self._wp_path(link)
        st, loc, _ = self._wp_http("GET", path, cookies)
        self.wp_last = {"rp_status": st, "rp_location": loc}
        if st != 302 or not any(k.startswith("wp-resetpass-") for k in cookies):
            return False
        st, loc, page = self._wp_http("GET", self._wp_path(loc), cookies)
        m = re.search(r'name="rp_key" value="([^"]*)"', page)
        self.wp_last.update(form_status=st, form_location=loc, rp_key=m and m.group(1))
        if st != 200 or not m:
            return False
        st, loc, page = self._wp_http("POST", "/wp-login.php?action=resetpass", cookies, {
            "pass1": new_password, "pass2": new_password, "rp_key": m.group(1),
            "wp-submit": "Save Password"})
        done = "Your password has been reset." in page
        self.wp_last.update(reset_status=st, reset_location=loc, reset_done=done)
        if st != 200 or not done:
            return False
        last = self.wp_last
        ok = self.wp_login(login, new_password)
        self.wp_last = dict(last, **self.wp_last)
        return ok


def php_strlist(names):
    """PHP serialize() of a list of strings."""
    out = f"a:{len(names)}:{{"
    for i, n in enumerate(names):
        out += f'i:{i};s:{len(n.encode())}:"{n}";'
    return out + "}"


def php_json(obj):
    """json_encode() with PHP's default flags, as Mautic sends it."""
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


def signature(body, secret=WEBHOOK_SECRET):
    if isinstance(body, str):
        body = body.encode()
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
