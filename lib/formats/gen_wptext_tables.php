<?php
// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen_wptext_tables.php - print lib/formats/wptext_tables.c, the data that
 * wptext*.c takes from WordPress, read from WordPress itself.
 *
 *   php lib/formats/gen_wptext_tables.php > lib/formats/wptext_tables.c
 *
 * WP_DIR names the WordPress tree (default /usr/share/wordpress, Debian's
 * package "wordpress").  Only plugin.php, functions.php, formatting.php and
 * kses.php are loaded: they define functions and globals and run nothing,
 * so no database or wp-config.php is needed.  What is read:
 *
 *   $allowedentitynames         kses.php, the named references kses keeps
 *   wp_kses_allowed_html()      the tags and attributes of each context
 *                               the user fields are filtered in
 *   wp_kses_uri_attributes()    attributes whose value is a URL
 *   wp_allowed_protocols()      the URL schemes kses and esc_url() keep
 *   remove_accents()            called on every character (UTF-8) and on
 *                               every byte 0x80..0xff (the ISO-8859-1
 *                               fallback), locale en_US
 *
 * The C code relies on some properties of this data; they are checked
 * here, and the script exits 1 with a message when one does not hold.
 */

$wp = rtrim(getenv('WP_DIR') ?: '/usr/share/wordpress', '/') . '/';
if (!is_file($wp . 'wp-includes/kses.php')) {
	fwrite(STDERR, "gen_wptext_tables: no WordPress at $wp\n");
	exit(1);
}
define('ABSPATH', $wp);
define('WPINC', 'wp-includes');
require ABSPATH . WPINC . '/version.php';
require ABSPATH . WPINC . '/plugin.php';
require ABSPATH . WPINC . '/functions.php';
require ABSPATH . WPINC . '/formatting.php';
require ABSPATH . WPINC . '/kses.php';

function fail($msg)
{
	fwrite(STDERR, "gen_wptext_tables: $msg\n");
	exit(1);
}

/* A C string literal of s: printable ASCII as is, other bytes as \xNN. */
function c_str($s)
{
	if (null === $s)
		return 'NULL';
	$o = '"';
	for ($i = 0; $i < strlen($s); $i++) {
		$b = ord($s[$i]);
		if ($b < 0x20 || $b > 0x7e || '"' === $s[$i] || '\\' === $s[$i])
			$o .= sprintf('\\x%02x', $b);
		else
			$o .= $s[$i];
	}
	return $o . '"';
}

/* Blanks from column col to column to, tabs where they reach a tab stop
 * (UseTab: Always in .clang-format). */
function pad($col, $to)
{
	$o = '';
	while ((intdiv($col, 8) + 1) * 8 <= $to) {
		$o .= "\t";
		$col = (intdiv($col, 8) + 1) * 8;
	}
	return $o . str_repeat(' ', $to - $col);
}

/* Rows "code, comment", indented one tab, with the comments aligned one
 * blank after the longest code, as clang-format aligns them. */
function rows($rows)
{
	$w = 0;
	foreach ($rows as $r)
		$w = max($w, strlen($r[0]));
	$o = '';
	foreach ($rows as $r)
		$o .= "\t" . $r[0] . pad(8 + strlen($r[0]), 8 + $w + 1) .
		    '/* ' . $r[1] . " */\n";
	return $o;
}

/* Space-separated words, as the C code searches them. */
function words($list, $what)
{
	foreach ($list as $w)
		if (!preg_match('/^[a-z0-9-]+$/', $w))
			fail("$what: \"$w\" is not a plain lower-case word");
	return implode(' ', $list);
}

/* A list of words as one or more string literals of at most 64 bytes. */
function word_lines($s)
{
	$lines = explode("\n", wordwrap($s, 62, " \n", true));
	return "\t\"" . implode("\"\n\t\"", $lines) . "\";\n";
}

/* "const size_t n = sizeof(a) / sizeof(a[0]);", broken as clang-format
 * breaks it when it does not fit 80 columns. */
function count_of($n, $a)
{
	$l = "const size_t $n = sizeof($a) / sizeof({$a}[0]);";
	if (strlen($l) <= 80)
		return "$l\n";
	return "const size_t $n =\n\tsizeof($a) / sizeof({$a}[0]);\n";
}

function entity_names()
{
	global $allowedentitynames;

	$names = $allowedentitynames;
	sort($names, SORT_STRING);
	$rows = array();
	foreach ($names as $n) {
		if (strlen($n) >= 16 || !ctype_alnum($n))
			fail("entity name \"$n\" does not fit char[16]");
		$c = html_entity_decode("&$n;", ENT_QUOTES | ENT_HTML5,
		    'UTF-8');
		$rows[] = array(c_str($n) . ',', sprintf('U+%04X',
		    mb_ord($c, 'UTF-8')));
	}
	/* htmlspecialchars() keeps the HTML 4.01 names: the C code takes
	 * them to be these names but "apos". */
	$html401 = array();
	foreach (get_html_translation_table(HTML_ENTITIES, ENT_QUOTES |
	    ENT_HTML401, 'UTF-8') as $ent)
		$html401[] = substr($ent, 1, -1);
	$html401 = array_diff($html401, array('#039'));
	sort($html401, SORT_STRING);
	if ($html401 !== array_values(array_diff($names, array('apos'))))
		fail('$allowedentitynames but "apos" differ from HTML 4.01');
	return "/* \$allowedentitynames of kses.php, sorted by strcmp(). */\n" .
	    "const char *const wptext_entity_names[] = {\n" . rows($rows) .
	    "};\n" . count_of('wptext_nentity_names', 'wptext_entity_names');
}

/* The contexts of enum kses_ctx: the filters whose wp_filter_kses() runs
 * with each.  All filters of one context must give the same tags. */
function kses_contexts()
{
	return array(
		'KSES_FIELD' => array('pre_user_display_name',
		    'pre_user_first_name', 'pre_user_last_name',
		    'pre_user_nickname', 'pre_user_email', 'pre_user_url'),
		'KSES_DESCRIPTION' => array('pre_user_description'),
	);
}

function kses_tags()
{
	$cols = array();
	$names = array();
	foreach (kses_contexts() as $ctx => $hooks) {
		$html = wp_kses_allowed_html($hooks[0]);
		foreach ($hooks as $h)
			if (wp_kses_allowed_html($h) !== $html)
				fail("$ctx: $h allows other tags than $hooks[0]");
		foreach ($html as $el => $attrs)
			foreach ($attrs as $a => $v)
				if (true !== $v)
					fail("$ctx: <$el $a> is not simply allowed");
		$cols[] = $html;
		$names = array_merge($names, array_keys($html));
	}
	$names = array_unique($names);
	sort($names, SORT_STRING);
	$o = "/* wp_kses_allowed_html() per element: the attributes allowed in each\n" .
	    " * context (space-separated), NULL where the element is not. */\n" .
	    "const struct ktag wptext_ktags[] = {\n";
	foreach ($names as $el) {
		$row = array();
		foreach ($cols as $html)
			$row[] = isset($html[$el]) ? c_str(words(array_keys(
			    $html[$el]), "<$el>")) : 'NULL';
		$o .= "\t{" . c_str(words(array($el), 'element')) . ', {' .
		    implode(', ', $row) . "}},\n";
	}
	return $o . "};\n" . count_of('wptext_nktags', 'wptext_ktags');
}

function word_lists()
{
	return "/* wp_kses_uri_attributes(). */\n" .
	    "const char wptext_uri_attrs[] =\n" .
	    word_lines(words(wp_kses_uri_attributes(), 'URI attribute')) .
	    "\n/* wp_allowed_protocols(). */\n" .
	    "const char wptext_protocols[] =\n" .
	    word_lines(words(wp_allowed_protocols(), 'protocol'));
}

/* remove_accents() of every character: those it changes, by key bytes. */
function accents()
{
	$map = array();
	for ($cp = 0x80; $cp <= 0x10ffff; $cp++) {
		if ($cp >= 0xd800 && $cp <= 0xdfff)
			continue;
		$c = mb_chr($cp, 'UTF-8');
		$to = remove_accents($c, 'en_US');
		if ($to === $c)
			continue;
		if (!preg_match('/^[\x20-\x7e]*$/', $to))
			fail(sprintf('U+%04X becomes non-ASCII', $cp));
		$map[$c] = array($to, $cp);
	}
	ksort($map, SORT_STRING);
	$rows = array();
	foreach ($map as $from => $r)
		$rows[] = array('{' . c_str($from) . ', ' . c_str($r[0]) . '},',
		    sprintf('U+%04X', $r[1]));
	return "/* The UTF-8 map of remove_accents() for the locale en_US, sorted by\n" .
	    " * key bytes; every key is one character. */\n" .
	    "const struct accent wptext_accents[] = {\n" . rows($rows) .
	    "};\n" . count_of('wptext_naccents', 'wptext_accents');
}

/* remove_accents() of each byte 0x80..0xff, which is never UTF-8 alone. */
function latin1()
{
	$rows = array();
	for ($b = 0x80; $b <= 0xff; $b++) {
		$to = remove_accents(chr($b), 'en_US');
		if ($to !== chr($b) && !preg_match('/^[\x20-\x7e]*$/', $to))
			fail(sprintf('byte 0x%02x becomes non-ASCII', $b));
		$rows[] = array(($to === chr($b) ? 'NULL' : c_str($to)) . ',',
		    sprintf('0x%02x', $b));
	}
	return "/* The ISO-8859-1 fallback of remove_accents() for bytes 0x80..0xff,\n" .
	    " * used when the string does not even seem UTF-8; NULL keeps the\n" .
	    " * byte. */\n" .
	    "const char *const wptext_latin1[128] = {\n" . rows($rows) . "};\n";
}

echo "/* SPDX-License-Identifier: GPL-2.0-or-later */\n",
    "/*\n",
    " * wptext_tables.c - WordPress $wp_version's data for wptext*.c.\n",
    " *\n",
    " * DO NOT EDIT: generated from WordPress $wp_version by\n",
    " * lib/formats/gen_wptext_tables.php.  To regenerate:\n",
    " *   php lib/formats/gen_wptext_tables.php > lib/formats/wptext_tables.c\n",
    " * ctest gen_wptext_tables checks that this file is what it prints.\n",
    " */\n",
    "#include \"formats/wptext_int.h\"\n\n",
    entity_names(), "\n",
    kses_tags(), "\n",
    word_lists(), "\n",
    accents(), "\n",
    latin1();
