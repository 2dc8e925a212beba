# SPDX-License-Identifier: GPL-2.0-or-later
"""Operators: --check, shell mode, dry runs, WP Fusion's
wpf_options as configuration, and rows in WP Fusion's activity log."""

import json
import os
import re
import subprocess

from mw import ACCESS_KEY, ROOT, php_strlist

CGI = None
ONE = ("apache",)


def binary(t):
    return os.path.join(t.env["MW_CGI_DIR"], "mautic-wp.cgi")


def run_cgi(t, *args, config=None):
    env = {k: v for k, v in os.environ.items() if k != "GATEWAY_INTERFACE"}
    cmd = [binary(t)] + list(args) + ["--config", config or t.config_path]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check_lines(out):
    return {m.group(2): m.group(1) for m in
            re.finditer(r"^(ok|FAIL)\s+(\S+)\s", out, re.M)}


def test_check_all_pass(t, server):
    rc, out, err = run_cgi(t, "--check")
    assert rc == 0, (out, err)
    lines = check_lines(out)
    assert lines == {k: "ok" for k in ("config", "database", "tables", "wordpress",
                                        "roles", "index", "locks", "staging", "keys",
                                        "fieldmap", "mautic", "fields", "mail", "journal",
                                        "queue", "dead")}, out
    assert "db_version 53496" in out and "$P$ phpass" in out, out
    assert "a webhook may assign: author, contributor, subscriber" in out, out
    assert ACCESS_KEY not in out + err and "apipass" not in out + err
test_check_all_pass.servers = ONE


def test_check_each_line_fails(t, server):
    cases = [
        # (config overrides, emulator config, failing line, words in it)
        ({"wordpress__db_password": "wrong"}, None, "database", "refused"),
        ({"wordpress__db_port": "1"}, None, "database", "cannot reach"),
        ({"wordpress__table_prefix": "xx_"}, None, "tables", "table_prefix"),
        ({"mautic__password": "wrong"}, None, "mautic", "refused the credentials"),
        ({}, {"api_enabled": False}, "mautic", "API"),
        ({"mautic__url": "https://127.0.0.1:1"}, None, "mautic", "cannot reach"),
        ({"fields__nickname": "no_such_field"}, None, "fields", "no_such_field"),
        ({"mail__transport": "sendmail", "mail__sendmail": "/nonexistent/sendmail"},
         None, "mail", "not executable"),
        ({"mail__smtp_url": "smtp://127.0.0.1:1"}, None, "mail", "smtp://127.0.0.1:1"),
        ({"webhook__return_password_field": "pw_field"}, None, "fields", "pw_field"),
    ]
    for over, emu, what, words in cases:
        t.config(**over)
        t.emu_reset()
        if emu:
            t.emu("POST", "/_emu/config", emu)
        rc, out, _ = run_cgi(t, "--check")
        lines = check_lines(out)
        assert rc == 1 and lines.get(what) == "FAIL", (over, out)
        assert words in [ln for ln in out.splitlines() if ln.startswith("FAIL")][0], (over, out)
        assert "some checks failed" in out
    t.config()
    t.sql("UPDATE wp_options SET option_value='no_such_role' WHERE option_name='default_role'")
    rc, out, _ = run_cgi(t, "--check")
    assert rc == 1 and check_lines(out)["roles"] == "FAIL", out
    # The config itself: others may read it.
    text = t.config()
    t.write_config_text(text, mode=0o644)
    rc, out, _ = run_cgi(t, "--check")
    assert rc == 1 and check_lines(out) == {"config": "FAIL"}, out
    assert "chmod 0640" in out
test_check_each_line_fails.servers = ONE


def test_shell_action_runs_the_webhook_path(t, server):
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["x", "y"], email="ann@example.com")
    rc, out, err = run_cgi(t, "--action", "update_tags", "--contact", "42", "--dry-run")
    a = json.loads(out)
    assert rc == 0 and a["dry_run"] is True and a["results"][0]["outcome"] == "updated", out
    assert t.meta(uid, "mautic_tags") is None
    rc, out, err = run_cgi(t, "--action", "update_tags", "--contact", "42")
    assert rc == 0 and json.loads(out)["results"][0]["outcome"] == "updated", out
    assert t.meta(uid, "mautic_tags") == php_strlist(["x", "y"])
    assert "done action=update_tags contact=42" in err, err
    rc, out, _ = run_cgi(t, "--action", "update_tags", "--contact", "{contactfield=id}")
    assert rc == 1 and json.loads(out)["error"] == "bad_request", out
    p = subprocess.run([binary(t), "--bogus"], capture_output=True, text=True)
    assert p.returncode == 2 and "usage" in p.stderr
test_shell_action_runs_the_webhook_path.servers = ONE


def test_cgi_ignores_argv_from_the_query(t, server):
    # A query without '=' becomes CGI arguments (RFC 3875 4.4): it must
    # never reach the shell modes.
    a = t.call(server, query="--check")
    assert a.status == 403 and a.json["error"] == "forbidden", a
    a = t.call(server, query="--action+update_tags+--contact+42")
    assert a.status == 403, a


def test_dry_run_matches_the_real_run(t, server):
    t.emu("POST", "/_emu/fields", {"alias": "wp_password", "type": "text", "group": "core",
                                   "label": "pw"})
    t.config(webhook__return_password_field="wp_password")
    t.contact(42, tags=["a"], email="jane@example.com", firstname="Jane", lastname="Doe")
    t.contact(43, tags=["b"], email="bob@example.com", firstname="Bob")
    uid = t.add_user("bob", "bob@example.com", contact_id=43)
    for action, cid, extra in (("add", 42, {"role": "author", "send_notification": "1"}),
                               ("update", 43, {"role": "contributor"}),
                               ("add", 44, {"role": "administrator"})):
        if cid == 44:
            t.contact(44, tags=[], email="c44@example.com")
        db, contact = t.checksum(), t.emu("GET", f"/_emu/contacts/{cid}")
        t.emu_log_clear()
        dry = t.hook(server, action, cid, dry_run="1", **extra)
        assert dry.status == 200 and dry.json["dry_run"] is True, dry
        assert t.checksum() == db, "dry run wrote to the database"
        assert t.emu("GET", f"/_emu/contacts/{cid}") == contact
        assert [r for r in t.emu_log() if r["method"] != "GET"] == []
        assert t.mails() == []
        changes = dry.results[0].get("changes", "")
        if cid == 42:
            for what in ("new user jane@example.com", "mautic_tags",
                         "Mautic field wp_password gets the generated password",
                         'welcome e-mail "Login Details" to jane@example.com'):
                assert what in changes, (what, dry)
        if cid == 43:
            assert "role contributor" in changes and "mautic_tags" in changes, dry
        real = t.hook(server, action, cid, **extra)
        assert "changes" not in real.results[0], real
        strip = [{k: v for k, v in r.items() if k != "user_id"} for r in real.results]
        strip_dry = [{k: v for k, v in r.items() if k not in ("user_id", "changes")}
                     for r in dry.results]
        assert strip == strip_dry, (dry, real)
        if cid == 42:
            assert len(t.mails()) == 1, "the real run sends what the dry run announced"
            assert [r for r in t.emu_log() if r["method"] == "PATCH"], t.emu_log()
        t.clear_mails()
    assert t.meta(uid, "wp_capabilities") == 'a:1:{s:11:"contributor";b:1;}'


# WP Fusion's settings as WPF_Settings::set() stores them (PHP serialize()).
WPF_OPTIONS_PHP = """echo serialize(array(
    'crm' => 'mautic', 'connection_configured' => true,
    'mautic_url' => $argv[1] . '/', 'mautic_username' => 'apiuser',
    'mautic_password' => 'apipass', 'access_key' => '3f9a7c1e',
    'username_format' => 'flname', 'return_password' => '1',
    'return_password_field' => 'wp_password', 'send_welcome_email' => false,
    'contact_fields' => array(
        'user_email' => array('active' => true, 'type' => 'text', 'crm_field' => 'email'),
        'first_name' => array('active' => true, 'type' => 'text', 'crm_field' => 'firstname'),
        'last_name' => array('active' => '1', 'type' => 'text', 'crm_field' => 'lastname'),
        'city' => array('active' => false, 'type' => 'text', 'crm_field' => 'city'),
        'user_id' => array('active' => true, 'type' => 'int', 'crm_field' => 'wp_user_id',
                           'pseudo' => '1')),
    'enable_logging' => true, 'push' => true, 'site_tracking' => false));"""


def test_wpf_options_row_drives_a_real_webhook(t, server):
    opts = subprocess.run(["php", "-r", WPF_OPTIONS_PHP, t.mautic_url],
                          capture_output=True, text=True, check=True).stdout
    t.sql("INSERT INTO wp_options (option_name, option_value, autoload) VALUES"
          " ('wpf_options', %s, 'yes')", (opts,))
    t.emu("POST", "/_emu/fields", {"alias": "wp_password", "type": "text", "group": "core",
                                   "label": "pw"})
    t.write_config_text(
        "[wordpress]\ndb_host = 127.0.0.1\ndb_port = %s\ndb_name = wordpress\n"
        "db_user = wp\ndb_password = wppw\n[mautic]\nca_file = %s\n"
        "[webhook]\nuse_wpf_options = yes\n[mail]\ntransport = smtp\nsmtp_url = %s\n"
        % (t.env["MW_DB_PORT"], t.ca, t.env["MW_SMTP_URL"]))
    t.contact(42, tags=["wpf"], email="jane@example.com", firstname="Jane",
              lastname="Doe", city="Lyon")
    # WP Fusion's key works; ours does not, since the file sets none.
    a = t.call(server, {"wpf_action": "test", "access_key": ACCESS_KEY})
    assert a.status == 403, a
    a = t.call(server, {"wpf_action": "add", "contact_id": 42, "access_key": "3f9a7c1e"})
    assert a.status == 200 and a.outcome == "created", a
    uid = a.results[0]["user_id"]
    assert t.sql("SELECT user_login FROM wp_users WHERE ID=%s", (uid,))[0][0] == "JaneDoe"
    assert t.meta(uid, "first_name") == "Jane" and t.meta(uid, "city") is None
    patch = [r for r in t.emu_log() if r["method"] == "PATCH"]
    assert len(patch) == 1 and "wp_password" in json.loads(patch[0]["body"]), patch
    assert t.mails() == []
    # A key in our own file wins over WP Fusion's.
    t.write_config_text(
        "[wordpress]\ndb_host = 127.0.0.1\ndb_port = %s\ndb_name = wordpress\n"
        "db_user = wp\ndb_password = wppw\n[mautic]\nca_file = %s\n"
        "[webhook]\nuse_wpf_options = yes\naccess_key = %s\n" % (
            t.env["MW_DB_PORT"], t.ca, ACCESS_KEY))
    assert t.call(server, {"wpf_action": "test", "access_key": "3f9a7c1e"}).status == 403
    assert t.call(server, {"wpf_action": "test", "access_key": ACCESS_KEY}).status == 200
    # No wpf_options row: a configuration error, no detail to the caller.
    t.sql("DELETE FROM wp_options WHERE option_name='wpf_options'")
    a = t.call(server, {"wpf_action": "test", "access_key": ACCESS_KEY})
    assert a.status == 500 and "wpf_options" not in a.raw, a


WPF_LOGGING = """CREATE TABLE wp_wpf_logging (
  log_id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  timestamp datetime NOT NULL,
  level smallint(4) NOT NULL,
  user bigint(20) unsigned NOT NULL,
  source varchar(200) NOT NULL,
  message longtext NOT NULL,
  context longtext NULL,
  PRIMARY KEY (log_id),
  KEY level (level)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci"""


def test_wpf_logging_rows(t, server):
    t.sql(WPF_LOGGING)
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["x"], email="ann@example.com")
    t.contact(5, tags=[], email="none@example.com")
    t.hook(server, "update_tags", 42)
    t.hook(server, "update_tags", 5)
    t.hook(server, "update", 42, role="administrator")
    t.fault(match="^/api/contacts/42$", status=500)
    t.hook(server, "update_tags", 42)
    rows = t.sql("SELECT level, user, source, message, context FROM wp_wpf_logging"
                 " ORDER BY log_id")
    assert [(r[0], r[1], r[2]) for r in rows] == [(200, uid, "api"), (300, 0, "api"),
                                                  (300, uid, "api"), (500, uid, "api")], rows
    assert rows[0][3] == ("mautic-wp: <strong>update_tags</strong> webhook for contact #42:"
                          f" updated user #{uid}"), rows[0][3]
    assert "may not be assigned" in rows[2][3]
    php = ("foreach (array_slice($argv, 1) as $c) { $v = unserialize($c,"
           " ['allowed_classes' => false]); echo json_encode($v), \"\\n\"; }")
    out = subprocess.run(["php", "-r", php] + [r[4] for r in rows], capture_output=True,
                         text=True).stdout.splitlines()
    ctx = [json.loads(x) for x in out]
    assert [c["outcome"] for c in ctx] == ["updated", "no_user", "unchanged", "mautic_error"], ctx
    assert all(len(c["request_id"]) == 16 for c in ctx), ctx
    # No table, no rows and no error.
    t.sql("DROP TABLE wp_wpf_logging")
    assert t.hook(server, "update_tags", 42).status == 502


def test_wp_config_variants_drive_a_real_webhook(t, server):
    """[wordpress] wp_config: the site's own wp-config.php supplies the
    database settings (host:port and host:/socket forms)."""
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["via-wp-config"], email="ann@example.com")
    wpc = os.path.join(t.state, "etc", "wp-config.php")
    variants = [
        f"define( 'DB_HOST', '127.0.0.1:{t.env['MW_DB_PORT']}' );",
        f"define( 'DB_HOST', 'localhost:{t.env['MW_DB_SOCKET']}' );",
    ]
    for host in variants:
        with open(wpc, "w") as f:
            f.write("<?php\n// ** Database settings ** //\n"
                    "define( 'DB_NAME', 'wordpress' );\n"
                    "define( 'DB_USER', 'wp' );\n"
                    "/* define( 'DB_PASSWORD', 'not-this-one' ); */\n"
                    "define( 'DB_PASSWORD', \"wppw\" );\n" + host + "\n"
                    "$table_prefix = 'wp_';\n"
                    "require_once ABSPATH . 'wp-settings.php';\n")
        os.chown(wpc, 0, 33)
        os.chmod(wpc, 0o640)
        t.write_config_text(
            f"[wordpress]\nwp_config = {wpc}\n[mautic]\nurl = {t.mautic_url}\n"
            f"username = apiuser\npassword = apipass\nca_file = {t.ca}\n"
            f"[webhook]\naccess_key = {ACCESS_KEY}\n")
        t.sql("DELETE FROM wp_usermeta WHERE meta_key='mautic_tags'")
        a = t.hook(server, "update_tags", 42)
        assert a.status == 200 and a.outcome == "updated", (host, a)
        assert t.meta(uid, "mautic_tags") == php_strlist(["via-wp-config"])
    # A password PHP would have to compute: a clear error in the log.
    with open(wpc, "w") as f:
        f.write("<?php\ndefine('DB_NAME','wordpress');\ndefine('DB_USER','wp');\n"
                "define('DB_PASSWORD', getenv('DB_PASSWORD'));\n")
    mark = t.log_mark(server)
    a = t.hook(server, "test")
    assert a.status == 500, a
    assert "DB_PASSWORD" in t.log_since(server, mark)
