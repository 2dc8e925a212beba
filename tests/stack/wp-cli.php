<?php
// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A tiny command-line window into the test WordPress (tests/stack/
 * wordpress-up.sh): it loads Debian's /usr/share/wordpress with the same
 * /etc/wordpress/config-$WP_CONFIG_NAME.php as the web server (default
 * mwtest) and prints one JSON document on stdout.
 *
 * Usage: php tests/stack/wp-cli.php COMMAND ARG...
 *   check-password LOGIN PASSWORD   {"ok":bool,"error":code|null,"ID":n|null}
 *                                   through wp_authenticate() (LOGIN may be
 *                                   the e-mail address, as in wp-login.php)
 *   user LOGIN                      the user as WordPress sees it: wp_users
 *                                   columns, roles, caps, allcaps_count,
 *                                   user_level, meta (all usermeta,
 *                                   unserialized; a key with several rows
 *                                   maps to a list and is named in
 *                                   meta_multi), or {"error":"not_found"}
 *   check-reset-key LOGIN KEY       {"ok":bool,"error":code|null} through
 *                                   check_password_reset_key()
 *   create-user LOGIN PASSWORD EMAIL ROLE [FIRST [LAST]]
 *                                   {"ID":n} from the real wp_insert_user(),
 *                                   or {"error":code,"message":...}
 *   wpf-tags LOGIN                  get_user_meta(ID, 'mautic_tags', true)
 *
 * Exit status: 0 done (also for ok:false), 1 a command error (the JSON has
 * "error"), 2 usage or setup errors.
 * Env: WP_CONFIG_NAME (default mwtest), MW_WP_URL (default
 * http://127.0.0.1:18083; only its host:port is used, as HTTP_HOST).
 * Runs as root or any user that can read the config (root:www-data 0640).
 */

if (PHP_SAPI !== 'cli') {
    exit(2);
}
ini_set('display_errors', 'stderr');
error_reporting(E_ALL & ~E_DEPRECATED & ~E_NOTICE);

function mw_out($data, $rc = 0)
{
    // Whatever WordPress printed while loading goes to stderr, so stdout
    // holds only the JSON.
    while (ob_get_level() > 0) {
        $junk = ob_get_clean();
        if ($junk !== '' && $junk !== false) {
            fwrite(STDERR, $junk);
        }
    }
    echo json_encode($data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
        | JSON_INVALID_UTF8_SUBSTITUTE | JSON_PRESERVE_ZERO_FRACTION), "\n";
    exit($rc);
}

$usage = 'usage: php wp-cli.php check-password LOGIN PASSWORD | user LOGIN |'
    . ' check-reset-key LOGIN KEY | create-user LOGIN PASSWORD EMAIL ROLE'
    . ' [FIRST [LAST]] | wpf-tags LOGIN';
$argn = array(
    'check-password' => array(2, 2),
    'user' => array(1, 1),
    'check-reset-key' => array(2, 2),
    'create-user' => array(4, 6),
    'wpf-tags' => array(1, 1),
);
$cmd = $argv[1] ?? '';
$args = array_slice($argv, 2);
if (!isset($argn[$cmd]) || count($args) < $argn[$cmd][0]
    || count($args) > $argn[$cmd][1]) {
    fwrite(STDERR, $usage . "\n");
    mw_out(array('error' => 'usage', 'message' => $usage), 2);
}

$config_name = getenv('WP_CONFIG_NAME') ?: 'mwtest';
if (!preg_match('/^[a-zA-Z0-9-]+$/', $config_name)) {
    mw_out(array('error' => 'setup', 'message' => "bad WP_CONFIG_NAME $config_name"), 2);
}
$config_file = "/etc/wordpress/config-$config_name.php";
if (!is_readable($config_file)) {
    mw_out(array('error' => 'setup',
        'message' => "$config_file missing or unreadable: run tests/stack/wordpress-up.sh"), 2);
}
$url = parse_url(getenv('MW_WP_URL') ?: 'http://127.0.0.1:18083');
$host = ($url['host'] ?? '127.0.0.1') . (isset($url['port']) ? ':' . $url['port'] : '');

// What Debian's wp-config.php and wp-settings.php look at.
$_SERVER['WORDPRESS_CONFIG'] = $config_name;
$_SERVER['HTTP_HOST'] = $host;
$_SERVER['SERVER_NAME'] = $url['host'] ?? '127.0.0.1';
$_SERVER['SERVER_PORT'] = (string) ($url['port'] ?? 80);
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
define('WP_USE_THEMES', false);

ob_start();
// At file scope: wp-config.php's variables ($table_prefix) must be global.
require '/usr/share/wordpress/wp-load.php';

function mw_user_or_fail($login)
{
    $user = get_user_by('login', $login);
    if (!$user) {
        mw_out(array('error' => 'not_found', 'message' => "no user $login"), 1);
    }
    return $user;
}

function mw_error($e)
{
    return array('error' => $e->get_error_code(),
        'message' => html_entity_decode(wp_strip_all_tags($e->get_error_message())));
}

switch ($cmd) {
case 'check-password':
    $r = wp_authenticate($args[0], $args[1]);
    if (is_wp_error($r)) {
        mw_out(array('ok' => false, 'error' => $r->get_error_code(), 'ID' => null));
    }
    mw_out(array('ok' => true, 'error' => null, 'ID' => (int) $r->ID));

case 'user':
    $u = mw_user_or_fail($args[0]);
    $meta = array();
    $multi = array();
    foreach (get_user_meta($u->ID) as $key => $values) {
        $values = array_map('maybe_unserialize', $values);
        if (count($values) === 1) {
            $meta[$key] = $values[0];
        } else {
            $meta[$key] = $values;
            $multi[] = $key;
        }
    }
    mw_out(array(
        'ID' => (int) $u->ID,
        'user_login' => $u->user_login,
        'user_email' => $u->user_email,
        'user_nicename' => $u->user_nicename,
        'display_name' => $u->display_name,
        'user_url' => $u->user_url,
        'user_registered' => $u->user_registered,
        'user_status' => (int) $u->user_status,
        'user_activation_key' => $u->user_activation_key,
        'user_pass' => $u->user_pass,
        'roles' => array_values($u->roles),
        'caps' => (object) $u->caps,
        'allcaps_count' => count($u->allcaps),
        'user_level' => (int) $u->user_level,
        'meta' => (object) $meta,
        'meta_multi' => $multi,
    ));

case 'check-reset-key':
    $r = check_password_reset_key($args[1], $args[0]);
    if (is_wp_error($r)) {
        mw_out(array('ok' => false, 'error' => $r->get_error_code()));
    }
    mw_out(array('ok' => true, 'error' => null, 'ID' => (int) $r->ID));

case 'create-user':
    $r = wp_insert_user(array(
        'user_login' => $args[0],
        'user_pass' => $args[1],
        'user_email' => $args[2],
        'role' => $args[3],
        'first_name' => $args[4] ?? '',
        'last_name' => $args[5] ?? '',
    ));
    if (is_wp_error($r)) {
        mw_out(mw_error($r), 1);
    }
    mw_out(array('ID' => (int) $r));

case 'wpf-tags':
    $u = mw_user_or_fail($args[0]);
    mw_out(get_user_meta($u->ID, 'mautic_tags', true));
}
