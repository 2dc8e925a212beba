# SPDX-License-Identifier: GPL-2.0-or-later
"""WordPress and WP Fusion react to every change: the outbox rows each
webhook writes in its transaction, drained by the mu-plugin
wordpress/mautic-wp.php in the stack's real WordPress 6.1.9, which fires
the hooks WP Fusion's own webhook import fires.

The tests install, in this stack's wp-content/mu-plugins, the mu-plugin
and a recorder of their own (0-mw-recorder.php) that appends every hook
of interest, with its arguments, the current user and whether WP Fusion's
webhook flag is set, as a JSON line to $MW_STATE/logs/hooks.jsonl.  WP
Fusion itself is not a Debian package: "WP Fusion present" is a small stub
shaped like it (wp_fusion()->user with the listeners WP Fusion registers
to push changes back to the CRM); those listeners must never run."""

import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
import urllib.parse

from mw import ROOT, STACK, php_strlist, wait_until

ONE = ("apache",)
PLUGIN = os.path.join(ROOT, "wordpress", "mautic-wp.php")

RECORDER = r"""<?php
// SPDX-License-Identifier: GPL-2.0-or-later
// Test recorder (tests/integration/test_reactions.py); removed after each test.
function mwr_rec( $hook, $args ) {
	$line = json_encode( array(
		'hook' => $hook, 'args' => $args, 'user' => get_current_user_id(),
		'webhook' => defined( 'WPF_DOING_WEBHOOK' ), 'pid' => getmypid(),
	), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE );
	file_put_contents( '%LOG%', $line . "\n", FILE_APPEND | LOCK_EX );
}
add_action( 'set_user_role', function ( $uid, $role, $old ) { mwr_rec( 'set_user_role', array( $uid, $role, $old ) ); }, 10, 3 );
add_action( 'user_register', function ( $uid, $data = null ) { mwr_rec( 'user_register', array( $uid, $data ) ); }, 10, 2 );
add_action( 'profile_update', function ( $uid, $old, $data = null ) {
	mwr_rec( 'profile_update', array( $uid, $old->user_email, $data ) );
}, 10, 3 );
foreach ( array( 'wpf_tags_applied', 'wpf_tags_removed', 'wpf_tags_modified', 'wpf_user_imported', 'wpf_user_updated' ) as $h ) {
	add_action( $h, function ( $uid, $x ) use ( $h ) { mwr_rec( $h, array( $uid, $x ) ); }, 10, 2 );
}
// A listener that dies or throws for marked tags.
add_action( 'wpf_tags_modified', function ( $uid, $tags ) {
	if ( in_array( 'die-here', (array) $tags, true ) ) {
		mwr_rec( 'dying', array( $uid ) );
		exit( 0 );
	}
	if ( in_array( 'throw-here', (array) $tags, true ) ) {
		mwr_rec( 'throwing', array( $uid ) );
		throw new RuntimeException( 'listener threw' );
	}
}, 20, 2 );
// A slow listener (5 ms per tag load), so that two drains overlap.
add_action( 'wpf_tags_modified', function () {
	if ( file_exists( '%LOG%.slow' ) ) {
		usleep( 5000 );
	}
}, 25, 0 );
// What a listener reads while the hooks fire.
add_action( 'wpf_tags_modified', function ( $uid ) {
	$u = get_userdata( $uid );
	mwr_rec( 'seen', array( $uid, get_user_meta( $uid, 'mautic_tags', true ), $u->user_email, $u->roles ) );
}, 30, 1 );
add_filter( 'mautic_wp_retry_delay', function () { return 1; } );
add_filter( 'mautic_wp_max_tries', function () { return 3; } );
// ?mwr_peek=ID: what WordPress (and its object cache) says about a user.
if ( isset( $_GET['mwr_peek'] ) ) {
	add_action( 'wp_loaded', function () {
		$uid = (int) $_GET['mwr_peek'];
		$u   = get_userdata( $uid );
		header( 'Content-Type: application/json' );
		echo json_encode( array(
			'tags' => get_user_meta( $uid, 'mautic_tags', true ),
			'first_name' => get_user_meta( $uid, 'first_name', true ),
			'email' => $u ? $u->user_email : null,
			'roles' => $u ? array_values( $u->roles ) : null,
			'cache' => get_class( $GLOBALS['wp_object_cache'] ),
		) );
		exit;
	} );
}
"""

WPF_STUB = r"""<?php
// SPDX-License-Identifier: GPL-2.0-or-later
// Shaped like WP Fusion: wp_fusion()->user and the listeners it registers to
// push user changes back to the CRM.  The drain must keep them from running.
class MWR_WPF_User {
	function user_register( $id ) { mwr_rec( 'PUSHBACK user_register', array( $id ) ); }
	function profile_update( $id ) { mwr_rec( 'PUSHBACK profile_update', array( $id ) ); }
	function push_user_meta_single( $mid, $uid, $key ) { mwr_rec( 'PUSHBACK meta', array( $uid, $key ) ); }
	function add_remove_user_role( $uid, $role ) { mwr_rec( 'PUSHBACK role', array( $uid, $role ) ); }
	function set_user_meta( $uid, $meta ) { mwr_rec( 'set_user_meta', array( $uid, $meta ) ); }
}
class MWR_WPF { public $user; function __construct() { $this->user = new MWR_WPF_User(); } }
function wp_fusion() { static $w = null; return $w ? $w : ( $w = new MWR_WPF() ); }
$u = wp_fusion()->user;
add_action( 'user_register', array( $u, 'user_register' ), 20 );
add_action( 'profile_update', array( $u, 'profile_update' ), 10, 2 );
add_action( 'updated_user_meta', array( $u, 'push_user_meta_single' ), 10, 4 );
add_action( 'added_user_meta', array( $u, 'push_user_meta_single' ), 10, 4 );
add_action( 'set_user_role', array( $u, 'add_remove_user_role' ), 10, 2 );
// A listener that changes meta while the hooks fire (a course plugin would).
add_action( 'wpf_tags_modified', function ( $uid ) { update_user_meta( $uid, 'mwr_touched', '1' ); }, 40, 1 );
"""

# The tests' own persistent object cache: WordPress's class, with the user
# groups kept in files between requests (not Redis Object Cache's keys).
OBJECT_CACHE = r"""<?php
// SPDX-License-Identifier: GPL-2.0-or-later
// Test object-cache drop-in (tests/integration/test_reactions.py).
require_once ABSPATH . WPINC . '/class-wp-object-cache.php';
class MWR_File_Cache extends WP_Object_Cache {
	private $dir = '%DIR%';
	private $kept = array( 'users', 'user_meta', 'useremail', 'userlogins', 'userslugs' );
	private function path( $key, $group ) { return $this->dir . '/' . md5( $group . '|' . $key ); }
	public function get( $key, $group = 'default', $force = false, &$found = null ) {
		$v = parent::get( $key, $group, $force, $found );
		if ( ! $found && in_array( $group, $this->kept, true ) && is_file( $this->path( $key, $group ) ) ) {
			$v = unserialize( file_get_contents( $this->path( $key, $group ) ) );
			parent::set( $key, $v, $group );
			$found = true;
		}
		return $v;
	}
	public function set( $key, $data, $group = 'default', $expire = 0 ) {
		if ( in_array( $group, $this->kept, true ) ) {
			file_put_contents( $this->path( $key, $group ), serialize( $data ) );
		}
		return parent::set( $key, $data, $group, $expire );
	}
	public function add( $key, $data, $group = 'default', $expire = 0 ) {
		$found = false;
		$this->get( $key, $group, false, $found );
		return $found ? false : $this->set( $key, $data, $group, $expire );
	}
	public function delete( $key, $group = 'default', $deprecated = false ) {
		if ( in_array( $group, $this->kept, true ) ) {
			@unlink( $this->path( $key, $group ) );
		}
		return parent::delete( $key, $group, $deprecated );
	}
}
function wp_cache_init() { $GLOBALS['wp_object_cache'] = new MWR_File_Cache(); }
function wp_cache_add( $k, $d, $g = '', $e = 0 ) { return $GLOBALS['wp_object_cache']->add( $k, $d, $g ?: 'default', $e ); }
function wp_cache_set( $k, $d, $g = '', $e = 0 ) { return $GLOBALS['wp_object_cache']->set( $k, $d, $g ?: 'default', $e ); }
function wp_cache_replace( $k, $d, $g = '', $e = 0 ) { return $GLOBALS['wp_object_cache']->replace( $k, $d, $g ?: 'default', $e ); }
function wp_cache_get( $k, $g = '', $f = false, &$found = null ) { return $GLOBALS['wp_object_cache']->get( $k, $g ?: 'default', $f, $found ); }
function wp_cache_delete( $k, $g = '' ) { return $GLOBALS['wp_object_cache']->delete( $k, $g ?: 'default' ); }
function wp_cache_incr( $k, $o = 1, $g = '' ) { return $GLOBALS['wp_object_cache']->incr( $k, $o, $g ?: 'default' ); }
function wp_cache_decr( $k, $o = 1, $g = '' ) { return $GLOBALS['wp_object_cache']->decr( $k, $o, $g ?: 'default' ); }
function wp_cache_flush() { return $GLOBALS['wp_object_cache']->flush(); }
function wp_cache_close() { return true; }
function wp_cache_add_global_groups( $g ) { $GLOBALS['wp_object_cache']->add_global_groups( $g ); }
function wp_cache_add_non_persistent_groups( $g ) {}
function wp_cache_switch_to_blog( $b ) { $GLOBALS['wp_object_cache']->switch_to_blog( $b ); }
"""

# wp_mail() to the stack's SMTP sink for one test, with WordPress's own
# filter on the welcome mail.
MAIL = r"""<?php
// SPDX-License-Identifier: GPL-2.0-or-later
// Test mail set-up (tests/integration/test_reactions.py).
add_action( 'plugins_loaded', function () { remove_all_filters( 'pre_wp_mail' ); } );
add_action( 'phpmailer_init', function ( $m ) {
	$m->isSMTP();
	$m->Host = '127.0.0.1';
	$m->Port = %PORT%;
	$m->SMTPAuth = false;
	$m->SMTPAutoTLS = false;
} );
add_filter( 'wp_new_user_notification_email', function ( $mail, $user ) {
	$mail['subject'] = 'Filtered welcome for ' . $user->user_login;
	$mail['message'] .= "\r\n-- filtered by the site\r\n";
	return $mail;
}, 10, 2 );
"""


class Site:
    """This stack's WordPress with the mu-plugin and the recorder."""

    def __init__(self, t, wpf=False, mail=False, cache=False, plugin=True):
        self.t = t
        self.mu = os.path.join(t.state, "wordpress", "wp-content", "mu-plugins")
        self.content = os.path.dirname(self.mu)
        self.log = os.path.join(t.state, "logs", "hooks.jsonl")
        self.cache_dir = os.path.join(t.state, "wordpress", "mwr-cache")
        self.files = []
        self.clean()
        with open(self.log, "w"):
            pass
        os.chown(self.log, 33, 33)
        self.put("0-mw-recorder.php", RECORDER.replace("%LOG%", self.log))
        if wpf:
            self.put("1-mw-wpf-stub.php", WPF_STUB)
        if mail:
            self.put("2-mw-mail.php", MAIL.replace("%PORT%", str(t.env["MW_SMTP_PORT"])))
        if cache:
            shutil.rmtree(self.cache_dir, ignore_errors=True)
            os.makedirs(self.cache_dir)
            os.chown(self.cache_dir, 33, 33)
            self.put("../object-cache.php", OBJECT_CACHE.replace("%DIR%", self.cache_dir))
        if plugin:
            shutil.copy(PLUGIN, os.path.join(self.mu, "mautic-wp.php"))
            self.files.append(os.path.join(self.mu, "mautic-wp.php"))
        t.config(events__outbox="yes")

    def put(self, name, text):
        path = os.path.normpath(os.path.join(self.mu, name))
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        self.files.append(path)

    def clean(self):
        for name in ("0-mw-recorder.php", "1-mw-wpf-stub.php", "2-mw-mail.php",
                     "mautic-wp.php", "../object-cache.php"):
            try:
                os.unlink(os.path.normpath(os.path.join(self.mu, name)))
            except FileNotFoundError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.clean()
        if os.path.exists(self.log + ".slow"):
            os.unlink(self.log + ".slow")
        shutil.rmtree(self.cache_dir, ignore_errors=True)

    # ---- what happened -------------------------------------------------
    def hooks(self, names=None):
        with open(self.log) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        if names is not None:
            rows = [r for r in rows if r["hook"] in names]
        return rows

    def wait(self, pred, timeout=20, what="the hooks"):
        wait_until(lambda: pred(self.hooks()), timeout, what, interval=0.05)
        return self.hooks()

    def wait_count(self, hook, n, timeout=20):
        return self.wait(lambda rows: sum(r["hook"] == hook for r in rows) >= n,
                         timeout, f"{n} {hook}")

    def wait_drained(self, timeout=20):
        wait_until(lambda: self.pending() == 0, timeout, "an empty outbox", interval=0.05)

    def pending(self):
        try:
            return self.t.sql("SELECT COUNT(*) FROM wp_mautic_wp_events WHERE parked = 0")[0][0]
        except Exception:  # noqa: BLE001 - no table yet
            return 0

    def rows(self):
        return self.t.sql("SELECT id, user_id, contact_id, tries, parked, error, payload"
                          " FROM wp_mautic_wp_events ORDER BY id")

    # ---- the drain endpoint ---------------------------------------------
    def key(self):
        rows = self.t.sql("SELECT option_value FROM wp_options WHERE option_name"
                          " = 'mautic_wp_drain_key'")
        return rows[0][0] if rows else None

    def ping(self, key=None, ts=None, nonce=None, sig=None, method="POST", headers=None):
        """One request to the drain endpoint; returns (status, body)."""
        if headers is None:
            key = key if key is not None else self.key()
            ts = str(int(time.time()) if ts is None else ts)
            nonce = nonce or secrets.token_hex(16)
            if sig is None:
                sig = hmac.new(key.encode(), f"{ts}.{nonce}".encode(),
                               hashlib.sha256).hexdigest()
            headers = {"X-Mautic-WP-Time": ts, "X-Mautic-WP-Nonce": nonce,
                       "X-Mautic-WP-Signature": sig}
        u = urllib.parse.urlsplit(self.t.wp_url)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        try:
            c.request(method, "/wp-cron.php?mautic-wp-drain=1", body=b"",
                      headers=dict(headers, Connection="close"))
            r = c.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        finally:
            c.close()

    def peek(self, uid):
        u = urllib.parse.urlsplit(self.t.wp_url)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        try:
            c.request("GET", f"/?mwr_peek={uid}", headers={"Connection": "close"})
            return json.loads(c.getresponse().read())
        finally:
            c.close()


def no_ping(t, **over):
    """Webhooks record events but ping nobody (a closed port)."""
    t.config(events__outbox="yes", events__ping_url="http://127.0.0.1:9", **over)


def seq(rows):
    return [(r["hook"], r["args"]) for r in rows
            if r["hook"] not in ("seen", "dying", "throwing")]


def user(t, login, cid, tags=None):
    return t.add_user(login, f"{login}@example.com", contact_id=cid,
                      tags=php_strlist(tags) if tags is not None else None)


# ---- what each webhook fires -------------------------------------------------

def test_add_fires_what_wp_fusion_import_fires(t, server):
    with Site(t) as s:
        t.contact(42, tags=["gold", "vip"], email="new@example.com", firstname="Nia",
                  lastname="Lee")
        a = t.hook(server, "add", 42)
        assert a.status == 200 and a.outcome == "created", a
        uid = a.results[0]["user_id"]
        rows = s.wait_count("wpf_user_imported", 1)
        s.wait_drained()
        got = seq(rows)
        assert got[0] == ("set_user_role", [uid, "subscriber", []]), got
        assert got[1][0] == "user_register" and got[1][1][0] == uid, got
        data = got[1][1][1]
        assert data["user_login"] == "new@example.com" and data["first_name"] == "Nia", data
        assert got[2:] == [
            ("wpf_tags_applied", [uid, ["gold", "vip"]]),
            ("wpf_tags_modified", [uid, ["gold", "vip"]]),
            ("wpf_user_imported", [uid, {"user_email": "new@example.com", "first_name": "Nia",
                                         "last_name": "Lee", "role": "subscriber"}]),
        ], got
        # WP Fusion's webhook context: no user, the webhook flag set.
        assert all(r["user"] == 0 and r["webhook"] for r in rows), rows
        # Listeners read the new data.
        seen = [r["args"] for r in rows if r["hook"] == "seen"]
        assert seen == [[uid, ["gold", "vip"], "new@example.com", ["subscriber"]]], seen
        assert s.rows() == (), s.rows()


def test_add_with_role(t, server):
    with Site(t) as s:
        t.contact(42, tags=[], email="new@example.com")
        a = t.hook(server, "add", 42, role="author")
        assert a.status == 200 and a.outcome == "created", a
        uid = a.results[0]["user_id"]
        got = seq(s.wait_count("wpf_user_imported", 1))
        assert got[0] == ("set_user_role", [uid, "author", []]), got
        assert [g[0] for g in got] == ["set_user_role", "user_register", "wpf_tags_modified",
                                       "wpf_user_imported"], got
        assert got[2] == ("wpf_tags_modified", [uid, []]), got
test_add_with_role.servers = ONE


def test_update_of_fields(t, server):
    with Site(t) as s:
        uid = user(t, "ann", 42, tags=["a"])
        t.contact(42, tags=["a"], email="ann.new@example.com", firstname="Ann")
        a = t.hook(server, "update", 42)
        assert a.status == 200 and a.outcome == "updated", a
        got = seq(s.wait_count("wpf_tags_modified", 1))
        assert got == [
            ("profile_update", [uid, "ann@example.com",
                                {"ID": uid, "user_email": "ann.new@example.com",
                                 "first_name": "Ann"}]),
            ("wpf_user_updated", [uid, {"user_email": "ann.new@example.com",
                                        "first_name": "Ann"}]),
            ("wpf_tags_modified", [uid, ["a"]]),
        ], got


def test_plugin_fields_are_set_through_wp_fusion(t, server):
    """A mapped field another plugin owns (BuddyPress xprofile) is not
    written as usermeta: the drain hands it to WP Fusion's set_user_meta(),
    so that the plugin's own filters store it, then tells wpf_user_updated."""
    with Site(t, wpf=True) as s:
        t.config(events__outbox="yes", fields__bbp_field_3="city")
        uid = user(t, "ann", 42, tags=["a"])
        t.contact(42, tags=["a"], email="ann@example.com", city="Berlin")
        a = t.hook(server, "update", 42)
        assert a.status == 200, a
        assert "handed to WordPress" in a.results[0].get("note", ""), a
        got = seq(s.wait_count("wpf_tags_modified", 1))
        assert got == [
            ("set_user_meta", [uid, {"bbp_field_3": "Berlin"}]),
            ("wpf_user_updated", [uid, {"bbp_field_3": "Berlin"}]),
            ("wpf_tags_modified", [uid, ["a"]]),
        ], got
        assert t.meta(uid, "bbp_field_3") is None


def test_update_of_the_role(t, server):
    with Site(t, wpf=True) as s:
        uid = user(t, "ann", 42, tags=["a"])
        t.contact(42, tags=["a", "b"], email="ann@example.com")
        a = t.hook(server, "update", 42, role="author")
        assert a.status == 200 and a.outcome == "updated", a
        rows = s.wait_count("wpf_tags_modified", 1)
        got = seq(rows)
        assert got == [
            ("set_user_role", [uid, "author", ["subscriber"]]),
            ("wpf_tags_applied", [uid, ["b"]]),
            ("wpf_tags_modified", [uid, ["a", "b"]]),
        ], got
        # WP Fusion present: its push-back listeners stay silent, though a
        # listener wrote usermeta meanwhile.
        time.sleep(0.3)
        assert not [r for r in s.hooks() if r["hook"].startswith("PUSHBACK")], s.hooks()
        assert t.meta(uid, "mwr_touched") == "1"


def test_update_tags_adding_removing_and_unchanged(t, server):
    with Site(t, wpf=True) as s:
        uid = user(t, "ann", 42, tags=["a", "b"])
        t.contact(42, tags=["a", "b", "c"])
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        s.wait_count("wpf_tags_modified", 1)
        t.contact(42, tags=["c"])
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        s.wait_count("wpf_tags_modified", 2)
        t.contact(42, tags=["c"])
        assert t.hook(server, "update_tags", 42).outcome == "unchanged"
        got = seq(s.wait_count("wpf_tags_modified", 3))
        assert got == [
            ("wpf_tags_applied", [uid, ["c"]]),
            ("wpf_tags_modified", [uid, ["a", "b", "c"]]),
            ("wpf_tags_removed", [uid, ["a", "b"]]),
            ("wpf_tags_modified", [uid, ["c"]]),
            ("wpf_tags_modified", [uid, ["c"]]),
        ], got
        assert not [r for r in s.hooks() if r["hook"].startswith("PUSHBACK")], s.hooks()
        # [events] unchanged = no: a load that changes nothing is silent.
        t.config(events__outbox="yes", events__unchanged="no")
        assert t.hook(server, "update_tags", 42).outcome == "unchanged"
        time.sleep(1)
        assert len(s.hooks(["wpf_tags_modified"])) == 3
        assert t.sql("SELECT COUNT(*) FROM wp_mautic_wp_events")[0][0] == 0


def test_hostile_tag_names_reach_listeners_as_data(t, server):
    with Site(t) as s:
        uid = user(t, "ann", 42, tags=[])
        evil = ["<script>alert(1)</script>", "'); DROP TABLE wp_users; --", "a\"b\\c",
                "wpf_tags_applied", "O:8:\"stdClass\":0:{}", "ünï ☃"]
        t.contact(42, tags=evil)
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        got = seq(s.wait_count("wpf_tags_modified", 1))
        # The list as Mautic keeps it (it cleans markup) and as stored.
        stored = got[1][1][1]
        assert t.meta(uid, "mautic_tags") == php_strlist(stored), (stored, t.meta(uid, "mautic_tags"))
        assert "'); DROP TABLE wp_users; --" in stored and "wpf_tags_applied" in stored, stored
        assert "O:8:\"stdClass\":0:{}" in stored and "ünï ☃" in stored and "a\"b\\c" in stored, stored
        assert got == [("wpf_tags_applied", [uid, stored]), ("wpf_tags_modified", [uid, stored])], got
        assert t.sql("SELECT COUNT(*) FROM wp_users")[0][0] >= 2
test_hostile_tag_names_reach_listeners_as_data.servers = ONE


def test_signed_batch_of_ten_pings_once(t, server):
    with Site(t) as s:
        uids = [user(t, f"u{i}", 100 + i, tags=["old"]) for i in range(10)]
        from mw import ACCESS_KEY, WEBHOOK_SECRET, signature
        t.config(events__outbox="yes", webhook__secret=WEBHOOK_SECRET)
        for i in range(10):
            t.contact(100 + i, tags=[f"t{i}"], email=f"u{i}@example.com")
        body = t.payload([{"type": "mautic.lead_post_save_update", "contact_id": 100 + i}
                          for i in range(10)])
        mark = os.path.getsize(os.path.join(t.env["MW_LOG_DIR"], "wp-access.log"))
        a = t.call(server, {"wpf_action": "update_tags", "access_key": ACCESS_KEY},
                   method="POST", body=body, ctype="application/json",
                   headers={"Webhook-Signature": signature(body)})
        assert a.status == 200 and len(a.results) == 10, a
        rows = s.wait_count("wpf_tags_modified", 10)
        mod = [r["args"] for r in rows if r["hook"] == "wpf_tags_modified"]
        assert sorted(mod) == sorted([[uids[i], [f"t{i}"]] for i in range(10)]), mod
        rem = [r["args"] for r in rows if r["hook"] == "wpf_tags_removed"]
        assert sorted(rem) == sorted([[u, ["old"]] for u in uids]), rem
        # Apache logs the ping's request when the drain it ran has ended,
        # which may be after the listeners' rows are in.
        def drain_pings():
            with open(os.path.join(t.env["MW_LOG_DIR"], "wp-access.log")) as f:
                f.seek(mark)
                return [x for x in f if "mautic-wp-drain" in x]
        deadline = time.time() + 10
        while not drain_pings() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # a second ping would be logged by now
        pings = drain_pings()
        assert len(pings) == 1, pings
        assert " 202 " in pings[0], pings


def test_dry_run_and_failed_transaction_record_nothing(t, server):
    with Site(t) as s:
        uid = user(t, "ann", 42, tags=["a"])
        t.contact(42, tags=["a", "b"], email="ann@example.com", firstname="Zed")
        a = t.hook(server, "update", 42, dry_run=1, role="author")
        assert a.status == 200 and '"dry_run":true' in a.raw, a
        # A transaction that fails: the user's row is held past the lock
        # wait, so the update rolls back (503).
        db = t.db()
        try:
            cur = db.cursor()
            cur.execute("BEGIN")
            cur.execute("SELECT ID FROM wp_users WHERE ID = %s FOR UPDATE", (uid,))
            a = t.hook(server, "update", 42, role="author")
            assert a.status == 503, a
        finally:
            db.rollback()
            db.close()
        time.sleep(1)
        assert s.hooks() == [], s.hooks()
        rows = t.sql("SHOW TABLES LIKE 'wp_mautic_wp_events'")
        assert rows == () or t.sql("SELECT COUNT(*) FROM wp_mautic_wp_events")[0][0] == 0
        assert t.meta(uid, "first_name") in (None, ""), "the failed update was not rolled back"
        # The same webhook once the row is free goes through, and fires.
        a = t.hook(server, "update", 42, role="author")
        assert a.status == 200 and a.outcome == "updated", a
        got = seq(s.wait_count("wpf_tags_modified", 1))
        assert [g[0] for g in got] == ["profile_update", "set_user_role", "wpf_user_updated",
                                       "wpf_tags_applied", "wpf_tags_modified"], got
test_dry_run_and_failed_transaction_record_nothing.servers = ONE


# ---- concurrency, failures, WordPress away -----------------------------------

def test_200_webhooks_two_drains_exactly_once_in_order(t, server):
    with Site(t) as s:
        users = {100 + i: user(t, f"u{i}", 100 + i, tags=[]) for i in range(20)}
        no_ping(t)
        for k in range(10):
            for cid in users:
                t.contact(cid, tags=[f"v{k}"])
                a = t.hook(server, "update_tags", cid)
                assert a.status == 200 and a.outcome == "updated", a
        assert s.pending() == 200
        assert s.hooks() == []
        with open(s.log + ".slow", "w"):
            pass
        res = []
        th = [threading.Thread(target=lambda: res.append(s.ping())) for _ in range(2)]
        for x in th:
            x.start()
        for x in th:
            x.join()
        assert [r[0] for r in res] == [202, 202], res
        rows = s.wait_count("wpf_tags_modified", 200, timeout=60)
        s.wait_drained()
        time.sleep(0.5)
        rows = s.hooks(["wpf_tags_modified"])
        assert len(rows) == 200, len(rows)
        for cid, uid in users.items():
            mine = [r["args"][1] for r in rows if r["args"][0] == uid]
            assert mine == [[f"v{k}"] for k in range(10)], (uid, mine)
        # Both drains delivered (each event once, each user's in order).
        assert len({r["pid"] for r in rows}) == 2, {r["pid"] for r in rows}
test_200_webhooks_two_drains_exactly_once_in_order.servers = ONE
test_200_webhooks_two_drains_exactly_once_in_order.volume = True


def test_listener_that_dies_is_retried_then_parked(t, server):
    with Site(t) as s:
        t.sql("CREATE TABLE wp_wpf_logging (log_id bigint(20) unsigned NOT NULL auto_increment,"
              " timestamp datetime NOT NULL, level smallint(4) NOT NULL, user bigint(20) unsigned,"
              " source varchar(200) NOT NULL, message longtext NOT NULL, context longtext,"
              " PRIMARY KEY (log_id))")
        ann = user(t, "ann", 42, tags=[])
        bob = user(t, "bob", 43, tags=[])
        t.contact(42, tags=["die-here"])
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        # Three tries (the recorder's limit), a second apart, then parked.
        s.wait(lambda rows: sum(r["hook"] == "dying" for r in rows) >= 3, timeout=30,
               what="three deliveries that die")
        wait_until(lambda: t.sql("SELECT parked FROM wp_mautic_wp_events")
                   == ((1,),), 10, "the event parked")
        # Later events, for the same user and for another, still go.
        t.contact(43, tags=["fine"])
        assert t.hook(server, "update_tags", 43).outcome == "updated"
        t.contact(42, tags=["later"])
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        rows = s.wait(lambda rows: sum(r["hook"] == "wpf_tags_modified" and
                                       r["args"][1] in (["fine"], ["later"]) for r in rows) >= 2,
                      what="the later events")
        assert sum(r["hook"] == "dying" for r in rows) == 3, rows
        row = s.rows()
        assert len(row) == 1 and row[0][1] == ann and row[0][3] == 3 and row[0][4] == 1, row
        assert "ended inside a listener" in row[0][5], row
        log = t.sql("SELECT level, user, source, message FROM wp_wpf_logging"
                    " WHERE source = 'mautic-wp'")
        assert len(log) == 1 and log[0][0] == 500 and log[0][1] == ann, log
        assert log[0][2] == "mautic-wp" and "3 times" in log[0][3], log
        assert bob
        from test_operators import run_cgi
        rc, out, err = run_cgi(t, "--check")
        assert rc == 1 and re.search(r"^FAIL\s+events\s+0 event\(s\) pending, oldest 0 s;"
                                     r" 1 parked .*ended inside a listener", out, re.M), out


def test_listener_that_throws_does_not_block_others(t, server):
    with Site(t) as s:
        ann = user(t, "ann", 42, tags=[])
        bob = user(t, "bob", 43, tags=[])
        no_ping(t)
        t.contact(42, tags=["throw-here"])
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        t.contact(43, tags=["fine"])
        assert t.hook(server, "update_tags", 43).outcome == "updated"
        assert s.ping()[0] == 202
        rows = s.wait(lambda rows: any(r["hook"] == "wpf_tags_modified" and r["args"] == [bob, ["fine"]]
                                       for r in rows), what="bob's event")
        wait_until(lambda: s.rows() and s.rows()[0][3] == 1 and s.rows()[0][4] == 0, 10,
                   "ann's event backing off")
        assert "RuntimeException: listener threw" in s.rows()[0][5], s.rows()
        assert ann
test_listener_that_throws_does_not_block_others.servers = ONE


def test_wordpress_down_then_everything_delivered(t, server):
    with Site(t) as s:
        uids = [user(t, f"u{i}", 100 + i, tags=[]) for i in range(3)]
        env = dict(os.environ)
        subprocess.run([os.path.join(STACK, "down.sh"), "wordpress"], env=env, check=True,
                       capture_output=True)
        try:
            for i in range(3):
                t.contact(100 + i, tags=[f"x{i}"])
                t0 = time.monotonic()
                a = t.hook(server, "update_tags", 100 + i)
                assert a.status == 200 and a.outcome == "updated", a
                assert time.monotonic() - t0 < 2, "the answer waited for WordPress"
            assert s.pending() == 3
        finally:
            subprocess.run([os.path.join(STACK, "wordpress-up.sh")], env=env, check=True,
                           capture_output=True)
        # WordPress is back: the next webhook's ping drains everything.
        t.contact(100, tags=["x0", "back"])
        assert t.hook(server, "update_tags", 100).outcome == "updated"
        rows = s.wait_count("wpf_tags_modified", 4)
        mod = [r["args"] for r in rows if r["hook"] == "wpf_tags_modified"]
        assert mod == [[uids[0], ["x0"]], [uids[1], ["x1"]], [uids[2], ["x2"]],
                       [uids[0], ["back", "x0"]]], mod
test_wordpress_down_then_everything_delivered.servers = ONE
test_wordpress_down_then_everything_delivered.timing = True


def test_other_object_cache_is_coherent_after_the_drain(t, server):
    with Site(t, cache=True) as s:
        uid = user(t, "ann", 42, tags=["old"])
        first = s.peek(uid)
        assert first["cache"] == "MWR_File_Cache" and first["tags"] == ["old"], first
        assert first["email"] == "ann@example.com" and first["roles"] == ["subscriber"], first
        no_ping(t)
        t.contact(42, tags=["new"], email="ann.new@example.com", firstname="Ann")
        a = t.hook(server, "update", 42, role="author")
        assert a.status == 200 and a.outcome == "updated", a
        # Before the drain the drop-in still serves the old user: the
        # database alone is not enough.
        stale = s.peek(uid)
        assert stale["tags"] == ["old"] and stale["email"] == "ann@example.com", stale
        assert s.ping()[0] == 202
        s.wait_count("wpf_tags_modified", 1)
        s.wait_drained()
        fresh = s.peek(uid)
        assert fresh["tags"] == ["new"] and fresh["email"] == "ann.new@example.com", fresh
        assert fresh["first_name"] == "Ann" and fresh["roles"] == ["author"], fresh
test_other_object_cache_is_coherent_after_the_drain.servers = ONE


def test_mail_transport_wordpress_sends_wordpress_own_mail(t, server):
    with Site(t, mail=True) as s:
        t.config(events__outbox="yes", mail__transport="wordpress")
        t.contact(42, tags=[], email="nia@example.com", firstname="Nia")
        a = t.hook(server, "add", 42, send_notification="true")
        assert a.status == 200 and a.outcome == "created", a
        s.wait_count("wpf_user_imported", 1)
        wait_until(lambda: t.mails(), 10, "a mail in the SMTP sink")
        mails = t.mails()
        assert len(mails) == 1, mails
        m = mails[0]
        text = json.dumps(m)
        assert "nia@example.com" in text and "Filtered welcome for nia@example.com" in text, m
        assert "filtered by the site" in text and "wp-login.php" in text, m
        # The key in the link is WordPress's own: the stored activation key
        # was made by get_password_reset_key(), not by the program.
        assert t.sql("SELECT user_activation_key FROM wp_users WHERE user_email = %s",
                     ("nia@example.com",))[0][0] != ""
test_mail_transport_wordpress_sends_wordpress_own_mail.servers = ONE


# ---- the drain endpoint --------------------------------------------------------

def test_drain_refuses_unsigned_wrong_stale_and_replayed_pings(t, server):
    with Site(t) as s:
        uid = user(t, "ann", 42, tags=[])
        no_ping(t)
        t.contact(42, tags=["a"])
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        key = s.key()
        assert key and len(key) == 64
        nonce = secrets.token_hex(16)
        refused = [
            s.ping(headers={}),                                   # unsigned
            s.ping(key="0" * 64),                                 # wrong key
            s.ping(sig="f" * 64),                                 # wrong signature
            s.ping(ts=int(time.time()) - 3600),                   # stale
            s.ping(method="GET"),                                 # not a POST
        ]
        assert [r[0] for r in refused] == [403] * 5, refused
        assert all(key not in r[1] and "mautic_tags" not in r[1] for r in refused), refused
        time.sleep(0.5)
        assert s.hooks() == [] and s.pending() == 1
        ok = s.ping(nonce=nonce, ts=int(time.time()))
        assert ok[0] == 202 and ok[1] == "", ok
        s.wait_count("wpf_tags_modified", 1)
        # The same signed request again: replayed.
        ts = int(time.time())
        first = s.ping(nonce=secrets.token_hex(16))
        assert first[0] == 202
        sig = hmac.new(key.encode(), f"{ts}.{nonce}".encode(), hashlib.sha256).hexdigest()
        again = s.ping(headers={"X-Mautic-WP-Time": str(ts), "X-Mautic-WP-Nonce": nonce,
                                "X-Mautic-WP-Signature": sig})
        assert again[0] == 403, again
        assert uid
        # --check counts a drain that accepted a signed ping as installed.
        from test_operators import run_cgi
        rc, out, err = run_cgi(t, "--check")
        assert re.search(r"^ok\s+mu-plugin\s+the drain accepted a signed ping \d+ s ago", out,
                         re.M), out
        assert re.search(r"^ok\s+events\s+0 event\(s\) pending", out, re.M), out
test_drain_refuses_unsigned_wrong_stale_and_replayed_pings.servers = ONE


def test_without_the_mu_plugin_nothing_fires_and_check_says_so(t, server):
    with Site(t, plugin=False) as s:
        uid = user(t, "ann", 42, tags=[])
        t.contact(42, tags=["a"])
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        time.sleep(0.5)
        assert s.hooks() == [] and s.pending() == 1
        from test_operators import run_cgi
        rc, out, err = run_cgi(t, "--check")
        assert re.search(r"^warn\s+mu-plugin\s+not installed", out, re.M), out
        assert re.search(r"^ok\s+events\s+1 event\(s\) pending", out, re.M), out
        assert uid
        # With [wordpress] wp_config, the file is looked for next to it.
        wpc = os.path.join(t.state, "wordpress", "wp-config.php")
        with open(wpc, "w") as f:
            f.write("<?php\n$table_prefix = 'wp_';\nrequire_once ABSPATH . 'wp-settings.php';\n")
        try:
            t.config(events__outbox="yes", wordpress__wp_config=wpc)
            rc, out, err = run_cgi(t, "--check")
            assert re.search(r"^warn\s+mu-plugin\s+not installed in " + re.escape(s.mu), out,
                             re.M), out
            shutil.copy(PLUGIN, os.path.join(s.mu, "mautic-wp.php"))
            rc, out, err = run_cgi(t, "--check")
            assert re.search(r"^ok\s+mu-plugin\s+" + re.escape(s.mu) +
                             r"/mautic-wp.php is installed", out, re.M), out
        finally:
            os.unlink(wpc)
test_without_the_mu_plugin_nothing_fires_and_check_says_so.servers = ONE


def test_old_events_are_deleted_and_warned_about_once_a_day(t, server):
    with Site(t, plugin=False):  # nothing drains
        uid = user(t, "ann", 42, tags=[])
        t.contact(42, tags=["a"])
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        old = int(time.time()) - 8 * 86400
        ins = ("INSERT INTO wp_mautic_wp_events (user_id, contact_id, created, payload)"
               " VALUES (%s, 42, %s, '{}')")
        t.sql(ins, (uid, old))
        t.sql(ins, (uid, old))
        # One event id in 64 prunes: the next one is 128.
        t.sql("ALTER TABLE wp_mautic_wp_events AUTO_INCREMENT = 128")
        mark = t.log_mark(server)
        t.contact(42, tags=["b"])
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        ids = [r[0] for r in t.sql("SELECT id FROM wp_mautic_wp_events ORDER BY id")]
        assert ids == [1, 128], ids
        log = t.log_since(server, mark)
        assert "deleted 2 outbox events older than 7 days" in log, log
        # The same day again: deleted, and no second warning.
        t.sql(ins, (uid, old))
        t.sql("ALTER TABLE wp_mautic_wp_events AUTO_INCREMENT = 192")
        mark = t.log_mark(server)
        t.contact(42, tags=["c"])
        assert t.hook(server, "update_tags", 42).outcome == "updated"
        ids = [r[0] for r in t.sql("SELECT id FROM wp_mautic_wp_events ORDER BY id")]
        assert ids == [1, 128, 192], ids
        assert "outbox events older" not in t.log_since(server, mark)
test_old_events_are_deleted_and_warned_about_once_a_day.servers = ONE
