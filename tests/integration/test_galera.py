# SPDX-License-Identifier: GPL-2.0-or-later
"""Several web servers on a Galera cluster: the three nodes of
tests/stack/galera-up.sh, Apache's config listing node 1 first and nginx's
node 2 first (the /galera/ locations).  Concurrent adds for one contact, or
for two contacts sharing an address, spread over both servers and so over
two nodes, make one user on every node; 300 mixed webhooks leave every
node equal to the emulator's state; a node killed under load loses no
webhook of the other server, leaves nothing partial, and rejoins
consistent.  Skipped (a failure under CI=true) when the nodes are not
running."""

import concurrent.futures
import contextlib
import os
import random
import re
import signal
import subprocess
import threading
import time
import urllib.parse

import pymysql

from mw import ACCESS_KEY, STACK, WEBHOOK_SECRET, Skip, php_strlist, process_gone, wait_until
from test_load import N_CONTACTS, contact_state, put, request

SERVERS = ("apache", "nginx")
# Each server's own node first, then the others.
ORDER = {"apache": (1, 2, 3), "nginx": (2, 3, 1)}


def galera_env(t):
    path = os.path.join(t.state, "galera", "galera.env")
    if not os.path.exists(path):
        raise Skip("no Galera nodes: run tests/stack/galera-up.sh")
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.strip().split("=", 1)
                env[k] = v
    return env


def node_db(g, n, autocommit=True):
    return pymysql.connect(unix_socket=g[f"MW_GALERA_NODE{n}_SOCKET"], user="root",
                           password="rootpw", database="wordpress", charset="utf8mb4",
                           autocommit=autocommit, connect_timeout=3)


def node_sql(g, n, query, args=None):
    """A query on node n, after the node has applied everything the
    cluster committed before it (wsrep_sync_wait)."""
    with node_db(g, n) as c, c.cursor() as cur:
        cur.execute("SET SESSION wsrep_sync_wait = 1")
        cur.execute(query, args)
        return cur.fetchall()


def node_state(g, n):
    try:
        rows = node_sql(g, n, "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'")
        return rows[0][1]
    except pymysql.MySQLError:
        return None


def cluster_up(t):
    """The nodes' env, the nodes Synced, the WordPress database reloaded
    and both servers' configs written; or Skip."""
    g = galera_env(t)
    states = {n: node_state(g, n) for n in (1, 2, 3)}
    if any(s != "Synced" for s in states.values()):
        raise Skip(f"the Galera nodes are not all Synced: {states}")
    subprocess.run([os.path.join(STACK, "db-reset.sh")], check=True, capture_output=True,
                   env=dict(os.environ, MW_RESET_SOCKET=g["MW_GALERA_NODE1_SOCKET"]))
    wait_until(lambda: all(node_sql(g, n, "SELECT COUNT(*) FROM wp_options")[0][0] > 0
                           for n in (2, 3)), 10, "the reload to reach nodes 2 and 3")
    for server, order in ORDER.items():
        hosts = ", ".join(f"127.0.0.1:{g[f'MW_GALERA_NODE{n}_PORT']}" for n in order)
        saved = t.config_path
        t.config_path = os.path.join(t.state, "etc", f"galera-{server}.conf")
        try:
            t.config(wordpress__db_host=hosts, webhook__secret=WEBHOOK_SECRET, log__level="debug")
        finally:
            t.config_path = saved
    return g


@contextlib.contextmanager
def galera_urls(t):
    """t.call() through the /galera/ locations of both servers."""
    saved = dict(t.urls)
    for k in t.urls:
        u = urllib.parse.urlsplit(t.urls[k])
        t.urls[k] = u._replace(path="/galera" + u.path).geturl()
    try:
        yield
    finally:
        t.urls.update(saved)


def add(t, server, cid):
    return t.call(server, {"wpf_action": "add", "contact_id": cid},
                  headers={"X-Access-Key": ACCESS_KEY})


def node_fingerprint(g, n):
    """Users and usermeta of node n, without ids that differ by design
    (auto-increment steps per node are the same rows either way)."""
    users = node_sql(g, n, "SELECT ID, user_login, user_email, user_nicename, display_name"
                     " FROM wp_users ORDER BY ID")
    meta = node_sql(g, n, "SELECT umeta_id, user_id, meta_key, meta_value FROM wp_usermeta"
                    " ORDER BY umeta_id")
    return users, meta


def assert_nodes_equal(g):
    prints = {n: node_fingerprint(g, n) for n in (1, 2, 3)}
    assert prints[1] == prints[2] == prints[3], {n: (len(p[0]), len(p[1]))
                                                 for n, p in prints.items()}
    return prints[1]


def assert_whole_users(g, n):
    """No duplicate address or contact, no usermeta without its user, and
    every user with its capabilities and contact link (nothing partial)."""
    assert node_sql(g, n, "SELECT user_email FROM wp_users GROUP BY user_email"
                    " HAVING COUNT(*) > 1") == ()
    assert node_sql(g, n, "SELECT meta_value FROM wp_usermeta WHERE meta_key ="
                    " 'mautic_contact_id' GROUP BY meta_value HAVING COUNT(*) > 1") == ()
    assert node_sql(g, n, "SELECT COUNT(*) FROM wp_usermeta m LEFT JOIN wp_users u"
                    " ON u.ID = m.user_id WHERE u.ID IS NULL")[0][0] == 0
    # (user 1 is the site's administrator, not a contact)
    assert node_sql(g, n, "SELECT u.ID FROM wp_users u WHERE u.ID > 1 AND (SELECT COUNT(*) FROM"
                    " wp_usermeta m WHERE m.user_id = u.ID AND m.meta_key IN"
                    " ('wp_capabilities', 'mautic_contact_id')) < 2") == ()


def large_site(g):
    """user_count over 10,000: add leaves the count to WP-Cron, as WordPress
    does, so no shared row makes two nodes' creations conflict by chance
    and only the lock rows keep a contact to one user (a binary with
    node-local GET_LOCK made two users for about a third of the contacts
    here)."""
    node_sql(g, 1, "UPDATE wp_options SET option_value = '20000' WHERE option_name ="
             " 'user_count'")


def test_galera_20_adds_for_one_contact_on_two_nodes(t, server):
    g = cluster_up(t)
    large_site(g)
    for cid in range(500, 505):
        t.contact(cid, tags=["a", "b"], email=f"solo{cid}@example.com", firstname="Solo")
        with galera_urls(t), concurrent.futures.ThreadPoolExecutor(max_workers=20) as ex:
            answers = list(ex.map(lambda i: add(t, SERVERS[i % 2], cid), range(20)))
        assert all(a.status == 200 for a in answers), [a for a in answers if a.status != 200][:3]
        assert sum(a.outcome == "created" for a in answers) == 1, [a.outcome for a in answers]
        for n in (1, 2, 3):
            assert len(node_sql(g, n, "SELECT ID FROM wp_users WHERE user_email = %s",
                                (f"solo{cid}@example.com",))) == 1, (cid, n)
    for n in (1, 2, 3):
        assert_whole_users(g, n)
    assert_nodes_equal(g)
test_galera_20_adds_for_one_contact_on_two_nodes.servers = ("apache",)  # both, itself
test_galera_20_adds_for_one_contact_on_two_nodes.volume = True


def test_galera_20_adds_for_two_contacts_sharing_an_address(t, server):
    g = cluster_up(t)
    large_site(g)
    for k in range(3):
        left, right = 510 + 2 * k, 511 + 2 * k
        t.contact(left, tags=["a"], email=f"pair{k}@example.com", firstname="Left")
        t.contact(right, tags=["b"], email=f"Pair{k}@Example.com", firstname="Right")
        with galera_urls(t), concurrent.futures.ThreadPoolExecutor(max_workers=20) as ex:
            answers = list(ex.map(lambda i: add(t, SERVERS[i % 2], left + (i // 2) % 2),
                                  range(20)))
        assert all(a.status == 200 for a in answers), [a for a in answers if a.status != 200][:3]
        assert sum(a.outcome == "created" for a in answers) == 1, [a.outcome for a in answers]
        for n in (1, 2, 3):
            assert len(node_sql(g, n, "SELECT ID FROM wp_users WHERE user_email = %s",
                                (f"pair{k}@example.com",))) == 1, (k, n)
    assert_nodes_equal(g)
test_galera_20_adds_for_two_contacts_sharing_an_address.servers = ("apache",)
test_galera_20_adds_for_two_contacts_sharing_an_address.volume = True


def test_galera_first_tags_of_a_user_on_two_nodes(t, server):
    """A user without tags gets its first ones from 10 concurrent
    update_tags and update webhooks over both servers: one mautic_tags row,
    not one per node (each node's row lock on wp_users is its own; a binary
    that relied on it alone left two rows for one user or two of the 12)."""
    g = cluster_up(t)
    # (the tag names known already: a new name changes WP Fusion's
    # available_tags, one option row every webhook would then write)
    t.contact(529, tags=["t1", "t2"], email="known@example.com")
    for cid in range(530, 542):
        t.contact(cid, tags=[], email=f"first{cid}@example.com", firstname="First")
    with galera_urls(t):
        assert add(t, "apache", 529).outcome == "created"
        for cid in range(530, 542):
            assert add(t, SERVERS[cid % 2], cid).outcome == "created"
    for cid in range(530, 542):
        t.contact(cid, tags=["t1", "t2"], email=f"first{cid}@example.com", firstname="First")

    def one(i, cid):
        return t.call(SERVERS[i % 2], {"wpf_action": "update_tags" if i % 3 else "update",
                                       "contact_id": cid}, headers={"X-Access-Key": ACCESS_KEY})
    with galera_urls(t), concurrent.futures.ThreadPoolExecutor(max_workers=10) as ex:
        for cid in range(530, 542):
            answers = list(ex.map(lambda i: one(i, cid), range(10)))
            assert all(a.status == 200 for a in answers), [a for a in answers
                                                           if a.status != 200][:3]
    for n in (1, 2, 3):
        rows = node_sql(g, n, "SELECT u.user_email, COUNT(*) FROM wp_users u JOIN wp_usermeta m"
                        " ON m.user_id = u.ID AND m.meta_key = 'mautic_tags' WHERE u.user_email"
                        " LIKE 'first%%' GROUP BY u.ID")
        assert len(rows) == 12 and all(c == 1 for _, c in rows), (n, rows)
    assert_nodes_equal(g)
test_galera_first_tags_of_a_user_on_two_nodes.servers = ("apache",)


def run_mixed(t, n_total, on_progress=None):
    """n_total mixed webhooks at c=8 over both servers while Mautic's data
    changes, then one add per contact; returns (answers with their server
    and seconds, the final state)."""
    rng = random.Random(20261207)
    state = {i: contact_state(rng, i, 0, "gal") for i in range(1, N_CONTACTS + 1)}
    for i, st in state.items():
        put(t, i, st)
    stop = threading.Event()
    lock = threading.Lock()
    done = [0]

    def mutate():
        gen, mr = 0, random.Random(11)
        while not stop.is_set():
            gen += 1
            i = mr.randint(1, N_CONTACTS)
            with lock:
                state[i] = contact_state(mr, i, gen, "gal")
                put(t, i, state[i])
            stop.wait(0.01)

    def one(job):
        k, (kind, cid) = job
        srv = SERVERS[k % 2]
        start = time.monotonic()
        a = request(t, random.Random(k), kind, cid, srv)
        with lock:
            done[0] += 1
            if on_progress:
                on_progress(done[0])
        return srv, a, time.monotonic() - start

    mutator = threading.Thread(target=mutate, daemon=True)
    mutator.start()
    kinds = ["campaign_get"] * 5 + ["form_post"] * 3 + ["signed_batch"] * 2
    jobs = [(rng.choice(kinds), rng.randint(1, N_CONTACTS)) for _ in range(n_total - N_CONTACTS)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        answers = list(ex.map(one, enumerate(jobs)))
    stop.set()
    mutator.join()
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        answers += list(ex.map(lambda i: (SERVERS[i % 2], add(t, SERVERS[i % 2], i), 0.0),
                               range(1, N_CONTACTS + 1)))
    return answers, state


def assert_state(g, n, state):
    for i, st in state.items():
        rows = node_sql(g, n, "SELECT ID FROM wp_users WHERE user_email=%s", (st["email"],))
        assert len(rows) == 1, (n, i, rows)
        uid = rows[0][0]

        def meta(key):
            r = node_sql(g, n, "SELECT meta_value FROM wp_usermeta WHERE user_id=%s AND"
                         " meta_key=%s", (uid, key))
            assert len(r) <= 1, (n, i, key, r)
            return r[0][0] if r else None
        assert meta("mautic_contact_id") == str(i), (n, i)
        want = php_strlist(st["tags"]) if st["tags"] else None
        assert meta("mautic_tags") == want, (n, i, st, meta("mautic_tags"))
        assert meta("first_name") == st["firstname"], (n, i)
        assert meta("last_name") == st["lastname"], (n, i)


def test_galera_300_mixed_webhooks_on_two_servers(t, server):
    g = cluster_up(t)
    with galera_urls(t):
        answers, state = run_mixed(t, 300)
    bad = [(s, a) for s, a, _ in answers if a.status != 200]
    assert not bad, (len(bad), bad[:3])
    for n in (1, 2, 3):
        assert_whole_users(g, n)
        assert_state(g, n, state)
    assert_nodes_equal(g)
test_galera_300_mixed_webhooks_on_two_servers.servers = ("apache",)
test_galera_300_mixed_webhooks_on_two_servers.volume = True


def test_galera_node_killed_during_a_load(t, server):
    """Node 1 (Apache's first host) is killed with SIGKILL a third of the
    way through: Apache's webhooks go on through nodes 2 and 3 (an answer
    cut by the kill may be a clean 503 with Retry-After), nginx's (node 2
    first) all succeed through the stall while the cluster evicts the
    node, nothing partial is written, and node 1 rejoins consistent."""
    g = cluster_up(t)
    pidfile = g["MW_GALERA_NODE1_PID"]
    with open(pidfile) as f:
        leader = int(f.read().strip())
    # start_group's pid is the shell that exec'd mariadbd: the server.
    killed = threading.Event()

    def progress(n):
        if n == 90 and not killed.is_set():
            killed.set()
            os.kill(leader, signal.SIGKILL)

    try:
        with galera_urls(t):
            answers, state = run_mixed(t, 260, progress)
        assert killed.is_set()
        wait_until(lambda: process_gone(leader), 10, "node 1 to exit")
        bad = [(s, a.status, a.headers.get("retry-after"), round(took, 1))
               for s, a, took in answers if a.status != 200]
        # Only requests cut by the kill may fail, and only cleanly.
        assert all(s == "apache" and st == 503 and ra == "30" for s, st, ra, _ in bad), bad
        assert len(bad) <= 8, bad
        slow = max(took for s, a, took in answers if s == "nginx")
        print(f"    node 1 killed: {len(bad)} clean 503 of {len(answers)}, nginx's slowest"
              f" answer {slow:.1f} s")
        for n in (2, 3):
            assert_whole_users(g, n)
            assert_state(g, n, state)
    finally:
        subprocess.run([os.path.join(STACK, "galera-up.sh"), "1"], check=True,
                       capture_output=True)
    assert node_state(g, 1) == "Synced"
    assert_whole_users(g, 1)
    assert_state(g, 1, state)
    assert_nodes_equal(g)
    # Apache's webhooks use node 1 again.
    mark = t.log_mark("apache")
    with galera_urls(t):
        assert add(t, "apache", 1).status == 200
    assert "lost" not in t.log_since("apache", mark)
test_galera_node_killed_during_a_load.servers = ("apache",)
test_galera_node_killed_during_a_load.volume = True
test_galera_node_killed_during_a_load.timing = True


def kill_node(g, n):
    with open(g[f"MW_GALERA_NODE{n}_PID"]) as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: process_gone(pid), 10, f"node {n} to exit")


def test_galera_node_killed_under_a_transaction(t, server):
    """An add waits on node 1 for a lock row another transaction holds
    there; node 1 is killed: the add's transaction is lost with it and runs
    again on node 2 (Mautic is not asked again), one user, answer 200."""
    g = cluster_up(t)
    t.contact(76, tags=[], email="first@example.com", firstname="First")
    t.contact(77, tags=["n"], email="moved@example.com", firstname="Moved")
    with galera_urls(t):
        assert add(t, "apache", 76).status == 200  # creates the lock table
    holder = node_db(g, 1, autocommit=False)
    with holder.cursor() as cur:
        cur.execute("INSERT INTO wp_mautic_wp_locks (lock_key, taken) VALUES ('c:77', 1)"
                    " ON DUPLICATE KEY UPDATE taken = taken + 1")
    t.emu_log_clear()
    answer = {}

    def call():
        with galera_urls(t):
            answer["a"] = add(t, "apache", 77)

    th = threading.Thread(target=call)
    th.start()
    try:
        wait_until(lambda: not th.is_alive() or node_sql(
            g, 1, "SELECT COUNT(*) FROM information_schema.processlist WHERE INFO LIKE"
            " 'INSERT INTO wp_mautic_wp_locks%%' AND USER = 'wp'")[0][0] >= 1,
            10, "the add to wait for the lock row on node 1")
        assert th.is_alive(), answer
        kill_node(g, 1)
        th.join(20)
    finally:
        try:
            holder.close()
        except Exception:  # noqa: BLE001 - its server was killed
            pass
        subprocess.run([os.path.join(STACK, "galera-up.sh"), "1"], check=True,
                       capture_output=True)
    a = answer["a"]
    assert a.status == 200 and a.outcome == "created", a
    assert [r["path"] for r in t.emu_log()] == ["/api/contacts/77"]
    for n in (1, 2, 3):
        assert len(node_sql(g, n, "SELECT ID FROM wp_users WHERE user_email ="
                            " 'moved@example.com'")) == 1, n
        assert_whole_users(g, n)
    assert_nodes_equal(g)
test_galera_node_killed_under_a_transaction.servers = ("apache",)
test_galera_node_killed_under_a_transaction.timing = True


def test_galera_node_not_synced_is_skipped(t, server):
    """Node 1 desynced (as during a backup or a state transfer it donates):
    Apache's webhooks go to node 2, and --check shows node 1 failing."""
    g = cluster_up(t)
    t.contact(81, tags=["d"], email="desync@example.com", firstname="De")
    node_sql(g, 1, "SET GLOBAL wsrep_desync = ON")
    try:
        wait_until(lambda: node_state(g, 1) != "Synced", 10, "node 1 to leave Synced")
        mark = t.log_mark("apache")
        with galera_urls(t):
            a = add(t, "apache", 81)
        log = t.log_since("apache", mark)
        conf = os.path.join(t.state, "etc", "galera-apache.conf")
        p = subprocess.run([os.path.join(t.env["MW_CGI_DIR"], "mautic-wp.cgi"), "--check",
                            "--config", conf], capture_output=True, text=True, timeout=60)
    finally:
        node_sql(g, 1, "SET GLOBAL wsrep_desync = OFF")
        wait_until(lambda: node_state(g, 1) == "Synced", 20, "node 1 to be Synced again")
    assert a.status == 200 and a.outcome == "created", a
    port1, port2 = g["MW_GALERA_NODE1_PORT"], g["MW_GALERA_NODE2_PORT"]
    assert f"127.0.0.1:{port1} is not ready (Donor/Desynced, Primary): next host" in log, log
    assert re.search(rf"^FAIL node      127\.0\.0\.1:{port1}: Donor/Desynced, Primary, cluster"
                     r" size 3: not ready", p.stdout, re.M), p.stdout
    assert re.search(rf"^ok   database  connected to wordpress as wp \(127\.0\.0\.1:{port2}\)$",
                     p.stdout, re.M), p.stdout
    assert p.returncode == 1, p.stdout
test_galera_node_not_synced_is_skipped.servers = ("apache",)


def test_galera_check_shows_every_node(t, server):
    g = cluster_up(t)
    conf = os.path.join(t.state, "etc", "galera-nginx.conf")
    p = subprocess.run([os.path.join(t.env["MW_CGI_DIR"], "mautic-wp.cgi"), "--check",
                        "--config", conf], capture_output=True, text=True, timeout=60)
    for n in (2, 3, 1):
        port = g[f"MW_GALERA_NODE{n}_PORT"]
        assert re.search(rf"^ok   node      127\.0\.0\.1:{port}: Synced, Primary, cluster"
                         r" size 3$", p.stdout, re.M), p.stdout
    port = g["MW_GALERA_NODE2_PORT"]
    assert re.search(rf"^ok   database  connected to wordpress as wp \(127\.0\.0\.1:{port}\)$",
                     p.stdout, re.M), p.stdout
test_galera_check_shows_every_node.servers = ("apache",)
