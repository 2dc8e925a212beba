# SPDX-License-Identifier: GPL-2.0-or-later
"""Bulk import (--import, docs/shell.md): a Mautic tag's contacts become users exactly as
add makes them; a second run changes nothing; a killed import resumes; a
dry run writes nothing."""

import json
import os
import signal
import subprocess

from mw import wait_until

ONE = ("apache",)


def seed(t, n, tag="member", start=1000):
    contacts = [{"id": start + i,
                 "fields": {"email": f"imp{i}@example.com", "firstname": f"F{i}",
                            "lastname": "Imported"},
                 "tags": [tag, f"group{i % 3}"] if i % 10 else ["other"]}
                for i in range(n)]
    t.emu("POST", "/_emu/contacts", {"contacts": contacts})
    return sum(1 for c in contacts if tag in c["tags"])


def run_import(t, *args, wait=True):
    env = {k: v for k, v in os.environ.items() if k != "GATEWAY_INTERFACE"}
    cmd = [os.path.join(t.env["MW_CGI_DIR"], "mautic-wp.cgi"), "--import",
           "--config", t.config_path, "--state", os.path.join(t.state, "import.state")]
    cmd += list(args)
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, text=True)
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    return p.returncode, json.loads(p.stdout.strip().splitlines()[-1]), p.stderr


def imported_users(t):
    return t.sql("SELECT COUNT(*) FROM wp_usermeta WHERE meta_key='mautic_contact_id'"
                 " AND meta_value >= '1000'")[0][0]


def test_import_counts_idempotence_and_dry_run(t, server):
    want = seed(t, 650)
    before = t.checksum()
    rc, s, _ = run_import(t, "--tag", "member", "--dry-run")
    assert rc == 0 and s["dry_run"] and s["total"] == want and s["created"] == want, s
    assert t.checksum() == before, "the dry run wrote"
    rc, s, err = run_import(t, "--tag", "member", "--role", "author")
    assert rc == 0 and s["total"] == want and s["created"] == want and s["done"] == want, \
        (s, err[-500:])
    assert imported_users(t) == want
    dups = t.sql("SELECT user_email FROM wp_users GROUP BY user_email HAVING COUNT(*) > 1")
    assert dups == ()
    uid = t.sql("SELECT ID FROM wp_users WHERE user_email='imp1@example.com'")[0][0]
    assert t.meta(uid, "wp_capabilities") == 'a:1:{s:6:"author";b:1;}'
    assert t.meta(uid, "first_name") == "F1"
    assert t.meta(uid, "mautic_tags") == 'a:2:{i:0;s:6:"group1";i:1;s:6:"member";}'
    assert t.mails() == [], "no welcome mails unless asked"
    gets = [r for r in t.emu_log() if r["path"].startswith("/api/contacts/")]
    assert gets == [], "the pages carry the contacts: no GET per contact"
    # Again: nothing new, nothing changed.
    cs = t.checksum()
    rc, s, _ = run_import(t, "--tag", "member", "--role", "author")
    assert rc == 0 and s["created"] == 0 and s["unchanged"] == want, s
    assert t.checksum() == cs
test_import_counts_idempotence_and_dry_run.servers = ONE


def test_import_resumes_after_a_kill(t, server):
    want = seed(t, 1500)
    state = os.path.join(t.state, "import.state")
    if os.path.exists(state):
        os.unlink(state)
    p = run_import(t, "--tag", "member", wait=False)
    wait_until(lambda: os.path.exists(state) or p.poll() is not None, 60,
               "the import to write its state file")
    p.send_signal(signal.SIGKILL)
    p.wait()
    partial = imported_users(t)
    assert 0 < partial < want, partial
    with open(state) as f:
        resumed_at = int(f.read().split("=")[1])
    assert resumed_at >= 200
    rc, s, _ = run_import(t, "--tag", "member")
    assert rc == 0, s
    assert imported_users(t) == want
    assert s["created"] + s["unchanged"] + s["updated"] == s["done"], s
    assert not os.path.exists(state), "a finished import removes its state"
    dups = t.sql("SELECT user_email FROM wp_users GROUP BY user_email HAVING COUNT(*) > 1")
    assert dups == ()
test_import_resumes_after_a_kill.servers = ONE
test_import_resumes_after_a_kill.volume = True
