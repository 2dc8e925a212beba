# SPDX-License-Identifier: GPL-2.0-or-later
"""WP Fusion's settings that decide where data goes, read from a WP
Fusion-shaped wpf_options row (and wp-config.php's constants): staging
copies, blog-prefixed keys on a multisite network, the available_tags list,
the fields pushed back with a returned password, field types, plugin-owned
fields, and a dry-run add that reserves nothing.  The Mautic emulator's
request log shows which calls were and were not made."""

import concurrent.futures
import json
import os
import subprocess

from mw import ACCESS_KEY
from test_index import run_cli

ONE = ("apache",)


def php(code, *args):
    return subprocess.run(["php", "-r", code, *args], capture_output=True, text=True,
                          check=True).stdout


def serialize(value):
    """PHP's serialize() of a JSON value (objects become arrays)."""
    return php("echo serialize(json_decode($argv[1], true));", json.dumps(value))


def unserialize(text):
    return json.loads(php("echo json_encode(unserialize($argv[1]));", text))


def wpf_options(t, table="wp_options", **settings):
    """A wpf_options row as WP Fusion saves it (checkboxes as "1")."""
    opts = {"crm": "mautic", "connection_configured": True, "access_key": "3f9a7c1e",
            "contact_fields": {
                "user_email": {"active": True, "type": "text", "crm_field": "email"},
                "first_name": {"active": True, "type": "text", "crm_field": "firstname"},
                "last_name": {"active": True, "type": "text", "crm_field": "lastname"}}}
    opts.update(settings)
    t.sql(f"DELETE FROM {table} WHERE option_name = 'wpf_options'")
    t.sql(f"INSERT INTO {table} (option_name, option_value, autoload)"
          " VALUES ('wpf_options', %s, 'yes')", (serialize(opts),))


def use_wpf(t, **over):
    """Our file as usual (it keeps its key and credentials), plus WP
    Fusion's settings from the database."""
    return t.config(webhook__use_wpf_options="yes", **over)


def wp_config(t, text):
    """A wp-config.php for wp_config =, readable by the web server."""
    path = os.path.join(t.state, "wpf-wp-config.php")
    with open(path, "w") as f:
        f.write("<?php\n" + text + "\nrequire_once ABSPATH . 'wp-settings.php';\n")
    os.chmod(path, 0o644)
    return path


def siteurl(t, table="wp_options"):
    return t.sql(f"SELECT option_value FROM {table} WHERE option_name = 'siteurl'")[0][0]


def lock_key(url):
    """WP Fusion's duplicate-site lock for url: the marker in its middle."""
    scheme, rest = url.split("://", 1)
    mid = round(len(rest) / 2)
    return scheme + "://" + rest[:mid] + "_[wpf_siteurl]_" + rest[mid:]


def meta_keys(t, uid):
    return [r[0] for r in t.sql("SELECT meta_key FROM wp_usermeta WHERE user_id = %s"
                                " ORDER BY umeta_id", (uid,))]


def add_field(t, alias):
    t.emu("POST", "/_emu/fields", {"alias": alias, "type": "text", "group": "core",
                                   "label": alias})


# ---- 1. staging copies --------------------------------------------------------

def assert_staging(t, server, why):
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["vip"], email="ann@example.com", firstname="Annie")
    t.contact(43, tags=["new"], email="new@example.com", firstname="New")
    t.emu_log_clear()
    cs = t.checksum()
    for action, cid in (("update_tags", 42), ("update", 42), ("add", 43)):
        a = t.hook(server, action, cid)
        assert a.status == 200 and a.outcome == "skipped", a
        note = a.results[0]["note"]
        assert "staging copy" in note and why in note, note
        assert a.results[0]["user_id"] is None, a
    assert [r for r in t.emu_log() if r["path"].startswith("/api/")] == [], \
        "a staging copy called Mautic"
    assert t.checksum() == cs, "a staging copy wrote to the database"
    assert t.meta(uid, "first_name") != "Annie"
    rc, out, err = run_cli(t, "--check")
    assert "warn staging   this site is a staging copy" in out and why in out, out


def test_staging_mode_option(t, server):
    wpf_options(t, staging_mode="1")
    use_wpf(t)
    assert_staging(t, server, "staging_mode")


def test_staging_duplicate_site_lock(t, server):
    # The lock of another site (production), stored on this cloned copy.
    wpf_options(t, site_url=lock_key("https://www.example.org"))
    use_wpf(t)
    assert_staging(t, server, "duplicate-site lock")


def test_staging_constant(t, server):
    path = wp_config(t, "define( 'WPF_STAGING_MODE', true );")
    wpf_options(t)
    use_wpf(t, wordpress__wp_config=path)
    assert_staging(t, server, "WPF_STAGING_MODE")


def test_not_staging_the_lock_of_this_site_or_forced_off(t, server):
    """The lock of this very site (scheme ignored, as WP Fusion compares
    host and path) is no staging copy; WPF_STAGING_MODE false overrides a
    foreign lock and staging_mode."""
    url = siteurl(t)
    wpf_options(t, site_url=lock_key(url.replace("http://", "https://")))
    use_wpf(t)
    t.contact(42, tags=["vip"], email="ann@example.com", firstname="Ann")
    a = t.hook(server, "add", 42)
    assert a.status == 200 and a.outcome == "created", a
    assert [r["path"] for r in t.emu_log() if r["path"].startswith("/api/")] \
        == ["/api/contacts/42"]
    rc, out, err = run_cli(t, "--check")
    assert "ok   staging   not a staging copy" in out, out
    # A foreign lock and staging_mode, but the constant says false.
    path = wp_config(t, "define('WPF_STAGING_MODE', false);")
    wpf_options(t, site_url=lock_key("https://www.example.org"), staging_mode="1")
    use_wpf(t, wordpress__wp_config=path)
    t.emu_log_clear()
    a = t.hook(server, "update_tags", 42)
    assert a.status == 200 and a.outcome in ("updated", "unchanged"), a
    assert [r["path"] for r in t.emu_log() if r["path"].startswith("/api/")] \
        == ["/api/contacts/42"]


def test_staging_copy_leaves_the_queue_alone(t, server):
    """A spool copied along with the site: the worker of a staging copy
    neither asks Mautic nor writes; the job stays queued."""
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["vip"], email="ann@example.com")
    a = t.call(server, {"wpf_action": "update_tags", "contact_id": 42, "async": "1"},
               headers={"X-Access-Key": ACCESS_KEY})
    assert a.status == 200 and a.json["queued"] == 1, a
    wpf_options(t, staging_mode="1")
    use_wpf(t)
    t.emu_log_clear()
    cs = t.checksum()
    rc, out, err = t.worker("--drain")
    assert rc == 0 and "0 applied" in out, (out, err)
    assert [r for r in t.emu_log() if r["path"].startswith("/api/")] == [], \
        "a staging copy's worker called Mautic"
    assert t.checksum() == cs and t.meta(uid, "mautic_tags") in (None, "")
    assert len(t.spool_files()) == 1
test_staging_copy_leaves_the_queue_alone.servers = ONE


# ---- 2. multisite_prefix_keys -------------------------------------------------

def test_prefix_keys_on_sub_sites(t, server):
    """Blog 2 with multisite_prefix_keys reads and writes wp_2_mautic_*;
    blog 3 without it keeps the plain keys; blog 3 with the constant gets
    wp_3_mautic_*; the network's user_count follows every new user."""
    t.make_network(blogs=(2, 3))
    wpf_options(t, table="wp_2_options", multisite_prefix_keys="1")
    wpf_options(t, table="wp_3_options")
    use_wpf(t, wordpress__blog_id=2)
    t.contact(42, tags=["gold"], email="net@example.com", firstname="Net")
    a = t.hook(server, "add", 42)
    assert a.status == 200 and a.outcome == "created", a
    uid = a.results[0]["user_id"]
    keys = meta_keys(t, uid)
    assert "wp_2_mautic_contact_id" in keys and "wp_2_mautic_tags" in keys, keys
    assert "mautic_contact_id" not in keys and "mautic_tags" not in keys, keys
    assert t.meta(uid, "wp_2_mautic_tags") == 'a:1:{i:0;s:4:"gold";}'
    users = t.sql("SELECT COUNT(*) FROM wp_users")[0][0]
    assert t.sql("SELECT meta_value FROM wp_sitemeta WHERE meta_key = 'user_count'") \
        == ((str(users),),)
    # The prefixed link finds the user again.
    t.contact(42, tags=["gold", "silver"], email="net@example.com", firstname="Net")
    a = t.hook(server, "update_tags", 42)
    assert a.outcome == "updated" and a.results[0]["user_id"] == uid, a
    assert unserialize(t.meta(uid, "wp_2_mautic_tags")) == ["gold", "silver"]
    # Blog 3 without the setting: the plain keys, so no link yet.
    use_wpf(t, wordpress__blog_id=3)
    a = t.hook(server, "update_tags", 42)
    assert a.outcome == "no_user", a
    a = t.hook(server, "add", 42)
    assert a.outcome in ("updated", "unchanged") and a.results[0]["user_id"] == uid, a
    assert t.meta(uid, "mautic_contact_id") == "42"
    # Blog 3 with WPF_MULTISITE_PREFIX_KEYS in wp-config.php.
    path = wp_config(t, "define('MULTISITE', true);\n"
                        "define('WPF_MULTISITE_PREFIX_KEYS', true);")
    use_wpf(t, wordpress__blog_id=3, wordpress__wp_config=path)
    a = t.hook(server, "add", 42)
    assert a.outcome in ("updated", "unchanged"), a
    assert t.meta(uid, "wp_3_mautic_contact_id") == "42"
    assert unserialize(t.meta(uid, "wp_3_mautic_tags")) == ["gold", "silver"]
    rc, out, err = run_cli(t, "--check")
    assert ("keys      contact ids in wp_3_mautic_contact_id, tags in wp_3_mautic_tags"
            " (multisite_prefix_keys)") in out, out


def test_prefix_keys_on_the_main_site(t, server):
    """On the network's main site WP Fusion's prefix is the base prefix:
    wp_mautic_contact_id.  A new user counts in the network's user_count,
    not in the main site's option."""
    t.make_network(blogs=(2,))
    wpf_options(t, multisite_prefix_keys="1")
    path = wp_config(t, "define('MULTISITE', true);")
    use_wpf(t, wordpress__wp_config=path)
    before = t.sql("SELECT option_value FROM wp_options WHERE option_name = 'user_count'")
    t.contact(42, tags=["main"], email="main@example.com", firstname="Main")
    a = t.hook(server, "add", 42)
    assert a.status == 200 and a.outcome == "created", a
    uid = a.results[0]["user_id"]
    assert t.meta(uid, "wp_mautic_contact_id") == "42"
    assert t.meta(uid, "wp_mautic_tags") == 'a:1:{i:0;s:4:"main";}'
    assert t.meta(uid, "mautic_contact_id") is None
    users = t.sql("SELECT COUNT(*) FROM wp_users")[0][0]
    assert t.sql("SELECT meta_value FROM wp_sitemeta WHERE meta_key = 'user_count'") \
        == ((str(users),),)
    assert t.sql("SELECT option_value FROM wp_options WHERE option_name = 'user_count'") \
        == before


def test_large_network_user_count_left_to_cron(t, server):
    """Over 10,000 users WordPress stops counting live; so do we."""
    t.make_network(blogs=(2,), user_count=20000)
    wpf_options(t, table="wp_2_options")
    use_wpf(t, wordpress__blog_id=2)
    t.contact(42, tags=[], email="big@example.com")
    a = t.hook(server, "add", 42)
    assert a.outcome == "created", a
    assert t.sql("SELECT meta_value FROM wp_sitemeta WHERE meta_key = 'user_count'") \
        == (("20000",),)


# ---- 3. available_tags --------------------------------------------------------

def available(t):
    rows = t.sql("SELECT option_value, autoload FROM wp_options"
                 " WHERE option_name = 'wpf_available_tags'")
    return (unserialize(rows[0][0]), rows[0][1]) if rows else (None, None)


def test_new_tag_names_join_available_tags(t, server):
    wpf_options(t)
    use_wpf(t)
    t.sql("INSERT INTO wp_options (option_name, option_value, autoload) VALUES"
          " ('wpf_available_tags', %s, 'no')", (serialize({"Old": "Old"}),))
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["Old", "New one", "2024"], email="ann@example.com")
    a = t.hook(server, "update_tags", 42)
    assert a.outcome == "updated", a
    tags, autoload = available(t)
    # name => name in WP Fusion's order; "2024" is an integer key, as in PHP.
    assert tags == {"Old": "Old", "New one": "New one", "2024": "2024"}, tags
    raw = t.sql("SELECT option_value FROM wp_options"
                " WHERE option_name = 'wpf_available_tags'")[0][0]
    # The old entries first, as they were; the new ones in Mautic's order.
    assert raw.startswith('a:3:{s:3:"Old";s:3:"Old";') and \
        's:7:"New one";s:7:"New one";' in raw and 'i:2024;s:4:"2024";' in raw, raw
    assert autoload == "no"
    # Nothing new: the option is not written again.
    a = t.hook(server, "update_tags", 42)
    assert available(t)[0] == tags
    assert sorted(unserialize(t.meta(uid, "mautic_tags"))) == ["2024", "New one", "Old"]


def test_available_tags_only_with_wp_fusion_settings(t, server):
    t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["a"], email="ann@example.com")
    t.hook(server, "update_tags", 42)
    assert available(t) == (None, None), "created on a site without WP Fusion"
    t.sql("INSERT INTO wp_options (option_name, option_value, autoload) VALUES"
          " ('wpf_available_tags', %s, 'no')", (serialize({"x": "x"}),))
    t.contact(42, tags=["a", "c"], email="ann@example.com")
    t.hook(server, "update_tags", 42)
    assert available(t)[0] == {"x": "x"}, "WP Fusion's settings are not read"
    t.sql("DELETE FROM wp_options WHERE option_name = 'wpf_available_tags'")
    wpf_options(t)
    use_wpf(t)
    t.contact(42, tags=["a", "b"], email="ann@example.com")
    t.hook(server, "update_tags", 42)
    assert available(t)[0] == {"a": "a", "b": "b"}


def test_concurrent_webhooks_lose_no_tag_name(t, server):
    """Sixteen webhooks at once, each with its own new tag: every name
    ends up in the list (the option row is locked while it is merged)."""
    wpf_options(t)
    use_wpf(t)
    n = 16
    for i in range(n):
        t.add_user(f"u{i}", f"u{i}@example.com", contact_id=100 + i)
        t.contact(100 + i, tags=["shared", f"tag-{i}"], email=f"u{i}@example.com")
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as ex:
        answers = list(ex.map(lambda i: t.hook(server, "update_tags", 100 + i), range(n)))
    assert all(a.status == 200 and a.outcome == "updated" for a in answers), answers
    tags, _ = available(t)
    assert set(tags) == {"shared"} | {f"tag-{i}" for i in range(n)}, tags
    assert len(tags) == n + 1
test_concurrent_webhooks_lose_no_tag_name.timing = True  # valgrind: lock waits


# ---- 4. the fields pushed back with a returned password ----------------------

def test_password_patch_carries_login_id_and_registered(t, server):
    for alias in ("wp_password", "wp_login", "wp_user_id", "wp_registered"):
        add_field(t, alias)
    wpf_options(t, return_password="1", return_password_field="wp_password",
                contact_fields={
                    "user_email": {"active": True, "type": "text", "crm_field": "email"},
                    "user_login": {"active": True, "type": "text", "crm_field": "wp_login"},
                    "user_id": {"active": True, "type": "integer",
                                "crm_field": "wp_user_id", "pseudo": True},
                    "user_registered": {"active": True, "type": "date",
                                        "crm_field": "wp_registered", "pseudo": True}})
    use_wpf(t, fields__first_name=None, fields__last_name=None)
    t.contact(42, tags=[], email="gen@example.com")
    a = t.hook(server, "add", 42, dry_run="1")
    for what in ("Mautic field wp_password gets the generated password",
                 "Mautic field wp_login gets user_login", "wp_user_id gets user_id",
                 "wp_registered gets user_registered"):
        assert what in a.results[0]["changes"], (what, a)
    assert [r for r in t.emu_log() if r["method"] == "PATCH"] == []
    a = t.hook(server, "add", 42)
    assert a.status == 200 and a.outcome == "created", a
    uid = a.results[0]["user_id"]
    login, reg = t.sql("SELECT user_login, DATE(user_registered) FROM wp_users"
                       " WHERE ID = %s", (uid,))[0]
    patches = [r for r in t.emu_log() if r["method"] == "PATCH"]
    assert len(patches) == 1, t.emu_log()
    body = json.loads(patches[0]["body"])
    assert set(body) == {"wp_password", "wp_login", "wp_user_id", "wp_registered"}, body
    assert body["wp_login"] == login == "gen@example.com"
    assert body["wp_user_id"] == uid
    assert body["wp_registered"] == str(reg), body
    # user_id and user_registered are never written as usermeta.
    assert t.meta(uid, "user_id") is None and t.meta(uid, "user_registered") is None
    fields = t.emu("GET", "/_emu/contacts/42")["fields"]
    assert fields["wp_login"] == login and str(fields["wp_user_id"]) == str(uid)
# valgrind: the PATCH comes after phpass hashing, within the Mautic time budget
test_password_patch_carries_login_id_and_registered.timing = True


# ---- 5. field types --------------------------------------------------------------

TEXT_CASES = [
    "two\nlines\r\nand\ttabs",
    "<b>bold</b> <script>x()</script>kept",
    "a < b, 1 <2",
    "100% %41%42 user%40example.com",
    "  padded   runs  ",
    "élève &amp; <i>café</i>",
    "0",
]


def test_field_types_raw_and_text(t, server):
    add_field(t, "rawf")
    add_field(t, "textf")
    wpf_options(t, contact_fields={
        "user_email": {"active": True, "type": "text", "crm_field": "email"},
        "rawmeta": {"active": True, "type": "raw", "crm_field": "rawf"},
        "textmeta": {"active": True, "type": "text", "crm_field": "textf"}})
    use_wpf(t)
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    want = t.wp_text_field(TEXT_CASES)
    for value, expected in zip(TEXT_CASES, want):
        t.contact(42, tags=[], email="ann@example.com", rawf=value, textf=value)
        a = t.hook(server, "update", 42)
        assert a.status == 200, a
        assert t.meta(uid, "textmeta") == expected, (value, expected)
        assert t.meta(uid, "rawmeta") == expected, (value, expected)
    # Emptied in Mautic (null): the raw field is cleared, the text one kept.
    t.contact(42, tags=[], email="ann@example.com", rawf=None, textf=None)
    a = t.hook(server, "update", 42)
    assert t.meta(uid, "rawmeta") == "" and t.meta(uid, "textmeta") == want[-1], a
    # Markup that cleans to nothing: skipped for text, cleared for raw.
    t.contact(42, tags=[], email="ann@example.com", rawf="x", textf="kept")
    t.hook(server, "update", 42)
    t.contact(42, tags=[], email="ann@example.com", rawf="<b></b>", textf="<br>")
    t.hook(server, "update", 42)
    assert t.meta(uid, "rawmeta") == "" and t.meta(uid, "textmeta") == "kept"


# ---- 6. plugin-owned fields ----------------------------------------------------

def test_plugin_owned_fields_classified_and_not_written(t, server):
    for alias in ("bpcompany", "acfcolour"):
        add_field(t, alias)
    wpf_options(t, contact_fields={
        "user_email": {"active": True, "type": "text", "crm_field": "email"},
        "bbp_field_3": {"active": True, "type": "text", "crm_field": "bpcompany"},
        "billing_city": {"active": True, "type": "text", "crm_field": "city"},
        "colour": {"active": True, "type": "text", "crm_field": "acfcolour"},
        "wp_capabilities": {"active": True, "type": "multiselect", "crm_field": "city"}})
    use_wpf(t)
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    # ACF keeps "_colour" = its field key beside the value.
    t.sql("INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES"
          " (%s, '_colour', 'field_64a1b2c3d4e5f')", (uid,))
    t.contact(42, tags=[], email="ann@example.com", bpcompany="ACME", city="Lyon",
              acfcolour="blue")
    a = t.hook(server, "update", 42)
    assert a.status == 200 and a.outcome == "updated", a
    assert "bbp_field_3: owned by BuddyPress" in a.results[0]["note"], a
    assert t.meta(uid, "bbp_field_3") is None
    assert t.meta(uid, "billing_city") == "Lyon" and t.meta(uid, "colour") == "blue"
    assert t.meta(uid, "wp_capabilities") == 'a:1:{s:10:"subscriber";b:1;}'
    rc, out, err = run_cli(t, "--check")
    assert "warn field     bbp_field_3 belongs to BuddyPress (xprofile field)" in out, out
    assert "warn field     colour is an ACF field" in out, out
    line = [x for x in out.splitlines() if " fieldmap " in x][0]
    for part in ("user_email (WordPress user field)", "bbp_field_3 (plugin)",
                 "billing_city (usermeta)", "colour (usermeta)", "wp_capabilities (role)"):
        assert part in line, line


# ---- 7. a dry-run add reserves nothing -----------------------------------------

def test_dry_run_add_reserves_no_user_id(t, server):
    t.contact(42, tags=["x"], email="dry@example.com", firstname="Dry")

    def next_id():
        return t.sql("SELECT AUTO_INCREMENT FROM information_schema.TABLES"
                     " WHERE TABLE_SCHEMA = 'wordpress' AND TABLE_NAME = 'wp_users'")[0][0]

    t.sql("ANALYZE TABLE wp_users")
    before = next_id()
    cs = t.checksum()
    a = t.hook(server, "add", 42, dry_run="1")
    assert a.status == 200 and a.json.get("dry_run") is True, a
    assert a.outcome == "created" and a.results[0]["user_id"] is None, a
    assert "new user" in a.results[0]["changes"], a
    t.sql("ANALYZE TABLE wp_users")
    assert next_id() == before and t.checksum() == cs
    a = t.hook(server, "add", 42)
    assert a.results[0]["user_id"] == t.sql("SELECT MAX(ID) FROM wp_users")[0][0]
    assert a.results[0]["user_id"] == before, (a, before)
test_dry_run_add_reserves_no_user_id.servers = ONE
