<?php
// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wptext_parity.php - what WordPress itself stores for each input of
 * tests/data/wptext-cases.txt, to compare with lib/formats/wptext*.c.
 *
 *   php tests/unit/wptext_parity.php [cases-file] > php.out
 *
 * Loads WordPress's own plugin API, formatting, kses, block and URL code
 * (WP_DIR, default /usr/share/wordpress; no database, no wp-load.php) and
 * registers the real default-filters.php, so every field goes through the
 * filter chain wp_insert_user() applies.  Inputs are passed slashed, as
 * wp_create_user(), the REST API and wp-admin do, and unslashed at the end,
 * as wp_insert_user() does before its INSERT.
 *
 * Cases file: one input per line; \n \t \r \\ and \xNN are decoded; a line
 * starting with "# " is a comment (write a leading '#' as \x23).
 *
 * Output: "<case>\t<field>\t<value>" lines, values escaped the same way
 * (bytes < 0x20, 0x7f and '\' escaped; other bytes raw).  Fields:
 *   in      the input
 *   login   sanitize_user(x, true), trimmed, cut to 60 characters and
 *           trimmed again; "!ERR" when empty() (wp_insert_user refuses it)
 *   loginms the same on multisite (wpmu_create_user strips whitespace,
 *           the sanitize_user filter lower-cases)
 *   nice    sanitize_title(mb_substr(login, 0, 50)); "-" without a login
 *   nice2   the collision form with suffix 2, nice10 with suffix 10
 *   display pre_user_display_name (also first/last name and nickname)
 *   desc    pre_user_description; "" for empty() input; "!ERR" when the
 *           result is not valid UTF-8 (wpdb refuses to write it)
 *   email   two digits: is_email(x) && sanitize_email(x) === x, then that
 *           and pre_user_email leaves x unchanged and strlen(x) <= 100
 *   url     pre_user_url; "" for empty() input; "!ERR" when longer than
 *           100 characters (user_url_too_long) or not valid UTF-8
 *   text    sanitize_text_field() alone (what WP Fusion applies to the
 *           values it imports)
 */

$wp = getenv('WP_DIR') ?: '/usr/share/wordpress';
define('ABSPATH', rtrim($wp, '/') . '/');
define('WPINC', 'wp-includes');

/* Stubs for the option and locale API (no database). */
function is_admin() { return false; }
function get_option($option, $default = false) {
	return 'blog_charset' === $option ? 'UTF-8' : $default;
}
function wp_load_alloptions($force_cache = false) {
	return array('blog_charset' => 'UTF-8');
}
function get_locale() { return 'en_US'; }

/* Define only the named functions of a WordPress file, from its source. */
function wpf_import($file, $names) {
	$toks = token_get_all(file_get_contents($file));
	$n = count($toks);
	for ($i = 0; $i < $n; $i++) {
		if (!is_array($toks[$i]) || T_FUNCTION !== $toks[$i][0])
			continue;
		$j = $i + 1;
		while (is_array($toks[$j]) && T_WHITESPACE === $toks[$j][0])
			$j++;
		if (!is_array($toks[$j]) || !in_array($toks[$j][1], $names, true))
			continue;
		$src = '';
		$depth = 0;
		for ($k = $i; $k < $n; $k++) {
			$t = $toks[$k];
			$s = is_array($t) ? $t[1] : $t;
			$src .= $s;
			if ('{' === $s || (is_array($t) && (T_CURLY_OPEN === $t[0] ||
			    T_DOLLAR_OPEN_CURLY_BRACES === $t[0]))) {
				$depth++;
			} elseif ('}' === $s && 0 === --$depth) {
				break;
			}
		}
		eval($src);
	}
	foreach ($names as $f) {
		if (!function_exists($f)) {
			fwrite(STDERR, "wptext_parity: $f not found in $file\n");
			exit(2);
		}
	}
}

require ABSPATH . WPINC . '/plugin.php';
wpf_import(ABSPATH . WPINC . '/functions.php', array('wp_allowed_protocols',
	'mbstring_binary_safe_encoding', 'reset_mbstring_encoding',
	'wp_json_encode', '_wp_json_sanity_check', '_wp_json_convert_string'));
require ABSPATH . WPINC . '/formatting.php';
require ABSPATH . WPINC . '/kses.php';
require ABSPATH . WPINC . '/http.php';
require ABSPATH . WPINC . '/blocks.php';
require ABSPATH . WPINC . '/class-wp-block-parser.php';
require ABSPATH . WPINC . '/default-filters.php';

function wpf_decode($line) {
	return preg_replace_callback('/\\\\(x[0-9a-fA-F]{2}|.)/s', function ($m) {
		switch ($m[1][0]) {
		case 'n': return "\n";
		case 't': return "\t";
		case 'r': return "\r";
		case 'x': return chr(hexdec(substr($m[1], 1)));
		default: return $m[1];
		}
	}, $line);
}

function wpf_escape($s) {
	$o = '';
	$n = strlen($s);
	for ($i = 0; $i < $n; $i++) {
		$c = $s[$i];
		$b = ord($c);
		if ("\\" === $c)
			$o .= "\\\\";
		elseif ("\n" === $c)
			$o .= "\\n";
		elseif ("\t" === $c)
			$o .= "\\t";
		elseif ("\r" === $c)
			$o .= "\\r";
		elseif ($b < 0x20 || 0x7f === $b)
			$o .= sprintf('\\x%02x', $b);
		else
			$o .= $c;
	}
	return $o;
}

function wpf_utf8($s) {
	return 1 === preg_match('//u', $s);
}

/* The login as wp_insert_user() stores it, cut to 60 characters. */
function wpf_login($x, $multisite) {
	if ($multisite) {
		add_filter('sanitize_user', 'strtolower');
		$x = preg_replace('/\s+/', '', sanitize_user($x, true));
	}
	$login = trim(apply_filters('pre_user_login',
	    sanitize_user(wp_slash($x), true)));
	if ($multisite)
		remove_filter('sanitize_user', 'strtolower');
	$login = trim(mb_substr($login, 0, 60));
	return empty($login) ? null : wp_unslash($login);
}

function wpf_nicename_suffix($nice, $suffix) {
	return mb_substr($nice, 0, 49 - mb_strlen($suffix)) . "-$suffix";
}

function wpf_filter($hook, $x) {
	return wp_unslash(apply_filters($hook, wp_slash($x)));
}

$file = $argv[1] ?? __DIR__ . '/../data/wptext-cases.txt';
$lines = file($file, FILE_IGNORE_NEW_LINES);
if (false === $lines) {
	fwrite(STDERR, "wptext_parity: cannot read $file\n");
	exit(2);
}
$case = 0;
foreach ($lines as $line) {
	if (0 === strncmp($line, '# ', 2))
		continue;
	$x = wpf_decode($line);
	$out = array('in' => $x);

	$login = wpf_login($x, false);
	$out['login'] = $login ?? '!ERR';
	$ms = wpf_login($x, true);
	$out['loginms'] = $ms ?? '!ERR';
	if (null === $login) {
		$out['nice'] = '-';
		$out['nice2'] = '-';
		$out['nice10'] = '-';
	} else {
		$nice = apply_filters('pre_user_nicename',
		    sanitize_title(mb_substr($login, 0, 50)));
		$out['nice'] = $nice;
		$out['nice2'] = wpf_nicename_suffix($nice, 2);
		$out['nice10'] = wpf_nicename_suffix($nice, 10);
	}

	$out['display'] = wpf_filter('pre_user_display_name', $x);

	$desc = empty($x) ? '' : wpf_filter('pre_user_description', $x);
	$out['desc'] = wpf_utf8($desc) ? $desc : '!ERR';

	$basic = is_email($x) && sanitize_email($x) === $x;
	$full = $basic && wpf_filter('pre_user_email', $x) === $x &&
	    strlen($x) <= 100;
	$out['email'] = ($basic ? '1' : '0') . ($full ? '1' : '0');

	$url = empty($x) ? '' : wpf_filter('pre_user_url', $x);
	$out['url'] = (!wpf_utf8($url) || mb_strlen($url) > 100) ? '!ERR' : $url;

	$out['text'] = sanitize_text_field($x);

	foreach ($out as $k => $v)
		echo $case, "\t", $k, "\t", wpf_escape($v), "\n";
	$case++;
}
