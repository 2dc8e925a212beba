# SPDX-License-Identifier: GPL-2.0-or-later
"""The contact index (--install-index / --remove-index, docs/storage.md):
made and dropped online, idempotent and reversible, reported by --check,
and invisible in what the program answers and writes: the same webhooks
give the same answers and rows with and without it, for users the program
linked and for users WP Fusion (or an admin) linked by hand."""

import json
import os
import re
import subprocess
import threading
import time

from mw import STACK, php_strlist

ONE = ("apache",)
INDEX = "mautic_wp_contact"


def run_cli(t, *args):
    env = {k: v for k, v in os.environ.items() if k != "GATEWAY_INTERFACE"}
    cmd = [os.path.join(t.env["MW_CGI_DIR"], "mautic-wp.cgi"), *args,
           "--config", t.config_path]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    return p.returncode, p.stdout, p.stderr


def indexes(t):
    """usermeta's indexes: name -> [columns in order]."""
    out = {}
    for name, col, seq in t.sql(
            "SELECT index_name, column_name, seq_in_index FROM"
            " information_schema.statistics WHERE table_schema = DATABASE()"
            " AND table_name = 'wp_usermeta' ORDER BY index_name, seq_in_index"):
        out.setdefault(name, []).append(col)
    return out


def index_line(t):
    rc, out, err = run_cli(t, "--check")
    m = re.search(r"^(ok|FAIL)\s+index\s+(.*)$", out, re.M)
    assert m, f"no index line in --check:\n{out}\n{err}"
    return m.group(1), m.group(2)


def test_index_install_is_idempotent_and_reversible(t, server):
    before = indexes(t)
    assert INDEX not in before
    status, text = index_line(t)
    assert status == "ok" and text.startswith("no contact index"), text

    rc, out, err = run_cli(t, "--install-index")
    assert rc == 0, (out, err)
    assert out.startswith(f"index {INDEX} created"), out
    after = indexes(t)
    assert after[INDEX] == ["meta_key", "meta_value"], after
    assert {k: v for k, v in after.items() if k != INDEX} == before

    rc, out, err = run_cli(t, "--install-index")
    assert rc == 0 and out.startswith("an index was already there"), (out, err)
    assert indexes(t) == after
    status, text = index_line(t)
    assert status == "ok" and text.startswith(f"contact lookups use index {INDEX}"), text

    rc, out, err = run_cli(t, "--remove-index")
    assert rc == 0 and out.startswith(f"index {INDEX} dropped"), (out, err)
    assert indexes(t) == before
    rc, out, err = run_cli(t, "--remove-index")
    assert rc == 0 and out.startswith("no index of ours to drop"), (out, err)
    assert indexes(t) == before


test_index_install_is_idempotent_and_reversible.servers = ONE


def test_index_of_another_plugin_is_used_and_kept(t, server):
    """Index WP MySQL For Speed's usermeta key leads with meta_key and
    meta_value: it serves our lookup, so nothing is added, and
    --remove-index leaves it alone."""
    t.sql("ALTER TABLE wp_usermeta ADD INDEX meta_key_value"
          " (meta_key(191), meta_value(32), user_id)")
    rc, out, err = run_cli(t, "--install-index")
    assert rc == 0 and out.startswith("an index was already there"), (out, err)
    assert INDEX not in indexes(t)
    status, text = index_line(t)
    assert text.startswith("contact lookups use index meta_key_value"), text
    rc, out, err = run_cli(t, "--remove-index")
    assert rc == 0 and out.startswith("no index of ours to drop"), (out, err)
    assert "meta_key_value" in indexes(t)


test_index_of_another_plugin_is_used_and_kept.servers = ONE


def normalised(ans):
    """An answer without what differs from run to run."""
    j = dict(ans.json or {})
    j.pop("request_id", None)
    return ans.status, json.dumps(j, sort_keys=True)


def site_rows(t):
    users = t.sql("SELECT ID, user_login, user_email, user_nicename, display_name"
                  " FROM wp_users ORDER BY ID")
    meta = t.sql("SELECT user_id, meta_key, meta_value FROM wp_usermeta"
                 " WHERE meta_key NOT IN ('session_tokens') ORDER BY umeta_id")
    return users, meta


def scenario(t, server, index):
    """Webhooks over users the program makes and users linked by hand: a
    WP Fusion link, a stale link of a deleted user below a live one, and
    two links of one contact (the lowest user wins)."""
    t.reset_db()
    if index:
        rc, out, err = run_cli(t, "--install-index")
        assert rc == 0 and INDEX in indexes(t), (out, err)
    t.emu_reset()
    for cid in (501, 502, 503, 504, 505):
        t.contact(cid, ["Members", f"T{cid}"], email=f"c{cid}@example.test",
                  firstname=f"First{cid}", lastname="Index")
    # Linked by WP Fusion: the contact id and its tags written by PHP.
    wpf = t.add_user("wpfuser", "c502@example.test", 502, php_strlist(["Old"]))
    # A stale link: a deleted user's meta row left behind, below a live user.
    ghost = t.add_user("ghost", "ghost@example.test", 503)
    t.sql("DELETE FROM wp_users WHERE ID = %s", (ghost,))
    live = t.add_user("liveuser", "c503@example.test", 503)
    # Two users for one contact: the lowest is the one.
    a = t.add_user("twin1", "twin1@example.test", 504)
    t.add_user("twin2", "twin2@example.test", 504)
    answers = [normalised(t.hook(server, "add", 501)),
               normalised(t.hook(server, "update_tags", 502)),
               normalised(t.hook(server, "update", 503)),
               normalised(t.hook(server, "update_tags", 504)),
               normalised(t.hook(server, "update_tags", 505)),
               normalised(t.hook(server, "add", 505)),
               normalised(t.hook(server, "update", 501))]
    assert all(st == 200 for st, _ in answers), answers
    assert t.meta(wpf, "mautic_tags") == php_strlist(["Members", "T502"])
    assert t.meta(live, "first_name") == "First503"
    assert t.meta(a, "mautic_tags") == php_strlist(["Members", "T504"])
    return answers, site_rows(t)


def test_index_changes_no_answer_and_no_row(t, server):
    without = scenario(t, server, False)
    with_index = scenario(t, server, True)
    assert INDEX in indexes(t)
    assert with_index[0] == without[0]
    assert with_index[1] == without[1]


def seed(t, n):
    p = subprocess.run([os.path.join(STACK, "seed-site.sh"), str(n), "1000000"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_index_is_built_online(t, server):
    """While the index is built over a seeded site, webhooks go on: each
    answers 200 well before the build ends (LOCK=NONE)."""
    seed(t, 30000)
    cids = [1000000 + 997 * k for k in range(20)]
    for cid in cids:
        t.contact(cid, ["Members"], email=f"member{cid}@seed.test",
                  firstname="Member", lastname=str(cid))
    box = {}

    def build():
        t0 = time.monotonic()
        box["rc"] = run_cli(t, "--install-index")
        box["t"] = (t0, time.monotonic())

    th = threading.Thread(target=build)
    th.start()
    # The ALTER has started once the server shows it.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not t.sql(
            "SELECT 1 FROM information_schema.processlist WHERE info LIKE"
            " 'ALTER TABLE wp_usermeta ADD INDEX%%'"):
        time.sleep(0.01)
    done = []
    for cid in cids:
        if not th.is_alive():
            break
        ans = t.hook(server, "update_tags", cid)
        assert ans.status == 200, ans
        done.append(time.monotonic())
    th.join()
    rc, out, err = box["rc"]
    assert rc == 0, (out, err)
    assert INDEX in indexes(t)
    during = [x for x in done if x < box["t"][1]]
    assert during, "no webhook was answered while the index was being built"


test_index_is_built_online.servers = ONE


def test_user_count_on_large_and_small_sites(t, server):
    """WordPress counts users live after a registration only on a site of
    at most 10,000 users; a larger site's user_count waits for WP-Cron.
    The COUNT() over a large users table is not paid either way."""
    t.contact(601, ["Members"], email="c601@example.test", firstname="A",
              lastname="B")
    t.contact(602, ["Members"], email="c602@example.test", firstname="C",
              lastname="D")
    t.sql("UPDATE wp_options SET option_value = '20000' WHERE option_name = 'user_count'")
    assert t.hook(server, "add", 601).outcome == "created"
    assert t.sql("SELECT option_value FROM wp_options WHERE"
                 " option_name = 'user_count'")[0][0] in ("20000", b"20000")
    t.sql("DELETE FROM wp_options WHERE option_name = 'user_count'")
    assert t.hook(server, "add", 602).outcome == "created"
    n = t.sql("SELECT COUNT(*) FROM wp_users")[0][0]
    rows = t.sql("SELECT option_value FROM wp_options WHERE option_name = 'user_count'")
    assert len(rows) == 1 and int(rows[0][0]) == n, rows


# Seeding and racing an index build: not for the slow memcheck run.
test_index_is_built_online.volume = True
