# SPDX-License-Identifier: GPL-2.0-or-later
"""The lock rows and several database hosts, on the single MariaDB: the
lock table is created by the first add, concurrent adds for one contact or
for two contacts sharing an address through both web servers make one
user, a db_host list skips a host that is down, a malformed list is a
configuration error, --check shows every host, and the round trips per
webhook are what the README says."""

import concurrent.futures
import os
import re
import subprocess

from mw import ACCESS_KEY


def users_with(t, email):
    return t.sql("SELECT ID FROM wp_users WHERE user_email=%s", (email,))


def done_rt(t, server, mark):
    """rt= of every done line since mark, in order."""
    return [int(x) for x in re.findall(r"\bdone action=.* rt=(\d+)", t.log_since(server, mark))]


def test_lock_table_created_by_the_first_add(t, server):
    assert t.sql("SHOW TABLES LIKE 'wp_mautic_wp_locks'") == ()
    t.contact(77, tags=["n"], email="New@Example.com", firstname="New")
    a = t.hook(server, "add", 77)
    assert a.status == 200 and a.outcome == "created", a
    rows = t.sql("SELECT lock_key, taken FROM wp_mautic_wp_locks ORDER BY lock_key")
    assert rows == (("c:77", 1), ("e:New@Example.com", 1)), rows
    engine = t.sql("SELECT engine FROM information_schema.tables WHERE table_schema ="
                   " 'wordpress' AND table_name = 'wp_mautic_wp_locks'")
    assert engine == (("InnoDB",),), engine
    # The next add changes the rows (a row left as it was gives a cluster
    # nothing to certify); the address's other spelling is the same row.
    t.contact(77, tags=["n"], email="new@example.COM", firstname="New")
    a = t.hook(server, "add", 77)
    assert a.status == 200 and a.outcome in ("updated", "unchanged"), a
    rows = t.sql("SELECT lock_key, taken FROM wp_mautic_wp_locks ORDER BY lock_key")
    assert [r[1] for r in rows] == [2, 2], rows
    assert len(users_with(t, "New@Example.com")) == 1


def test_lock_table_the_user_may_not_create_is_503(t, server):
    """Without CREATE and without the table: 503, nothing written, and the
    log says what to do."""
    t.contact(77, tags=["n"], email="new@example.com", firstname="New")
    before = t.checksum()
    t.sql("CREATE USER IF NOT EXISTS 'wpnc'@'127.0.0.1' IDENTIFIED BY 'wpncpw'")
    t.sql("GRANT SELECT, INSERT, UPDATE, DELETE ON wordpress.* TO 'wpnc'@'127.0.0.1'")
    try:
        t.config(wordpress__db_user="wpnc", wordpress__db_password="wpncpw")
        mark = t.log_mark(server)
        a = t.hook(server, "add", 77)
        log = t.log_since(server, mark)
    finally:
        t.sql("DROP USER IF EXISTS 'wpnc'@'127.0.0.1'")
    assert a.status in (500, 503), a
    assert t.checksum() == before
    assert "sql/mautic-wp-locks.sql" in log, log
test_lock_table_the_user_may_not_create_is_503.servers = ("apache",)


def test_concurrent_adds_make_one_user(t, server):
    """20 adds at once for one new contact, through both web servers, then
    20 for two contacts sharing one address: one user each time."""
    t.contact(601, tags=["a"], email="one@example.com", firstname="One")
    servers = ["apache", "nginx"]

    def add(i, cid):
        return t.call(servers[i % 2], {"wpf_action": "add", "contact_id": cid},
                      headers={"X-Access-Key": ACCESS_KEY})

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as ex:
        answers = list(ex.map(lambda i: add(i, 601), range(20)))
    assert all(a.status == 200 for a in answers), [a for a in answers if a.status != 200][:3]
    assert sum(a.outcome == "created" for a in answers) == 1, [a.outcome for a in answers]
    assert len(users_with(t, "one@example.com")) == 1

    t.contact(602, tags=["b"], email="shared@example.com", firstname="Two")
    t.contact(603, tags=["c"], email="SHARED@example.com", firstname="Three")
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as ex:
        answers = list(ex.map(lambda i: add(i, 602 + i % 2), range(20)))
    assert all(a.status == 200 for a in answers), [a for a in answers if a.status != 200][:3]
    assert sum(a.outcome == "created" for a in answers) == 1, [a.outcome for a in answers]
    assert len(users_with(t, "shared@example.com")) == 1
test_concurrent_adds_make_one_user.servers = ("apache",)  # uses both servers itself
test_concurrent_adds_make_one_user.volume = True  # valgrind: 40 processes at once


def test_db_host_list_skips_a_host_that_is_down(t, server):
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["x"], email="ann@example.com", firstname="Ann")
    port = t.env["MW_DB_PORT"]
    # Nothing listens on port 1: refused at once, the next host serves.
    t.config(wordpress__db_host=f"127.0.0.1:1, 127.0.0.1:{port}")
    a = t.hook(server, "update_tags", 42)
    assert a.status == 200 and a.outcome == "updated", a
    assert t.meta(uid, "mautic_tags") == 'a:1:{i:0;s:1:"x";}'
    t.contact(78, tags=[], email="other@example.com", firstname="Other")
    a = t.hook(server, "add", 78)
    assert a.status == 200 and a.outcome == "created", a
    # Every host down: 503, as with one.
    t.config(wordpress__db_host="127.0.0.1:1,127.0.0.1:2")
    before = t.checksum()
    a = t.hook(server, "update_tags", 42)
    assert a.status == 503 and a.headers.get("retry-after") == "30", a
    assert t.checksum() == before


def test_db_host_list_malformed_is_a_config_error(t, server):
    for bad in ("127.0.0.1:99999", "a,,b", "a:1,", "[::1", "a b:x",
                ",".join(f"h{i}" for i in range(9))):
        t.config(wordpress__db_host=bad)
        a = t.hook(server, "test")
        assert a.status == 500, (bad, a)
test_db_host_list_malformed_is_a_config_error.servers = ("apache",)


def test_round_trips_per_webhook(t, server):
    """The README's table: a CGI's update_tags (unchanged) is 9 round trips
    and add 19; a db_host list adds one per connection (the node's
    state)."""
    if t.mode != "cgi":
        return  # persistent counts depend on what each process prepared
    t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["x"], email="ann@example.com", firstname="Ann")
    for cid in (70, 71, 72):
        t.contact(cid, tags=["n"], email=f"n{cid}@example.com", firstname="N")
    port = t.env["MW_DB_PORT"]
    assert t.hook(server, "add", 70).status == 200  # creates the lock table
    assert t.hook(server, "update_tags", 42).outcome == "updated"
    mark = t.log_mark(server)
    assert t.hook(server, "update_tags", 42).outcome == "unchanged"
    assert t.hook(server, "add", 71).outcome == "created"
    t.config(wordpress__db_host=f"127.0.0.1:{port},127.0.0.1:1")
    assert t.hook(server, "update_tags", 42).outcome == "unchanged"
    assert t.hook(server, "add", 72).outcome == "created"
    assert done_rt(t, server, mark) == [9, 19, 10, 20]
test_round_trips_per_webhook.servers = ("apache",)


def test_check_shows_every_host(t, server):
    port = t.env["MW_DB_PORT"]
    t.config(wordpress__db_host=f"127.0.0.1:{port}, 127.0.0.1:1")
    p = subprocess.run([os.path.join(t.env["MW_CGI_DIR"], "mautic-wp.cgi"), "--check",
                        "--config", t.config_path], capture_output=True, text=True,
                       timeout=60)
    out = p.stdout
    assert re.search(rf"^ok   node      127\.0\.0\.1:{port}: up \(not a Galera node\)$", out,
                     re.M), out
    assert re.search(r"^FAIL node      127\.0\.0\.1:1: cannot connect", out, re.M), out
    assert re.search(rf"^ok   database  connected to wordpress as wp \(127\.0\.0\.1:{port}\)$",
                     out, re.M), out
    assert re.search(r"^ok   locks     wp_mautic_wp_locks does not exist yet", out, re.M), out
    assert p.returncode == 1, (p.returncode, out)
test_check_shows_every_host.servers = ("apache",)
