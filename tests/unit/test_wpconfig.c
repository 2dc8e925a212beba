/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_wpconfig.c - lib/config/wpconfig*.c: what a wp-config.php scan
 * yields, one table for whole files, one for DB_HOST forms, one for
 * wpconfig_check(), plus files read from disk (the stock
 * wp-config-sample.php of WordPress 6.1, a 2 MiB file, a directory).
 * Every row with want == MW_OK and no reason was also checked against
 * PHP 8.2 including the same text.
 */
#include "config/wpconfig.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define LIT(s) s, sizeof(s) - 1 /* text with NUL bytes and its length */
#define P "<?php\n"
#define N(k) WPCONFIG_NEED(WPCONFIG_##k)
#define V(...)                                                                 \
	{                                                                      \
		__VA_ARGS__                                                    \
	} /* expected values, in enum wpconfig_key order */
#define SAMPLE_KEYS                                                            \
	{                                                                      \
		"database_name_here", "username_here", "password_here",        \
			"localhost", "wp_"                                     \
	}

struct row {
	const char *name;
	const char *in;
	size_t len;
	enum mw_err want;
	/* DB_NAME, DB_USER, DB_PASSWORD, DB_HOST, $table_prefix; NULL: absent
	 */
	const char *v[WPCONFIG__MAX];
	unsigned why;	 /* N() bits of the keys that must carry a reason */
	const char *msg; /* in err, or in the reason of the first key in why */
};

static const struct row rows[] = {
	/* the literal forms */
	{"reads_single_quotes_with_inner_spaces",
	 P "define( 'DB_NAME', 'wp' );\ndefine( 'DB_USER', 'u' );\n"
	   "define( 'DB_PASSWORD', 'pw' );\ndefine( 'DB_HOST', 'localhost' );\n"
	   "$table_prefix = 'wp_';\n",
	 LEN_STR, MW_OK, V("wp", "u", "pw", "localhost", "wp_"), 0, NULL},
	{"reads_double_quotes",
	 P "define(\"DB_NAME\", \"wp\");\n$table_prefix  = \"wp2_\";\n",
	 LEN_STR, MW_OK, V("wp", NULL, NULL, NULL, "wp2_"), 0, NULL},
	{"reads_define_split_over_lines",
	 P "define\n(\n\t'DB_NAME'\n\t,\n\t'wp'\n)\n;\n", LEN_STR, MW_OK,
	 V("wp"), 0, NULL},
	{"reads_define_without_blanks", P "define('DB_USER','u');", LEN_STR,
	 MW_OK, V(NULL, "u"), 0, NULL},
	{"reads_third_argument_true",
	 P "define('DB_NAME', 'wp', true);\ndefine('DB_USER', 'u', FALSE);\n",
	 LEN_STR, MW_OK, V("wp", "u"), 0, NULL},
	{"reads_trailing_comma", P "define('DB_NAME', 'wp',);\n", LEN_STR,
	 MW_OK, V("wp"), 0, NULL},
	{"reads_upper_case_define_and_tag", "<?PHP\nDEFINE('DB_NAME', 'wp');\n",
	 LEN_STR, MW_OK, V("wp"), 0, NULL},
	{"reads_qualified_and_silenced_define",
	 P "\\define('DB_NAME', 'a');\n@define('DB_USER', 'b');\n", LEN_STR,
	 MW_OK, V("a", "b"), 0, NULL},
	{"reads_define_used_in_an_expression",
	 P "define('DB_NAME', 'wp') or die('no');\n", LEN_STR, MW_OK, V("wp"),
	 0, NULL},
	{"reads_top_level_const", P "const DB_NAME = 'wp', DB_USER = 'u';\n",
	 LEN_STR, MW_OK, V("wp", "u"), 0, NULL},
	{"reads_empty_password", P "define('DB_PASSWORD', '');\n", LEN_STR,
	 MW_OK, V(NULL, NULL, ""), 0, NULL},
	{"reads_punctuation_and_utf8_in_password",
	 P "define('DB_PASSWORD', 'p@ss;w)rd//#*/ \xc3\xa9\xe2\x82\xac');\n",
	 LEN_STR, MW_OK, V(NULL, NULL, "p@ss;w)rd//#*/ \xc3\xa9\xe2\x82\xac"),
	 0, NULL},
	{"reads_crlf_file_with_bom",
	 "\xef\xbb\xbf<?php\r\ndefine('DB_NAME', 'wp');\r\n$table_prefix = "
	 "'x_';\r\n",
	 LEN_STR, MW_OK, V("wp", NULL, NULL, NULL, "x_"), 0, NULL},
	/* escapes */
	{"decodes_single_quote_escapes",
	 P "define('DB_PASSWORD', 'it\\'s a\\\\b c\\nd \\x');\n", LEN_STR,
	 MW_OK, V(NULL, NULL, "it's a\\b c\\nd \\x"), 0, NULL},
	{"decodes_double_quote_escapes",
	 P "define(\"DB_PASSWORD\", \"q\\\"b\\\\s\\$d\\nn\\tt'\");\n", LEN_STR,
	 MW_OK, V(NULL, NULL, "q\"b\\s$d\nn\tt'"), 0, NULL},
	{"refuses_variable_in_double_quotes",
	 P "define('DB_PASSWORD', \"pw$x\");\n", LEN_STR, MW_OK, V(NULL),
	 N(DB_PASSWORD), "DB_PASSWORD at line 2 is a double-quoted string"},
	{"refuses_hex_escape_in_double_quotes",
	 P "define('DB_PASSWORD', \"\\x41\");\n", LEN_STR, MW_OK, V(NULL),
	 N(DB_PASSWORD), "use single quotes or set db_password"},
	{"refuses_brace_interpolation", P "define('DB_NAME', \"{$a['k']}\");\n",
	 LEN_STR, MW_OK, V(NULL), N(DB_NAME), "double-quoted"},
	{"refuses_nul_byte_in_value", LIT(P "define('DB_USER', 'a\0b');\n"),
	 MW_OK, V(NULL), N(DB_USER), "DB_USER at line 2 contains a NUL byte"},
	/* what is not code */
	{"ignores_line_comments",
	 P "// define('DB_NAME', 'old');\n# define('DB_USER', 'old');\n"
	   "define('DB_NAME', 'new'); // define('DB_USER', 'x');\n",
	 LEN_STR, MW_OK, V("new"), 0, NULL},
	{"ignores_block_comment",
	 P "/*\ndefine('DB_NAME', 'old');\n*/ define('DB_NAME', 'new');\n",
	 LEN_STR, MW_OK, V("new"), 0, NULL},
	{"ignores_define_inside_strings",
	 P "$a = \"define('DB_NAME', 'x'); {$b[\"k\"]}\"; $c = 'define(\"DB_"
	   "USER\", \"y\")';\ndefine('DB_HOST', 'db');\n",
	 LEN_STR, MW_OK, V(NULL, NULL, NULL, "db"), 0, NULL},
	{"ignores_heredoc_and_nowdoc",
	 P "$a = <<<EOT\n  define('DB_NAME', 'x');\n  EOT;\n$b = <<<'N'\n"
	   "define('DB_USER', 'y'); {$\nN;\ndefine('DB_HOST', 'db');\n",
	 LEN_STR, MW_OK, V(NULL, NULL, NULL, "db"), 0, NULL},
	{"ignores_inline_html_around_code",
	 "define('DB_NAME', 'html');\n<?php define('DB_USER', 'u'); ?>\n"
	 "define('DB_HOST', 'html');\n<?php $table_prefix = 'p_';\n",
	 LEN_STR, MW_OK, V(NULL, "u", NULL, NULL, "p_"), 0, NULL},
	{"ends_line_comment_at_close_tag",
	 P "define('DB_NAME', 'a'); // note ?> define('DB_USER', 'html');\n",
	 LEN_STR, MW_OK, V("a"), 0, NULL},
	{"reads_attribute_as_code",
	 P "#[Attr]\nfunction f() {}\ndefine('DB_NAME', 'wp');\n", LEN_STR,
	 MW_OK, V("wp"), 0, NULL},
	{"ignores_other_case_and_methods",
	 P "define('db_name', 'x');\nif (0) {\n$o->define('DB_NAME', 'y');\n"
	   "Foo::define('DB_USER', 'z');\n}\n",
	 LEN_STR, MW_OK, V(NULL), 0, NULL},
	{"ignores_class_constant", P "class C { const DB_NAME = 'x'; }\n",
	 LEN_STR, MW_OK, V(NULL), 0, NULL},
	{"ignores_namespaced_const",
	 P "namespace Foo;\nconst DB_NAME = 'ns';\ndefine('DB_USER', 'u');\n",
	 LEN_STR, MW_OK, V(NULL, "u"), 0, NULL},
	/* PHP's order: first define wins, last assignment wins */
	{"keeps_first_define",
	 P "define('DB_NAME', 'first');\ndefine('DB_NAME', 'second');\n",
	 LEN_STR, MW_OK, V("first"), 0, NULL},
	{"keeps_first_define_over_later_getenv",
	 P "define('DB_PASSWORD', 'pw');\n"
	   "define('DB_PASSWORD', getenv('DB_PASSWORD'));\n",
	 LEN_STR, MW_OK, V(NULL, NULL, "pw"), 0, NULL},
	{"keeps_last_table_prefix",
	 P "$table_prefix = 'a_';\n$table_prefix = 'b_';\n", LEN_STR, MW_OK,
	 V(NULL, NULL, NULL, NULL, "b_"), 0, NULL},
	{"ignores_table_prefix_comparison",
	 P "$table_prefix = 'a_';\nif ($table_prefix == 'x') {}\n", LEN_STR,
	 MW_OK, V(NULL, NULL, NULL, NULL, "a_"), 0, NULL},
	/* guards */
	{"reads_defined_or_define",
	 P "defined('DB_NAME') || define('DB_NAME', 'wp');\n"
	   "defined( 'DB_USER' ) or define( 'DB_USER', 'u' );\n"
	   "! defined('DB_HOST') && \\define('DB_HOST', 'db');\n",
	 LEN_STR, MW_OK, V("wp", "u", NULL, "db"), 0, NULL},
	{"skips_guarded_define_of_defined_key",
	 P "define('DB_NAME', 'a');\n"
	   "defined('DB_NAME') || define('DB_NAME', 'b');\n",
	 LEN_STR, MW_OK, V("a"), 0, NULL},
	{"reads_if_not_defined_block",
	 P "if ( ! defined( 'DB_NAME' ) ) {\n\tdefine( 'DB_NAME', 'wp' );\n}\n"
	   "if (!defined(\"DB_USER\")) define('DB_USER', 'u');\n",
	 LEN_STR, MW_OK, V("wp", "u"), 0, NULL},
	{"skips_dead_guard_block",
	 P "define('DB_NAME', 'a');\n"
	   "if (!defined('DB_NAME')) { define('DB_NAME', 'b'); "
	   "define('DB_USER', 'dead'); }\n",
	 LEN_STR, MW_OK, V("a"), 0, NULL},
	{"reads_alternative_syntax_guard",
	 P "if (!defined('DB_NAME')):\n  define('DB_NAME', 'wp');\nendif;\n",
	 LEN_STR, MW_OK, V("wp"), 0, NULL},
	{"reads_isset_guard_for_prefix",
	 P "if (!isset($table_prefix)) {\n  $table_prefix = 'wp_';\n}\n",
	 LEN_STR, MW_OK, V(NULL, NULL, NULL, NULL, "wp_"), 0, NULL},
	{"ignores_abspath_guard",
	 P "if ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . "
	   "'/' );\n}\ndefine('DB_NAME', 'wp');\n",
	 LEN_STR, MW_OK, V("wp"), 0, NULL},
	/* what needs PHP to run: a reason, not a value */
	{"refuses_getenv",
	 P "define('DB_NAME', 'wp');\n\n"
	   "define( 'DB_PASSWORD', getenv( 'DB_PASSWORD' ) );\n",
	 LEN_STR, MW_OK, V("wp"), N(DB_PASSWORD),
	 "DB_PASSWORD at line 4 is not a literal string; set db_password in "
	 "mautic-wp.conf"},
	{"refuses_concatenation",
	 P "define('DB_HOST', DB_SERVER . ':3306');\n"
	   "define('DB_NAME', 'wp' . '_1');\n",
	 LEN_STR, MW_OK, V(NULL), N(DB_NAME) | N(DB_HOST),
	 "DB_NAME at line 3 is not a literal string"},
	{"refuses_heredoc_value", P "define('DB_USER', <<<'E'\nu\nE);\n",
	 LEN_STR, MW_OK, V(NULL), N(DB_USER), "not a literal"},
	{"refuses_computed_table_prefix",
	 P "$table_prefix = getenv('P') ?: 'wp_';\n", LEN_STR, MW_OK, V(NULL),
	 N(TABLE_PREFIX), "$table_prefix at line 2 is not a literal string"},
	{"refuses_appended_table_prefix",
	 P "$table_prefix = 'a';\n$table_prefix .= '_';\n", LEN_STR, MW_OK,
	 V(NULL), N(TABLE_PREFIX), "line 3"},
	{"refuses_define_under_condition",
	 P
	 "if ($_SERVER['HTTP_HOST'] === 'dev') {\n define('DB_NAME', 'dev');\n"
	 "} else {\n define('DB_NAME', 'prod');\n}\n",
	 LEN_STR, MW_OK, V(NULL), N(DB_NAME),
	 "DB_NAME at line 3 is set under a condition"},
	{"refuses_define_in_function",
	 P "function f() { define('DB_USER', 'u'); }\n", LEN_STR, MW_OK,
	 V(NULL), N(DB_USER), "under a condition"},
	{"refuses_else_of_alternative_if",
	 P
	 "define('DB_NAME', 'a');\nif (!defined('DB_NAME')):\n"
	 "define('DB_USER', 'u1');\nelse:\ndefine('DB_USER', 'u2');\nendif;\n",
	 LEN_STR, MW_OK, V("a"), N(DB_USER), "DB_USER at line 6"},
	{"refuses_table_prefix_under_condition",
	 P "$table_prefix = 'wp_';\nif (MULTI) $table_prefix = 'm_';\n",
	 LEN_STR, MW_OK, V(NULL), N(TABLE_PREFIX), "under a condition"},
	{"refuses_computed_define_name",
	 P "define('DB_HOST', 'db');\ndefine('DB_' . 'NAME', 'wp');\n", LEN_STR,
	 MW_OK, V(NULL, NULL, NULL, "db"),
	 N(DB_NAME) | N(DB_USER) | N(DB_PASSWORD),
	 "define() with a computed name at line 3"},
	{"refuses_keys_an_include_may_set",
	 P "define('DB_NAME', 'wp');\nrequire __DIR__ . '/db.php';\n"
	   "if (!defined('DB_USER')) define('DB_USER', 'u');\n",
	 LEN_STR, MW_OK, V("wp"),
	 N(DB_USER) | N(DB_PASSWORD) | N(DB_HOST) | N(TABLE_PREFIX),
	 "DB_USER may be set by the file included at line 3; point wp_config"},
	{"stops_at_wp_settings",
	 P "define('DB_NAME', 'wp');\nrequire_once ABSPATH . 'wp-settings.php';"
	   "\ndefine('DB_USER', 'late');\n$table_prefix = 'late_';\n",
	 LEN_STR, MW_OK, V("wp"), 0, NULL},
	{"stops_at_top_level_exit",
	 P "define('DB_NAME', 'wp');\nexit;\ndefine('DB_USER', 'late');\n",
	 LEN_STR, MW_OK, V("wp"), 0, NULL},
	{"stops_at_halt_compiler",
	 LIT(P "define('DB_NAME', 'wp');\n__halt_compiler();\x01\0'\"/*{{"),
	 MW_OK, V("wp"), 0, NULL},
	{"leaves_missing_keys_null", P "define('DB_NAME', 'wp');\n", LEN_STR,
	 MW_OK, V("wp"), 0, NULL},
	{"reads_debian_setup_mysql_file",
	 P "# Created by /usr/share/doc/wordpress/examples/setup-mysql -n wp "
	   "example.com\ndefine('DB_NAME', 'wp');\ndefine('DB_USER', 'wp');\n"
	   "define('DB_PASSWORD', 'Zq8k');\ndefine('DB_HOST', 'localhost');\n"
	   "define('SECRET_KEY', 'k');\ndefine('WP_CONTENT_DIR', "
	   "'/var/lib/wordpress/wp-content');\ndefine('FS_METHOD', "
	   "'direct');\n?>\n",
	 LEN_STR, MW_OK, V("wp", "wp", "Zq8k", "localhost"), 0, NULL},
	{"refuses_debian_master_config",
	 P "$debian_file = '/etc/wordpress/config-x.php';\n"
	   "if (file_exists($debian_file)) {\n    require_once($debian_file);\n"
	   "}\nif (!defined('DB_NAME'))\n    define('DB_NAME', 'wordpress');\n"
	   "if (!isset($table_prefix)) {\n    $table_prefix = 'wp_';\n}\n"
	   "require_once(ABSPATH . 'wp-settings.php');\n?>\n",
	 LEN_STR, MW_OK, V(NULL), WPCONFIG_NEED_ALL,
	 "DB_NAME may be set by the file included at line 4"},
	{"refuses_bad_db_host_port", P "\n\ndefine('DB_HOST', 'db:abc');\n",
	 LEN_STR, MW_OK, V(NULL), N(DB_HOST),
	 "DB_HOST at line 4 is not host, host:port"},
	{"refuses_docker_image_config",
	 P
	 "if (!function_exists('getenv_docker')) {\n"
	 "\tfunction getenv_docker($env, $default) {\n"
	 "\t\treturn ($val = getenv($env)) !== false ? $val : $default;\n"
	 "\t}\n}\n"
	 "define( 'DB_NAME', getenv_docker('WORDPRESS_DB_NAME', 'wp') );\n"
	 "define( 'DB_USER', getenv_docker('WORDPRESS_DB_USER', 'u') );\n"
	 "define( 'DB_PASSWORD', getenv_docker('WORDPRESS_DB_PASSWORD', '') );\n"
	 "define( 'DB_HOST', getenv_docker('WORDPRESS_DB_HOST', 'mysql') );\n"
	 "$table_prefix = getenv_docker('WORDPRESS_TABLE_PREFIX', 'wp_');\n"
	 "if ($extra = getenv_docker('WORDPRESS_CONFIG_EXTRA', '')) {\n"
	 "\teval($extra);\n}\n",
	 LEN_STR, MW_OK, V(NULL), WPCONFIG_NEED_ALL,
	 "DB_NAME at line 7 is not a literal string"},
	{"refuses_define_with_variable_name",
	 P "define('DB_NAME', 'wp');\n"
	   "foreach (['DB_USER' => 'u'] as $k => $v) define($k, $v);\n",
	 LEN_STR, MW_OK, V("wp"), N(DB_USER) | N(DB_PASSWORD) | N(DB_HOST),
	 "DB_USER may be set by the define() with a computed name at line 3"},
	{"refuses_keys_eval_may_set",
	 P "define('DB_NAME', 'wp');\neval('define(\"DB_USER\", \"u\");');\n"
	   "define('DB_USER', 'v');\n",
	 LEN_STR, MW_OK, V("wp"),
	 N(DB_USER) | N(DB_PASSWORD) | N(DB_HOST) | N(TABLE_PREFIX),
	 "DB_USER may be set by the eval() at line 3; set db_user"},
	/* files PHP would not compile: a clear error */
	{"rejects_file_without_php_tag", "define('DB_NAME', 'wp');\n", LEN_STR,
	 MW_ECONFIG, V(NULL), 0, "no <?php tag"},
	{"rejects_empty_file", "", LEN_STR, MW_ECONFIG, V(NULL), 0,
	 "no <?php tag"},
	{"rejects_truncated_string", P "define('DB_PASSWORD', 'sec", LEN_STR,
	 MW_ECONFIG, V(NULL), 0, "unterminated string at line 2"},
	{"rejects_truncated_call", P "define('DB_PASSWORD', 'secret'", LEN_STR,
	 MW_ECONFIG, V(NULL), 0, "inside ( ) or [ ] (truncated?)"},
	{"rejects_missing_semicolon_at_end", P "define('DB_NAME', 'wp')",
	 LEN_STR, MW_ECONFIG, V(NULL), 0, "inside a statement (truncated?)"},
	{"rejects_truncated_block", P "if (!defined('DB_NAME')) {\n", LEN_STR,
	 MW_ECONFIG, V(NULL), 0, "inside a block"},
	{"rejects_unterminated_comment",
	 P "define('DB_NAME', 'wp');\n/* define('DB_USER', 'u');\n", LEN_STR,
	 MW_ECONFIG, V(NULL), 0, "unterminated /* comment at line 3"},
	{"rejects_unterminated_heredoc", P "$a = <<<EOT\nabc\nEOTX;\n", LEN_STR,
	 MW_ECONFIG, V(NULL), 0, "unterminated heredoc"},
	{"rejects_unbalanced_brace", P "define('DB_NAME', 'wp');\n}\n", LEN_STR,
	 MW_ECONFIG, V(NULL), 0, "unbalanced } at line 3"},
	{"rejects_endif_without_if", P "endif;\n", LEN_STR, MW_ECONFIG, V(NULL),
	 0, "without its opening"},
	{"rejects_nul_byte_in_code", LIT(P "define('DB_NAME', 'wp');\0\n"),
	 MW_ECONFIG, V(NULL), 0, "unexpected control byte in code at line 2"},
	{"rejects_control_byte_in_code", P "define('DB_NAME', 'wp');\x01\n",
	 LEN_STR, MW_ECONFIG, V(NULL), 0, "control byte"},
	{"rejects_deep_interpolation",
	 P "$a = \"{$a[\"{$a[\"{$a[\"{$a[\"{$a[\"{$a[\"{$a[\"{$a[\"{$a[\"{$a[\""
	   "{$a[\"{$a[\"{$a[\"{$a[\"{$a[\"{$a[\"{$a[\"x\"]}",
	 LEN_STR, MW_ECONFIG, V(NULL), 0, "nested too deeply"},
	{"rejects_deep_blocks",
	 P "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{"
	   "}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}",
	 LEN_STR, MW_ECONFIG, V(NULL), 0, "blocks nested too deeply"},
};

/* The value of key k in c. */
static const char *
value(const struct wpconfig *c, int k)
{
	const char *v[WPCONFIG__MAX] = {
		c->db_name,   c->db_user,      c->db_password,
		c->db_host,   c->table_prefix, c->wp_siteurl,
		c->multisite, c->wpf_staging,  c->wpf_prefix_keys};

	return v[k];
}

static bool
same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Compare c with the row's expectations; report the row on a failure. */
static void
check_row(const struct row *r, enum mw_err rc, const struct wpconfig *c,
	  const char *err)
{
	int k, first = -1;
	int before = check_failed;

	CHECK(rc == r->want);
	if (rc != MW_OK || r->want != MW_OK) {
		CHECK(r->msg == NULL || strstr(err, r->msg) != NULL);
	} else {
		for (k = 0; k <= WPCONFIG_TABLE_PREFIX; k++) {
			bool why = (r->why & WPCONFIG_NEED(k)) != 0;

			CHECK(same(value(c, k), r->v[k]));
			CHECK((c->why[k][0] != '\0') == why);
			CHECK(!why || value(c, k) == NULL);
			if (why && first < 0)
				first = k;
		}
		CHECK(r->msg == NULL ||
		      (first >= 0 && strstr(c->why[first], r->msg) != NULL));
	}
	if (check_failed != before)
		fprintf(stderr, "  row %s (rc %d, err \"%s\", why0 \"%s\")\n",
			r->name, rc, err,
			rc == MW_OK ? c->why[first < 0 ? 0 : first] : "");
}

static void
test_parse(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		size_t len = check_len(r->in, r->len);
		struct wpconfig c;
		char err[256] = "";
		enum mw_err rc;

		memset(&c, 0xa5, sizeof(c)); /* must stay untouched on error */
		rc = wpconfig_parse(r->in, len, &c, err, sizeof(err));
		check_row(r, rc, &c, err);
		if (rc == MW_OK)
			wpconfig_free(&c);
		else
			CHECK(c.port == 0xa5a5a5a5a5a5a5a5ull);
	}
}

struct host_row {
	const char *name;
	const char *db_host; /* no ' or \ */
	bool ok;
	const char *host;
	uint64_t port;
	const char *socket;
};

static const struct host_row host_rows[] = {
	{"host_name_alone", "localhost", true, "localhost", 0, NULL},
	{"host_ipv4", "127.0.0.1", true, "127.0.0.1", 0, NULL},
	{"host_with_port", "db.example.com:3307", true, "db.example.com", 3307,
	 NULL},
	{"host_ipv4_with_port", "10.0.0.5:3306", true, "10.0.0.5", 3306, NULL},
	{"host_with_socket", "localhost:/run/mysqld/mysqld.sock", true,
	 "localhost", 0, "/run/mysqld/mysqld.sock"},
	{"host_socket_only", ":/tmp/mysql.sock", true, NULL, 0,
	 "/tmp/mysql.sock"},
	{"host_port_and_socket", "db:3306:/s", true, "db", 3306, "/s"},
	{"host_ipv6_bracketed_port", "[::1]:3306", true, "::1", 3306, NULL},
	{"host_ipv6_bare", "::1", true, "::1", 0, NULL},
	{"host_ipv6_bracketed", "[2001:db8::5]", true, "2001:db8::5", 0, NULL},
	{"host_bad_ipv6_mapped_ipv4", "[::ffff:10.0.0.1]:3307", false, NULL, 0,
	 NULL},
	{"host_port_max", "db:65535", true, "db", 65535, NULL},
	{"host_empty", "", true, NULL, 0, NULL},
	{"host_bad_port_word", "db:abc", false, NULL, 0, NULL},
	{"host_bad_empty_port", "db:", false, NULL, 0, NULL},
	{"host_bad_port_zero", "db:0", false, NULL, 0, NULL},
	{"host_bad_port_too_big", "db:65536", false, NULL, 0, NULL},
	{"host_bad_port_leading_zero", "db:03306", false, NULL, 0, NULL},
	{"host_bad_blank", "db host", false, NULL, 0, NULL},
	{"host_bad_slash", "db/x", false, NULL, 0, NULL},
	{"host_bad_bracketed_name", "[db]:3306", false, NULL, 0, NULL},
	{"host_bad_unclosed_bracket", "[::1", false, NULL, 0, NULL},
	{"host_bad_after_bracket", "[::1]x", false, NULL, 0, NULL},
	{"host_bad_ipv6_zone", "fe80::1%eth0", false, NULL, 0, NULL},
	{"host_bad_ipv6_port_word", "[::1]:x", false, NULL, 0, NULL},
	{"host_bad_control_in_socket", "db:/s\tx", false, NULL, 0, NULL},
};

static void
test_host(void)
{
	size_t i;

	for (i = 0; i < sizeof(host_rows) / sizeof(host_rows[0]); i++) {
		const struct host_row *r = &host_rows[i];
		struct wpconfig c;
		char text[256], err[256] = "";
		enum mw_err rc;
		int before = check_failed;

		snprintf(text, sizeof(text),
			 "<?php\ndefine('DB_HOST', '%s');\n", r->db_host);
		rc = wpconfig_parse(text, strlen(text), &c, err, sizeof(err));
		CHECK(rc == MW_OK);
		if (rc != MW_OK) {
			fprintf(stderr, "  row %s: %s\n", r->name, err);
			continue;
		}
		CHECK(r->ok ? same(c.db_host, r->db_host) : c.db_host == NULL);
		CHECK(same(c.host, r->host));
		CHECK(c.port == r->port);
		CHECK(same(c.socket, r->socket));
		CHECK((c.why[WPCONFIG_DB_HOST][0] == '\0') == r->ok);
		if (check_failed != before)
			fprintf(stderr, "  row %s: %s %" PRIu64 " %s\n",
				r->name, c.host ? c.host : "(null)", c.port,
				c.socket ? c.socket : "(null)");
		wpconfig_free(&c);
	}
}

struct check_row {
	const char *name;
	const char *in;
	unsigned need;
	enum mw_err want;
	const char *msg;
};

static const struct check_row check_rows[] = {
	{"check_passes_with_all_keys",
	 P "define('DB_NAME','n');define('DB_USER','u');"
	   "define('DB_PASSWORD','p');define('DB_HOST','h');"
	   "$table_prefix='t_';",
	 WPCONFIG_NEED_ALL, MW_OK, NULL},
	{"check_passes_when_missing_key_not_needed", P "define('DB_NAME','n');",
	 N(DB_NAME), MW_OK, NULL},
	{"check_passes_with_empty_need", P "", 0, MW_OK, NULL},
	{"check_names_missing_define", P "define('DB_NAME','n');",
	 N(DB_NAME) | N(DB_PASSWORD), MW_ECONFIG,
	 "DB_PASSWORD is not defined in wp-config.php; set db_password in "
	 "mautic-wp.conf"},
	{"check_names_missing_prefix", P "", N(TABLE_PREFIX), MW_ECONFIG,
	 "$table_prefix is not set in wp-config.php; set table_prefix"},
	{"check_gives_the_reason", P "define('DB_USER', getenv('U'));",
	 WPCONFIG_NEED_ALL, MW_ECONFIG, "DB_NAME is not defined"},
	{"check_gives_the_reason_of_needed_key",
	 P "define('DB_USER', getenv('U'));", N(DB_USER), MW_ECONFIG,
	 "DB_USER at line 2 is not a literal string; set db_user in "
	 "mautic-wp.conf"},
};

static void
test_check(void)
{
	size_t i;

	for (i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
		const struct check_row *r = &check_rows[i];
		struct wpconfig c;
		char err[256] = "";
		enum mw_err rc;

		rc = wpconfig_parse(r->in, strlen(r->in), &c, err, sizeof(err));
		CHECK(rc == MW_OK);
		if (rc != MW_OK)
			continue;
		rc = wpconfig_check(&c, r->need, err, sizeof(err));
		CHECK(rc == r->want);
		CHECK(r->msg == NULL || strstr(err, r->msg) != NULL);
		if (rc != r->want || (r->msg && !strstr(err, r->msg)))
			fprintf(stderr, "  row %s: %s\n", r->name, err);
		wpconfig_free(&c);
	}
}

/* Write n bytes of s to a new temporary file; returns its path. */
static char *
temp_file(const char *s, size_t n)
{
	static char path[64];
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_wpconfig.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || (fp = fdopen(fd, "wb")) == NULL)
		return NULL;
	if (fwrite(s, 1, n, fp) != n) {
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	return path;
}

/* The optional constants: WP_SITEURL as a string, the three booleans
 * only as the literals true and false. */
static void
test_constants(void)
{
	static const struct {
		const char *name, *in;
		const char *siteurl, *multisite, *staging, *prefix;
	} crows[] = {
		{"reads_the_booleans_and_site_url",
		 P "define('WP_SITEURL', 'https://staging.example.org');\n"
		   "define( 'MULTISITE', true );\n"
		   "define('WPF_STAGING_MODE', FALSE);\n"
		   "const WPF_MULTISITE_PREFIX_KEYS = true;\n",
		 "https://staging.example.org", "true", "false", "true"},
		{"a_string_is_not_the_literal_true",
		 P "define('WPF_STAGING_MODE', 'true');\n"
		   "define('MULTISITE', 1);\n",
		 NULL, NULL, NULL, NULL},
		{"a_commented_define_does_not_count",
		 P "// define('WPF_STAGING_MODE', true);\n", NULL, NULL, NULL,
		 NULL},
		{"a_boolean_in_a_string_key_is_not_read",
		 P "define('WP_SITEURL', true);\n", NULL, NULL, NULL, NULL},
		{"stops_at_wp_settings",
		 P "require_once ABSPATH . 'wp-settings.php';\n"
		   "define('WPF_STAGING_MODE', true);\n",
		 NULL, NULL, NULL, NULL},
	};
	char err[256] = "";
	struct wpconfig c;
	size_t i;

	for (i = 0; i < sizeof(crows) / sizeof(crows[0]); i++) {
		CHECK_CASE(crows[i].name,
			   wpconfig_parse(crows[i].in, strlen(crows[i].in), &c,
					  err, sizeof(err)) == MW_OK);
		CHECK_CASE(crows[i].name, same(c.wp_siteurl, crows[i].siteurl));
		CHECK_CASE(crows[i].name,
			   same(c.multisite, crows[i].multisite));
		CHECK_CASE(crows[i].name,
			   same(c.wpf_staging, crows[i].staging));
		CHECK_CASE(crows[i].name,
			   same(c.wpf_prefix_keys, crows[i].prefix));
		/* never needed: the database keys decide alone */
		CHECK_CASE(crows[i].name,
			   (WPCONFIG_NEED_ALL &
			    WPCONFIG_NEED(WPCONFIG_WPF_STAGING)) == 0);
		wpconfig_free(&c);
	}
}

static void
test_read(void)
{
	const char *want[WPCONFIG__MAX] = SAMPLE_KEYS;
	char err[256] = "", *big, *tmp;
	size_t bigsz = 2u * 1024 * 1024;
	struct wpconfig c;
	int k;

	/* read_stock_wp_config_sample_6_1 */
	CHECK(wpconfig_read(check_data_path("wp-config-sample.php"), &c, err,
			    sizeof(err)) == MW_OK);
	for (k = 0; k < WPCONFIG__MAX; k++) {
		CHECK(same(value(&c, k), want[k]));
		CHECK(c.why[k][0] == '\0');
	}
	CHECK_STR(c.host, "localhost");
	CHECK(c.port == 0 && c.socket == NULL);
	CHECK(wpconfig_check(&c, WPCONFIG_NEED_ALL, err, sizeof(err)) == MW_OK);
	wpconfig_free(&c);
	CHECK(c.db_password == NULL); /* free_leaves_struct_zeroed */
	wpconfig_free(&c);	      /* free_twice_is_harmless */
	wpconfig_free(NULL);	      /* free_accepts_null */

	/* read_rejects_missing_file */
	CHECK(wpconfig_read("/nonexistent/wp-config.php", &c, err,
			    sizeof(err)) == MW_ECONFIG);
	CHECK(strstr(err, "cannot open") != NULL);
	/* read_rejects_directory */
	CHECK(wpconfig_read("/tmp", &c, err, sizeof(err)) == MW_ECONFIG);
	CHECK(strstr(err, "not a regular file") != NULL);

	/* read_rejects_2_mib_file, parse too */
	big = malloc(bigsz);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	memset(big, ' ', bigsz);
	memcpy(big, P, strlen(P));
	big[bigsz - 1] = ';';
	tmp = temp_file(big, bigsz);
	CHECK(tmp != NULL);
	if (tmp != NULL) {
		CHECK(wpconfig_read(tmp, &c, err, sizeof(err)) == MW_ECONFIG);
		CHECK(strstr(err, "larger than 1048576 bytes") != NULL);
		unlink(tmp);
	}
	CHECK(wpconfig_parse(big, bigsz, &c, err, sizeof(err)) == MW_ECONFIG);
	/* read_accepts_exactly_1_mib */
	memcpy(big + WPCONFIG_MAX - 30, "define('DB_NAME','wp');", 23);
	tmp = temp_file(big, WPCONFIG_MAX);
	if (tmp != NULL) {
		CHECK(wpconfig_read(tmp, &c, err, sizeof(err)) == MW_OK);
		CHECK_STR(c.db_name, "wp");
		wpconfig_free(&c);
		unlink(tmp);
	}
	free(big);

	/* read_rejects_nul_bytes_in_code */
	tmp = temp_file(P "\0\0\0", strlen(P) + 3);
	if (tmp != NULL) {
		CHECK(wpconfig_read(tmp, &c, err, sizeof(err)) == MW_ECONFIG);
		unlink(tmp);
	}
	/* parse_rejects_null_text */
	CHECK(wpconfig_parse(NULL, 1, &c, err, sizeof(err)) == MW_EINPUT);
}

int
main(void)
{
	test_parse();
	test_host();
	test_check();
	test_read();
	test_constants();
	return CHECK_DONE();
}
