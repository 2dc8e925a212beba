# SPDX-License-Identifier: GPL-2.0-or-later
"""Persistent object cache: after a webhook commits, the CGI deletes exactly
the Redis Object Cache keys WordPress itself would drop for the users it
changed (users:ID, user_meta:ID, the login, e-mail and slug lookups), and
nothing else.  Redis is the stack's throwaway server
(tests/stack/redis-up.sh); this module talks RESP to it over a plain
socket (stdlib only).  A [cache] redis URL that cannot be read is a
configuration error, found before anything is written.

Contract with the action code: after a successful commit,
objcache_invalidate() gets every job whose user changed; when it fails the
answer is still 200, the database stays committed, and the job carries the
note "the object cache could not be updated"."""

import os
import socket

from mw import php_strlist

DB = 3           # the Redis database the site's cache lives in (SELECT)
ACL_USER = "mwoc"
ACL_PASS = "oc-acl-pass-5d1e"
NOTE = "the object cache could not be updated"


class RedisError(Exception):
    pass


class Resp:
    """A minimal RESP2 client: one connection, one command at a time."""

    def __init__(self, port=None, path=None, db=DB):
        if path is not None:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.settimeout(5)
            self.s.connect(path)
        else:
            self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.f = self.s.makefile("rb")
        if db:
            self.cmd("SELECT", db)

    def close(self):
        self.f.close()
        self.s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def cmd(self, *args):
        parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        out = b"*%d\r\n" % len(parts)
        for p in parts:
            out += b"$%d\r\n%s\r\n" % (len(p), p)
        self.s.sendall(out)
        return self._read()

    def _read(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise RedisError(f"connection closed: {line!r}")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2].decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RedisError(f"bad reply {line!r}")

    def snapshot(self):
        """Every key of the database with its value."""
        return {k: self.cmd("GET", k) for k in self.cmd("KEYS", "*")}

    def connections(self):
        """Connections the server has accepted so far."""
        for line in self.cmd("INFO", "stats").splitlines():
            if line.startswith("total_connections_received:"):
                return int(line.split(":", 1)[1])
        raise RedisError("no total_connections_received")


def redis_port(t):
    return int(t.env.get("MW_REDIS_PORT", "16379"))


def redis_socket(t):
    return t.env.get("MW_REDIS_SOCKET", os.path.join(t.state, "redis", "redis.sock"))


def redis(t):
    return Resp(port=redis_port(t))


def url(t, db=DB, auth=""):
    return f"redis://{auth}127.0.0.1:{redis_port(t)}/{db}"


# What a WordPress site running Redis Object Cache (table prefix wp_) holds
# once admin (1), ann (2) and bob (3) have been looked at: the user rows,
# their meta, the login / e-mail / slug lookups, the user-query salt, the
# options, and unrelated keys of other groups.  Values are placeholders (the
# plugin stores PHP serialize() output; we never read or write values).
def site_keys(salt="wp"):
    users = {1: ("admin", "admin@example.test"), 2: ("ann", "ann@example.com"),
             3: ("bob", "bob@example.com")}
    keys = {}
    for uid, (login, email) in users.items():
        keys[f"{salt}:users:{uid}"] = f'O:8:"stdClass":10:{{s:2:"ID";s:1:"{uid}";}}'
        keys[f"{salt}:user_meta:{uid}"] = 'a:1:{s:8:"nickname";a:1:{i:0;s:0:"";}}'
        keys[f"{salt}:userlogins:{login}"] = str(uid)
        keys[f"{salt}:useremail:{email}"] = str(uid)
        keys[f"{salt}:userslugs:{login}"] = str(uid)
    keys.update({
        f"{salt}:users:last_changed": "0.12345600 1700000000",
        f"{salt}:user-queries:get_users-5f2b-0.12345600 1700000000": "a:0:{}",
        f"{salt}:options:user_count": "3",
        f"{salt}:options:alloptions": 'a:1:{s:7:"siteurl";s:0:"";}',
        f"{salt}:options:notoptions": 'a:1:{s:9:"user_count";b:1;}',
        f"{salt}:options:siteurl": "http://127.0.0.1:18083",
        f"{salt}:posts:5": 'O:7:"WP_Post":0:{}',
        f"{salt}:post_meta:5": "a:0:{}",
        f"{salt}:site-transient:update_core": "b:0;",
    })
    return keys


def seed(r, *key_sets):
    r.cmd("FLUSHDB")
    for ks in key_sets:
        for k, v in ks.items():
            r.cmd("SET", k, v)
    return r.snapshot()


def assert_gone(before, after, gone):
    """Exactly the keys in gone were deleted; every other key is intact."""
    missing = set(before) - set(after)
    assert missing == set(gone), (f"deleted {sorted(missing)}, expected "
                                  f"{sorted(gone)}")
    assert not set(after) - set(before), sorted(set(after) - set(before))
    for k, v in after.items():
        assert before[k] == v, f"{k} changed: {before[k]!r} -> {v!r}"


def ann_keys(salt="wp", email="ann@example.com"):
    return {f"{salt}:users:2", f"{salt}:user_meta:2", f"{salt}:userlogins:ann",
            f"{salt}:useremail:{email}", f"{salt}:userslugs:ann",
            f"{salt}:users:last_changed"}


def setup_users(t):
    """ann (2) linked to contact 42 with tags [old], bob (3) to 43."""
    ann = t.add_user("ann", "ann@example.com", contact_id=42,
                     tags=php_strlist(["old"]))
    bob = t.add_user("bob", "bob@example.com", contact_id=43)
    assert (ann, bob) == (2, 3), (ann, bob)
    return ann


def test_update_tags_drops_exactly_the_users_keys(t, server):
    ann = setup_users(t)
    t.contact(42, tags=["wp-member", "customer"], email="ann@example.com")
    t.config(cache__redis=url(t))
    with redis(t) as r:
        before = seed(r, site_keys())
        mark = t.log_mark(server)
        a = t.hook(server, "update_tags", 42)
        assert a.status == 200 and a.outcome == "updated", a
        assert "note" not in a.results[0], a
        assert_gone(before, r.snapshot(), ann_keys())
    assert t.meta(ann, "mautic_tags") == php_strlist(["customer", "wp-member"])
    log = t.log_since(server, mark)
    assert "ann@example.com" not in log and "objcache" not in log, log


def test_update_with_email_change_drops_old_and_new_email(t, server):
    ann = setup_users(t)
    t.contact(42, tags=["old"], email="ann.new@example.com", firstname="Ann")
    t.config(cache__redis=url(t))
    with redis(t) as r:
        # A lookup of the new address may sit in the cache as well.
        before = seed(r, site_keys(), {"wp:useremail:ann.new@example.com": "9"})
        a = t.hook(server, "update", 42)
        assert a.status == 200 and a.outcome == "updated", a
        assert_gone(before, r.snapshot(),
                    ann_keys() | {"wp:useremail:ann.new@example.com"})
    rows = t.sql("SELECT user_email FROM wp_users WHERE ID=%s", (ann,))
    assert rows[0][0] == "ann.new@example.com", rows


def test_add_drops_user_count_and_notoptions_with_salt(t, server):
    setup_users(t)
    t.contact(77, tags=["new"], email="carl@example.com", firstname="Carl")
    # WP_REDIS_PREFIX "mysite_" and a second site without it share the
    # server: only the salted keys are this site's.
    t.config(cache__redis=url(t), cache__redis_prefix="mysite_")
    with redis(t) as r:
        before = seed(r, site_keys("mysite_wp"), site_keys("wp"))
        a = t.hook(server, "add", 77)
        assert a.status == 200 and a.outcome == "created", a
        uid = a.results[0]["user_id"]
        assert uid == 4, a
        assert_gone(before, r.snapshot(),
                    {"mysite_wp:users:last_changed", "mysite_wp:options:user_count",
                     "mysite_wp:options:notoptions"})
    opt = t.sql("SELECT option_value FROM wp_options WHERE option_name='user_count'")
    assert opt[0][0] in ("4", b"4"), opt


def test_salt_is_prepended_verbatim(t, server):
    """The salt goes in front as it is (a ':' in it stays); table_prefix
    wp_ is "wp" in the keys."""
    setup_users(t)
    t.contact(42, tags=["x"], email="ann@example.com")
    t.config(cache__redis=url(t), cache__redis_prefix="shop:")
    with redis(t) as r:
        before = seed(r, site_keys("shop:wp"), site_keys("wp"))
        a = t.hook(server, "update_tags", 42)
        assert a.status == 200 and a.outcome == "updated", a
        assert_gone(before, r.snapshot(), ann_keys("shop:wp"))


def test_unchanged_webhook_does_not_even_connect(t, server):
    setup_users(t)
    t.contact(42, tags=["old"], email="ann@example.com")
    t.config(cache__redis=url(t))
    with redis(t) as r:
        before = seed(r, site_keys())
        conns = r.connections()
        a = t.hook(server, "update_tags", 42)
        assert a.status == 200 and a.outcome == "unchanged", a
        a = t.hook(server, "update_tags", 5)        # no such user
        assert a.status == 200 and a.outcome == "no_user", a
        assert r.connections() == conns
        assert_gone(before, r.snapshot(), set())


def test_no_cache_configured_leaves_redis_alone(t, server):
    setup_users(t)
    t.contact(42, tags=["new"], email="ann@example.com")
    with redis(t) as r:
        before = seed(r, site_keys())
        conns = r.connections()
        a = t.hook(server, "update_tags", 42)
        assert a.status == 200 and a.outcome == "updated", a
        assert "note" not in a.results[0], a
        assert r.connections() == conns
        assert_gone(before, r.snapshot(), set())


def test_acl_user_and_unix_socket(t, server):
    """AUTH user password over TCP, then the unix socket with ?db=N; the
    password never reaches the log or the answer."""
    setup_users(t)
    with redis(t) as r:
        r.cmd("ACL", "SETUSER", ACL_USER, "reset", "on", ">" + ACL_PASS, "~*",
              "+@all")
        try:
            t.contact(42, tags=["one"], email="ann@example.com")
            t.config(cache__redis=url(t, auth=f"{ACL_USER}:{ACL_PASS}@"))
            before = seed(r, site_keys())
            mark = t.log_mark(server)
            a = t.hook(server, "update_tags", 42)
            assert a.status == 200 and a.outcome == "updated", a
            assert "note" not in a.results[0], a
            assert_gone(before, r.snapshot(), ann_keys())

            t.contact(42, tags=["two"], email="ann@example.com")
            t.config(cache__redis=f"unix://{redis_socket(t)}?db=5")
            with Resp(path=redis_socket(t), db=5) as r5:
                before5 = seed(r5, site_keys())
                before = seed(r, site_keys())
                a = t.hook(server, "update_tags", 42)
                assert a.status == 200 and a.outcome == "updated", a
                assert "note" not in a.results[0], a
                assert_gone(before5, r5.snapshot(), ann_keys())
                r5.cmd("FLUSHDB")
            assert_gone(before, r.snapshot(), set())   # db 3 untouched

            t.contact(42, tags=["three"], email="ann@example.com")
            t.config(cache__redis=url(t, auth=f"{ACL_USER}:bad-{ACL_PASS}@"))
            before = seed(r, site_keys())
            a = t.hook(server, "update_tags", 42)
            assert a.status == 200 and a.outcome == "updated", a
            assert NOTE in a.results[0].get("note", ""), a
            assert_gone(before, r.snapshot(), set())
            log = t.log_since(server, mark)
            assert "objcache" in log, log
            assert ACL_PASS not in log and ACL_PASS not in a.raw, log
            assert "ann@example.com" not in log, log
        finally:
            r.cmd("ACL", "DELUSER", ACL_USER)


def test_redis_down_still_commits_and_notes(t, server):
    ann = setup_users(t)
    t.contact(42, tags=["wp-member"], email="ann@example.com")
    t.contact(77, tags=["new"], email="carl@example.com", firstname="Carl")
    # Port 1 on the loopback: nothing listens, the connect fails at once.
    t.config(cache__redis="redis://:pw-down-1@127.0.0.1:1/0")
    mark = t.log_mark(server)
    a = t.hook(server, "update_tags", 42)
    assert a.status == 200 and a.outcome == "updated", a
    assert NOTE in a.results[0].get("note", ""), a
    assert t.meta(ann, "mautic_tags") == php_strlist(["wp-member"])
    a = t.hook(server, "add", 77)
    assert a.status == 200 and a.outcome == "created", a
    assert NOTE in a.results[0].get("note", ""), a
    uid = a.results[0]["user_id"]
    rows = t.sql("SELECT user_email FROM wp_users WHERE ID=%s", (uid,))
    assert rows and rows[0][0] == "carl@example.com", rows
    log = t.log_since(server, mark)
    assert "cannot connect to redis" in log, log
    assert "pw-down-1" not in log and "@example.com" not in log, log


def test_bad_url_is_a_config_error_before_any_write(t, server):
    """The URL is parsed when the configuration is loaded: a bad one is a
    500 config_error naming the file, line and key (never the URL, which
    may hold a password), and the database is not touched."""
    setup_users(t)
    t.contact(42, tags=["wp-member"], email="ann@example.com")
    t.contact(77, tags=["new"], email="carl@example.com", firstname="Carl")
    before = t.checksum()
    t.config(cache__redis="redis://:pw-bad-url-9@127.0.0.1:0/0")
    mark = t.log_mark(server)
    for action, cid in (("update_tags", 42), ("add", 77)):
        a = t.hook(server, action, cid)
        assert a.status == 500 and a.json["error"] == "config_error", a
    assert t.checksum() == before
    log = t.log_since(server, mark)
    assert ": redis: must be redis://" in log, log
    assert "pw-bad-url-9" not in log and "pw-bad-url-9" not in a.raw, log
