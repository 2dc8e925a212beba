# SPDX-License-Identifier: GPL-2.0-or-later
"""add and update: users that WordPress itself accepts, mapped
fields, roles and the security rules, passwords, the welcome mail, and no
duplicates under concurrency.  Proven against a real WordPress 6.1.9."""

import concurrent.futures
import json
import os
import re
import subprocess

from mw import ACCESS_KEY, php_strlist

APACHE = ("apache",)


def jane(t, cid=42, tags=("customer", "wp-member"), **extra):
    fields = {"email": "jane.doe@example.com", "firstname": "Jane", "lastname": "Doe"}
    fields.update(extra)
    t.contact(cid, tags=list(tags), **{k: v for k, v in fields.items() if v is not None})


def user_row(t, uid):
    rows = t.sql("SELECT user_login, user_pass, user_nicename, user_email, user_url,"
                 " user_activation_key, display_name, user_status FROM wp_users"
                 " WHERE ID=%s", (uid,))
    assert rows, f"no user {uid}"
    return rows[0]


def meta_rows(t, uid):
    return [(k, v.decode() if isinstance(v, bytes) else v) for k, v in
            t.sql("SELECT meta_key, meta_value FROM wp_usermeta WHERE user_id=%s"
                  " ORDER BY umeta_id", (uid,))]


def users_with_email(t, email):
    return t.sql("SELECT ID FROM wp_users WHERE user_email=%s", (email,))


def add_custom_field(t, alias, ftype="text"):
    t.emu("POST", "/_emu/fields", {"alias": alias, "type": ftype, "group": "core",
                                   "label": alias})


def test_add_with_mapped_password_logs_in(t, server):
    add_custom_field(t, "wp_password")
    t.config(fields__user_pass="wp_password")
    jane(t, wp_password="S3cret pass!")
    a = t.hook(server, "add", 42)
    assert a.status == 200, a
    r = a.results[0]
    assert r["outcome"] == "created" and r["role"] == "subscriber", a
    uid = r["user_id"]
    login, pw = user_row(t, uid)[0], user_row(t, uid)[1]
    assert login == "jane.doe@example.com", login
    assert pw.startswith("$P$B") and len(pw) == 34, pw
    assert t.wp_login(login, "S3cret pass!"), "WordPress refused the mapped password"
    assert not t.wp_login(login, "wrong")
    assert t.meta(uid, "default_password_nag") is None
    assert "S3cret" not in a.raw


def test_wordpress_sees_role_caps_tags_and_contact(t, server):
    jane(t)
    a = t.hook(server, "add", 42, role="author")
    assert a.status == 200 and a.outcome == "created", a
    u = t.wp_cli("user", "jane.doe@example.com")
    assert u["roles"] == ["author"], u
    assert u["caps"] == {"author": True}, u
    assert str(u["user_level"]) == "2", u
    assert u["meta"]["mautic_contact_id"] == "42", u
    assert u["meta"]["mautic_tags"] == ["customer", "wp-member"], u
    assert u["meta"]["first_name"] == "Jane" and u["meta"]["last_name"] == "Doe", u
    assert u["display_name"] == "Jane Doe" and u["user_nicename"] == \
        "jane-doeexample-com", u
    assert t.wp_cli("wpf-tags", "jane.doe@example.com") == ["customer", "wp-member"]
    opt = t.sql("SELECT option_value FROM wp_options WHERE option_name='user_count'")
    assert opt[0][0] in ("2", b"2"), opt
test_wordpress_sees_role_caps_tags_and_contact.servers = APACHE


def test_generated_password_welcome_mail_and_reset_link(t, server):
    jane(t)
    mark = t.log_mark(server)
    a = t.hook(server, "add", 42, send_notification="true")
    assert a.status == 200 and a.outcome == "created", a
    uid = a.results[0]["user_id"]
    assert t.meta(uid, "default_password_nag") == "1"
    mails = t.mails()
    assert len(mails) == 1, mails
    m = mails[0]
    assert m["rcpt_tos"] == ["jane.doe@example.com"], m
    assert "Subject: [Test Site] Login Details" in m["data"], m["data"]
    link = re.search(r"(http://\S+/wp-login\.php\?action=rp&key=(\w+)&login=(\S+))\r?\n",
                     m["data"])
    assert link, m["data"]
    key = link.group(2)
    stored = user_row(t, uid)[5]
    assert re.match(r"^\d+:\$P\$B.{30}$", stored), stored
    assert key not in stored
    assert t.wp_cli("check-reset-key", "jane.doe@example.com", key)["ok"] is True
    assert t.wp_reset_password("jane.doe@example.com", key, "N3w-password-42")
    assert t.wp_login("jane.doe@example.com", "N3w-password-42")
    log = t.log_since(server, mark)
    assert key not in log


def test_no_mail_without_notification(t, server):
    jane(t)
    a = t.hook(server, "add", 42)
    assert a.outcome == "created", a
    assert t.mails() == []
    assert user_row(t, a.results[0]["user_id"])[5] == ""
test_no_mail_without_notification.servers = APACHE


def test_send_welcome_email_option_and_sendmail_transport(t, server):
    out = os.path.join(t.state, "mailout")
    os.makedirs(out, exist_ok=True)
    os.chown(out, 33, 33)
    script = os.path.join(t.state, "etc", "sendmail-sink")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n# args: -oi -- RCPT\nprintf '%s\\n' \"$*\" > "
                f"{out}/args\ncat > {out}/message\n")
    os.chmod(script, 0o755)
    t.config(mail__transport="sendmail", mail__sendmail=script, mail__smtp_url=None,
             webhook__send_welcome_email="yes")
    jane(t)
    a = t.hook(server, "add", 42)
    assert a.status == 200 and a.outcome == "created", a
    assert "note" not in a.results[0], a
    args = open(os.path.join(out, "args")).read()
    assert args.strip() == "-oi -- jane.doe@example.com", args
    msg = open(os.path.join(out, "message")).read()
    assert "Subject: [Test Site] Login Details" in msg and "action=rp&key=" in msg, msg
test_send_welcome_email_option_and_sendmail_transport.servers = APACHE


def test_generated_password_returned_to_mautic(t, server):
    add_custom_field(t, "wp_password")
    t.config(webhook__return_password_field="wp_password")
    jane(t)
    mark = t.log_mark(server)
    a = t.hook(server, "add", 42)
    assert a.status == 200 and a.outcome == "created", a
    patches = [r for r in t.emu_log() if r["method"] == "PATCH"]
    assert len(patches) == 1 and patches[0]["path"] == "/api/contacts/42/edit", patches
    pw = json.loads(patches[0]["body"])["wp_password"]
    assert len(pw) >= 16, pw
    assert t.emu("GET", "/_emu/contacts/42")["fields"]["wp_password"] == pw
    assert t.wp_login("jane.doe@example.com", pw)
    assert pw not in a.raw and pw not in t.log_since(server, mark)
    # A second add for the same contact updates and returns nothing.
    t.emu_log_clear()
    a = t.hook(server, "add", 42)
    assert a.outcome in ("unchanged", "updated"), a
    assert [r for r in t.emu_log() if r["method"] == "PATCH"] == []


def test_mautic_refusing_the_password_leaves_the_user(t, server):
    add_custom_field(t, "wp_password")
    t.config(webhook__return_password_field="wp_password")
    jane(t)
    t.fault(match="/edit$", method="PATCH", status=500)
    mark = t.log_mark(server)
    a = t.hook(server, "add", 42)
    assert a.status == 200 and a.outcome == "created", a
    assert "could not be returned" in a.results[0]["note"], a
    uid = a.results[0]["user_id"]
    assert user_row(t, uid)[0] == "jane.doe@example.com"
    patch = [r for r in t.emu_log() if r["method"] == "PATCH"][0]
    pw = json.loads(patch["body"])["wp_password"]
    assert pw not in t.log_since(server, mark)
test_mautic_refusing_the_password_leaves_the_user.servers = APACHE


def test_add_existing_contact_or_email_never_duplicates(t, server):
    jane(t)
    a1 = t.hook(server, "add", 42)
    a2 = t.hook(server, "add", 42)
    assert a1.outcome == "created" and a2.outcome in ("unchanged", "updated"), (a1, a2)
    assert a1.results[0]["user_id"] == a2.results[0]["user_id"]
    # Mautic merged: a new contact id with the same e-mail is linked.
    jane(t, cid=99)
    a3 = t.hook(server, "add", 99)
    assert a3.outcome == "updated" and a3.results[0]["user_id"] == a1.results[0]["user_id"], a3
    assert t.meta(a1.results[0]["user_id"], "mautic_contact_id") == "99"
    assert len(users_with_email(t, "jane.doe@example.com")) == 1


def test_parity_with_wp_insert_user(t, server):
    """The same person made by WordPress and by the CGI: identical rows
    apart from ids, hashes, dates and our own keys."""
    add_custom_field(t, "wp_password")
    t.config(fields__user_pass="wp_password", fields__user_login="wp_login",
             fields__nickname=None)
    add_custom_field(t, "wp_login")
    cases = [("Jane", "O'Doe & Co"), ("Zoë", ""), ("", "Smith"), ("", "")]
    for i, (first, last) in enumerate(cases):
        login_php, login_c = f"php.user{i}", f"c.user{i}"
        wp = t.wp_cli("create-user", login_php, "pw-php-1234", f"p{i}@example.com",
                      "subscriber", first, last)
        t.contact(100 + i, tags=[], email=f"c{i}@example.com", firstname=first or None,
                  lastname=last or None, wp_password="pw-c-1234", wp_login=login_c)
        a = t.hook(server, "add", 100 + i)
        assert a.outcome == "created", a
        uid_c, uid_p = a.results[0]["user_id"], int(wp["ID"])
        rp, rc = list(user_row(t, uid_p)), list(user_row(t, uid_c))
        for row, login in ((rp, login_php), (rc, login_c)):
            row[1] = "HASH"
            row[0] = row[0].replace(login, "LOGIN")
            row[2] = row[2].replace(login.replace(".", "-"), "NICE")
            row[3] = "EMAIL"
            row[6] = row[6].replace(login, "LOGIN")
        assert rp == rc, (first, last, rp, rc)
        ours = ("mautic_contact_id", "mautic_tags")
        mp = [(k, v.replace(login_php, "LOGIN")) for k, v in meta_rows(t, uid_p)
              if k not in ours and k != "dismissed_wp_pointers"]
        mc = [(k, v.replace(login_c, "LOGIN")) for k, v in meta_rows(t, uid_c)
              if k not in ours]
        assert mp == mc, (first, last, mp, mc)
test_parity_with_wp_insert_user.servers = APACHE


def test_update_changes_exactly_the_mapped_fields(t, server):
    add_custom_field(t, "plan")
    add_custom_field(t, "site")
    t.config(fields__membership_plan="plan", fields__user_url="site",
             fields__description=None)
    jane(t, plan="gold", site="example.org/jane")
    a = t.hook(server, "add", 42)
    uid = a.results[0]["user_id"]
    assert t.meta(uid, "membership_plan") == "gold"
    assert user_row(t, uid)[4] == "http://example.org/jane"
    t.sql("INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (%s, 'other', 'keep')",
          (uid,))
    before = {k: v for k, v in meta_rows(t, uid)}
    # Mautic changes the first name and the plan, blanks the last name.
    t.contact(42, tags=["customer", "wp-member"], email="jane.doe@example.com",
              firstname="Janet & Co <b>x</b>", plan="silver", site="example.org/jane")
    a = t.hook(server, "update", 42)
    assert a.status == 200 and a.outcome == "updated", a
    after = {k: v for k, v in meta_rows(t, uid)}
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed == {"first_name", "membership_plan"}, (changed, before, after)
    assert after["first_name"] == "Janet &amp; Co x", after
    assert after["last_name"] == "Doe", "an empty Mautic value must not clear WordPress's"
    assert user_row(t, uid)[6] == "Jane Doe", "display_name is not rebuilt on update"
    # Same data again: nothing written.
    cs = t.checksum()
    a = t.hook(server, "update", 42)
    assert a.outcome == "unchanged", a
    assert t.checksum() == cs


def test_update_email_and_password(t, server):
    add_custom_field(t, "wp_password")
    t.config(fields__user_pass="wp_password")
    jane(t, wp_password="first-pass-1")
    uid = t.hook(server, "add", 42).results[0]["user_id"]
    other = t.add_user("bob", "bob@example.com")
    # Taken e-mail: refused with a note, the rest applies.
    t.contact(42, tags=[], email="bob@example.com", firstname="Jane", lastname="Doe",
              wp_password="second-pass-2")
    a = t.hook(server, "update", 42)
    assert a.status == 200 and "already used by user %d" % other in a.results[0]["note"], a
    assert user_row(t, uid)[3] == "jane.doe@example.com"
    assert t.wp_login("jane.doe@example.com", "second-pass-2")
    # A free e-mail is taken over; the login stays.
    t.contact(42, tags=[], email="jane@new.example", firstname="Jane", lastname="Doe",
              wp_password="second-pass-2")
    a = t.hook(server, "update", 42)
    assert a.outcome == "updated", a
    assert user_row(t, uid)[3] == "jane@new.example"
    assert user_row(t, uid)[0] == "jane.doe@example.com"
test_update_email_and_password.servers = APACHE


def test_roles_refused_and_fallbacks(t, server):
    cases = [
        ({"role": "administrator"}, "subscriber", "may not be assigned"),
        ({"role": "editor"}, "subscriber", "may not be assigned"),  # unfiltered_html
        ({"role": "no_such_role"}, "subscriber", "not a registered role"),
        ({"role": "Author"}, "author", None),   # display name
        ({"role": "contributor"}, "contributor", None),
        ({}, "subscriber", None),
    ]
    for i, (extra, want, note) in enumerate(cases):
        t.contact(200 + i, tags=[], email=f"r{i}@example.com")
        a = t.hook(server, "add", 200 + i, **extra)
        r = a.results[0]
        assert a.status == 200 and r["outcome"] == "created" and r["role"] == want, \
            (extra, a)
        if note:
            assert note in r["note"] and "default role subscriber" in r["note"], a
        caps = t.meta(r["user_id"], "wp_capabilities")
        assert caps == 'a:1:{s:%d:"%s";b:1;}' % (len(want), want), caps
    # allowed_roles lets the site opt in.
    t.config(webhook__allowed_roles="subscriber, editor")
    t.contact(300, tags=[], email="ed@example.com")
    a = t.hook(server, "add", 300, role="editor")
    assert a.results[0]["role"] == "editor", a
    t.contact(301, tags=[], email="au@example.com")
    a = t.hook(server, "add", 301, role="author")
    assert a.results[0]["role"] == "subscriber", "author is not in allowed_roles"


def test_update_role_change_and_refusal(t, server):
    jane(t)
    uid = t.hook(server, "add", 42).results[0]["user_id"]
    a = t.hook(server, "update", 42, role="author")
    assert a.outcome == "updated" and a.results[0]["role"] == "author", a
    assert t.meta(uid, "wp_capabilities") == 'a:1:{s:6:"author";b:1;}'
    assert t.meta(uid, "wp_user_level") == "2"
    cs = t.checksum()
    a = t.hook(server, "update", 42, role="administrator")
    assert a.status == 200 and "may not be assigned" in a.results[0]["note"], a
    assert t.checksum() == cs


def test_privileged_users_are_untouchable(t, server):
    add_custom_field(t, "wp_password")
    t.config(fields__user_pass="wp_password")
    # The fixture's admin (user 1) is linked to contact 1.
    t.sql("INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (1, 'mautic_contact_id', '1')")
    t.contact(1, tags=["x"], email="evil@example.com", wp_password="pwned-123",
              firstname="Mallory")
    before = user_row(t, 1)
    caps = t.meta(1, "wp_capabilities")
    a = t.hook(server, "update", 1, role="subscriber")
    assert a.status == 200, a
    note = a.results[0]["note"]
    for what in ("user_email", "user_pass", "role"):
        assert what + ": the user has admin-level capabilities" in note, note
    assert user_row(t, 1) == before
    assert t.meta(1, "wp_capabilities") == caps
    assert t.wp_login("admin", "adminpass")
    # The same through add (linked by e-mail).
    t.contact(2, tags=[], email=before[3], wp_password="pwned-456")
    a = t.hook(server, "add", 2, role="subscriber")
    assert a.results[0]["user_id"] == 1 and user_row(t, 1)[1] == before[1], a
    assert t.wp_login("admin", "adminpass")


def test_wp68_bcrypt_hashes_verify_in_php(t, server):
    add_custom_field(t, "wp_password")
    t.config(fields__user_pass="wp_password", wordpress__password_hash="bcrypt")
    jane(t, wp_password="Corr3ct horse")
    uid = t.hook(server, "add", 42).results[0]["user_id"]
    h = user_row(t, uid)[1]
    assert h.startswith("$wp$2y$10$") and len(h) == 63, h
    php = ("$pre = base64_encode(hash_hmac('sha384', $argv[1], 'wp-sha384', true));"
           " echo password_verify($pre, substr($argv[2], 3)) ? 'yes' : 'no';")
    out = subprocess.run(["php", "-r", php, "Corr3ct horse", h], capture_output=True,
                         text=True).stdout
    assert out == "yes", out
    # The site's db_version says 6.8: auto picks bcrypt and $generic$ keys.
    t.config(fields__user_pass="wp_password")
    t.sql("UPDATE wp_options SET option_value='60421' WHERE option_name='db_version'")
    t.contact(43, tags=[], email="k@example.com", wp_password="another-pw")
    a = t.hook(server, "add", 43, send_notification="1")
    uid = a.results[0]["user_id"]
    assert user_row(t, uid)[1].startswith("$wp$2y$10$")
    assert re.match(r"^\d+:\$generic\$[A-Za-z0-9_-]{40}$", user_row(t, uid)[5])
    assert "wp-login.php?login=k%40example.com&key=" in t.mails()[0]["data"]
test_wp68_bcrypt_hashes_verify_in_php.servers = APACHE


def _parallel(t, server, params_list):
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(params_list)) as ex:
        return list(ex.map(lambda p: t.call(server, p), params_list))


def test_parallel_adds_make_one_user(t, server):
    jane(t)
    p = {"wpf_action": "add", "access_key": ACCESS_KEY, "contact_id": 42}
    answers = _parallel(t, server, [p] * 20)
    assert all(a.status == 200 for a in answers), [a for a in answers if a.status != 200]
    assert sorted(a.outcome for a in answers).count("created") == 1, answers
    assert len(users_with_email(t, "jane.doe@example.com")) == 1
    # Two contacts with one e-mail address.
    t.contact(50, tags=[], email="twin@example.com")
    t.contact(51, tags=[], email="twin@example.com")
    ps = [{"wpf_action": "add", "access_key": ACCESS_KEY, "contact_id": 50 + i % 2}
          for i in range(20)]
    answers = _parallel(t, server, ps)
    assert all(a.status == 200 for a in answers), answers
    assert len(users_with_email(t, "twin@example.com")) == 1
    assert sum(a.outcome == "created" for a in answers) == 1
test_parallel_adds_make_one_user.servers = APACHE


def test_add_without_email_is_skipped(t, server):
    t.contact(60, tags=["x"], firstname="Anon")
    cs = t.checksum()
    a = t.hook(server, "add", 60)
    assert a.status == 200 and a.outcome == "skipped", a
    assert "e-mail" in a.results[0]["note"]
    assert t.checksum() == cs


def test_update_without_user_is_no_user(t, server):
    jane(t)
    cs = t.checksum()
    a = t.hook(server, "update", 42)
    assert a.status == 200 and a.outcome == "no_user", a
    assert t.checksum() == cs
    assert t.emu_log() == []


def test_dry_run_writes_nothing(t, server):
    add_custom_field(t, "wp_password")
    t.config(webhook__return_password_field="wp_password")
    jane(t)
    cs = t.checksum()
    a = t.hook(server, "add", 42, dry_run="1", send_notification="true")
    assert a.status == 200 and a.json.get("dry_run") is True, a
    assert a.outcome == "created", a
    assert t.checksum() == cs
    assert t.mails() == []
    assert [r for r in t.emu_log() if r["method"] == "PATCH"] == []
test_parallel_adds_make_one_user.timing = True  # valgrind: depends on time budgets


def test_multisite_blog_2(t, server):
    """blog_id > 1: the blog's prefix for capabilities, level and role
    table, primary_blog and source_domain as add_user_to_blog() writes."""
    t.make_network(blogs=(2,))
    t.sql("UPDATE wp_blogs SET domain = 'shop.example.test' WHERE blog_id = 2")
    t.config(wordpress__blog_id=2)
    t.contact(42, tags=["ms"], email="Multi.User@example.com", firstname="Multi")
    count = t.sql("SELECT option_value FROM wp_options WHERE option_name='user_count'")
    a = t.hook(server, "add", 42, role="author")
    assert a.status == 200 and a.outcome == "created", a
    uid = a.results[0]["user_id"]
    keys = [k for k, _ in meta_rows(t, uid)]
    assert "wp_2_capabilities" in keys and "wp_capabilities" not in keys, keys
    assert t.meta(uid, "wp_2_capabilities") == 'a:1:{s:6:"author";b:1;}'
    assert t.meta(uid, "wp_2_user_level") == "2"
    assert t.meta(uid, "primary_blog") == "2"
    assert t.meta(uid, "source_domain") == "shop.example.test"
    assert keys.index("primary_blog") < keys.index("wp_2_capabilities"), keys
    login = user_row(t, uid)[0]
    assert login == login.lower() and " " not in login, login  # multisite logins
    assert t.sql("SELECT option_value FROM wp_options WHERE option_name='user_count'") \
        == count, "user_count is the network's business on multisite"
    users = t.sql("SELECT COUNT(*) FROM wp_users")[0][0]
    assert t.sql("SELECT meta_value FROM wp_sitemeta WHERE site_id = 1"
                 " AND meta_key = 'user_count'") == ((str(users),),)
test_multisite_blog_2.servers = APACHE
