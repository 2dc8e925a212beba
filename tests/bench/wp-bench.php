<?php
// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor of any PHP webhook handler (WP Fusion's included): boot
 * WordPress through wp-load.php (wp-settings.php: plugins, theme, init) and
 * write one usermeta row.  tests/bench/run.sh copies this file to
 * $MW_STATE/bench/, which the test WordPress serves at /bench/
 * (tests/stack/wordpress-up.sh), and also runs it with php-cli for its peak
 * RSS.
 *
 * Answer: {"ok":true,"user":1,"ms":N}; ms is the time from the start of
 * this script to the answer.
 */
$mw_t0 = microtime(true);
if (PHP_SAPI === 'cli') {
    // Debian's wp-config.php picks its config from these.
    $_SERVER['HTTP_HOST'] = getenv('MW_WP_HOST') ?: '127.0.0.1:18083';
    $_SERVER['WORDPRESS_CONFIG'] = getenv('WP_CONFIG_NAME') ?: 'mwtest';
    $_SERVER['REQUEST_URI'] = '/bench/wp-bench.php';
}
require '/usr/share/wordpress/wp-load.php';

// One row: user 1 (the fresh site's admin) exists in every test database.
// The value is new on every request (update_user_meta() answers false when
// the value is already stored), so this is a real UPDATE (an INSERT the
// first time).
$mw_ok = update_user_meta(1, 'mw_bench_last',
    sprintf('%.6f %s', microtime(true), bin2hex(random_bytes(6))));

header('Content-Type: application/json');
header('Cache-Control: no-store');
if ($mw_ok === false) {
    http_response_code(500);
}
echo json_encode(array(
    'ok' => $mw_ok !== false,
    'user' => 1,
    'ms' => round((microtime(true) - $mw_t0) * 1000, 2),
    'db_error' => $mw_ok === false ? $GLOBALS['wpdb']->last_error : null,
)), "\n";
