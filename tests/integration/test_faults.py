# SPDX-License-Identifier: GPL-2.0-or-later
"""Faults: Mautic away, refusing, slow or broken; MariaDB stopped, killed
in the middle of an add, or holding locks too long.  Each gets its status
(502 or 504 for Mautic, 503 with Retry-After for the database) and leaves
the database as it was."""

import os
import signal
import subprocess
import threading
import time

from mw import ROOT, STACK, process_gone, wait_until

APACHE = ("apache",)


def seed(t):
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["a"], email="ann@example.com", firstname="Ann")
    t.contact(77, tags=["n"], email="new@example.com", firstname="New")
    return uid


def db_pid(t):
    with open(os.path.join(t.state, "db", "mysqld.pid")) as f:
        return int(f.read().strip())


def db_restart(t):
    subprocess.run([os.path.join(STACK, "db-up.sh")], check=True, capture_output=True)


def users_count(t):
    return t.sql("SELECT COUNT(*) FROM wp_users")[0][0]


def test_mautic_faults_for_every_action(t, server):
    """Refused connection, 5xx, truncated and non-JSON answers, an answer
    past the budget: 502/504 for update_tags, update and add alike."""
    seed(t)
    before = t.checksum()
    faults = [({"match": "^/api/contacts/", "status": 503}, 502),
              ({"match": "^/api/contacts/", "truncate": True}, 502),
              ({"match": "^/api/contacts/", "status": 200, "body": "Service Unavailable"}, 502),
              ({"match": "^/api/contacts/", "drop": True}, 502),
              ({"match": "^/api/contacts/", "delay_ms": 1500}, 504)]
    t.config(mautic__timeout_ms=700)
    for rule, status in faults:
        t.emu("DELETE", "/_emu/faults")
        t.fault(**rule)
        for action, cid in (("update_tags", 42), ("update", 42), ("add", 77)):
            a = t.hook(server, action, cid)
            assert a.status == status, (rule, action, a)
    t.emu("DELETE", "/_emu/faults")
    t.wait_emu_log(len(faults) * 3 - 3, timeout=5)
    # Nothing listens on the port at all.
    t.config(mautic__url="https://127.0.0.1:1")
    for action, cid in (("update_tags", 42), ("update", 42), ("add", 77)):
        a = t.hook(server, action, cid)
        assert a.status == 502, (action, a)
    assert t.checksum() == before


def test_database_stopped_is_503(t, server):
    seed(t)
    before = t.checksum()
    pid = db_pid(t)
    os.kill(pid, signal.SIGTERM)
    try:
        wait_until(lambda: process_gone(pid), 15, "MariaDB to exit after SIGTERM")
        for action, cid in (("update_tags", 42), ("update", 42), ("add", 77)):
            a = t.hook(server, action, cid)
            assert a.status == 503, (action, a)
            assert a.headers.get("retry-after") == "30", a.headers
            assert a.json["error"] == "database_unavailable", a
        assert t.hook(server, "test").status == 200, "test needs no database"
    finally:
        db_restart(t)
    assert t.checksum() == before


def hold_row_lock(t, seconds, ready):
    """Hold the user_count option row locked, as a long transaction would."""
    c = t.db()
    c.autocommit(False)
    with c.cursor() as cur:
        cur.execute("SELECT option_value FROM wp_options WHERE option_name='user_count'"
                    " FOR UPDATE")
        ready.set()
        time.sleep(seconds)
    try:
        c.rollback()
        c.close()
    except Exception:  # noqa: BLE001 - the server may have been killed
        pass


def test_mariadb_killed_in_the_middle_of_an_add(t, server):
    seed(t)
    n_users = users_count(t)
    n_meta = t.sql("SELECT COUNT(*) FROM wp_usermeta")[0][0]
    ready = threading.Event()
    holder = threading.Thread(target=hold_row_lock, args=(t, 30, ready), daemon=True)
    holder.start()
    assert ready.wait(5), "the user_count row was not locked"
    answer = {}
    add = threading.Thread(target=lambda: answer.update(a=t.hook(server, "add", 77)))
    add.start()
    try:
        # Once the add waits for the user_count row, it has inserted its
        # wp_users and usermeta rows: kill the server under it.  (The
        # process list, not innodb_trx: InnoDB refreshes that table only
        # when it was not read for 0.1 s, so fast polling keeps it stale.)
        wait_until(lambda: not add.is_alive() or
                   t.sql("SELECT COUNT(*) FROM information_schema.processlist"
                         " WHERE INFO LIKE 'UPDATE %%user_count%%'")[0][0] >= 1,
                   10, "the add to wait for the locked user_count row")
        assert add.is_alive(), f"the add did not wait for the lock: {answer}"
        os.kill(db_pid(t), signal.SIGKILL)
        add.join(20)
    finally:
        db_restart(t)
    a = answer["a"]
    assert a.status == 503, a
    assert users_count(t) == n_users, "a partial user survived the crash"
    assert t.sql("SELECT COUNT(*) FROM wp_usermeta")[0][0] == n_meta
    assert t.sql("SELECT COUNT(*) FROM wp_usermeta m LEFT JOIN wp_users u ON u.ID ="
                 " m.user_id WHERE u.ID IS NULL")[0][0] == 0
    # And the retry after recovery creates exactly one user.
    a = t.hook(server, "add", 77)
    assert a.status == 200 and a.outcome == "created", a
    assert users_count(t) == n_users + 1
test_mariadb_killed_in_the_middle_of_an_add.servers = APACHE


def test_lock_wait_timeout_is_503_and_rolls_back(t, server):
    seed(t)
    before = t.checksum()
    ready = threading.Event()
    holder = threading.Thread(target=hold_row_lock, args=(t, 8, ready), daemon=True)
    holder.start()
    assert ready.wait(5), "the user_count row was not locked"
    start = time.time()
    a = t.hook(server, "add", 77)
    took = time.time() - start
    holder.join(10)
    assert a.status == 503 and a.headers.get("retry-after") == "30", a
    assert 4 < took < 8, took   # innodb_lock_wait_timeout = 5 s, below Mautic's 10 s
    assert t.checksum() == before
test_lock_wait_timeout_is_503_and_rolls_back.servers = APACHE


def create_lock_table(t):
    with open(os.path.join(ROOT, "sql", "mautic-wp-locks.sql")) as f:
        t.sql(f.read())


def test_add_lock_held_elsewhere_is_503(t, server):
    """Another transaction holds the lock row of the contact or of its
    e-mail address: the add waits for it as long as a lock wait may last,
    then answers 503 and changes nothing; update_tags needs no lock row."""
    seed(t)
    create_lock_table(t)
    before = t.checksum()
    for key in ("c:77", "e:NEW@example.com"):
        c = t.db()
        c.autocommit(False)
        with c.cursor() as cur:
            cur.execute("INSERT INTO wp_mautic_wp_locks (lock_key, taken) VALUES (%s, 1)"
                        " ON DUPLICATE KEY UPDATE taken = taken + 1", (key,))
            start = time.time()
            a = t.hook(server, "add", 77)
            took = time.time() - start
        c.rollback()
        c.close()
        assert a.status == 503 and a.headers.get("retry-after") == "30", (key, a)
        assert 4 < took < 8, (key, took)
        assert t.checksum() == before
    # update_tags and update do not need that lock.
    assert t.hook(server, "update_tags", 42).status == 200
test_add_lock_held_elsewhere_is_503.servers = APACHE


def test_expired_token_and_refused_token_endpoint(t, server):
    seed(t)
    t.config(mautic__auth="oauth2", mautic__username=None, mautic__password=None,
             mautic__client_id="1_testclient", mautic__client_secret="testsecret")
    assert t.hook(server, "update_tags", 42).status == 200
    t.emu("POST", "/_emu/expire_tokens", {})
    t.fault(match="^/oauth/v2/token$", status=500)
    before = t.checksum()
    t.contact(42, tags=["b"], email="ann@example.com")
    a = t.hook(server, "update_tags", 42)
    assert a.status == 502, a
    assert t.checksum() == before
    paths = [r["path"] for r in t.emu_log()]
    assert paths[-2:] == ["/api/contacts/42", "/oauth/v2/token"], paths
test_mautic_faults_for_every_action.timing = True  # valgrind: depends on time budgets
test_mariadb_killed_in_the_middle_of_an_add.timing = True  # valgrind: depends on time budgets
test_lock_wait_timeout_is_503_and_rolls_back.timing = True  # valgrind: depends on time budgets
test_add_lock_held_elsewhere_is_503.timing = True  # valgrind: depends on time budgets
