/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_html.c - html_escape() and html_entity(): htmlspecialchars() with
 * ENT_QUOTES, valid and edge rows.
 */
#include "formats/html.h"

#include <string.h>

#include "check.h"

struct esc_row {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
};

static const struct esc_row esc_rows[] = {
	{"html_plain_text_unchanged", "Hello, world", 0, "Hello, world"},
	{"html_escapes_angle_brackets", "<b>x</b>", 0, "&lt;b&gt;x&lt;/b&gt;"},
	{"html_escapes_ampersand", "a & b", 0, "a &amp; b"},
	{"html_escapes_existing_entity_again", "&amp;", 0, "&amp;amp;"},
	{"html_escapes_double_quote", "say \"x\"", 0, "say &quot;x&quot;"},
	{"html_escapes_single_quote", "it's", 0, "it&#039;s"},
	{"html_script_tag", "<script>alert('x')</script>", 0,
	 "&lt;script&gt;alert(&#039;x&#039;)&lt;/script&gt;"},
	{"html_utf8_kept", "Caf\xc3\xa9 <", 0, "Caf\xc3\xa9 &lt;"},
	{"html_only_specials", "<>&\"'", 0, "&lt;&gt;&amp;&quot;&#039;"},
	{"html_empty", "", 0, ""},
};

static void
test_escape(void)
{
	size_t i;

	for (i = 0; i < sizeof(esc_rows) / sizeof(esc_rows[0]); i++) {
		const struct esc_row *r = &esc_rows[i];
		struct buf b;

		buf_init(&b, 1024);
		CHECK_CASE(r->name,
			   html_escape(&b, r->in,
				       r->len ? r->len : strlen(r->in)) ==
				   MW_OK);
		CHECK_CASE(r->name,
			   b.len == strlen(r->want) &&
				   memcmp(b.p ? b.p : "", r->want, b.len) == 0);
		buf_free(&b);
	}
}

static void
test_entity(void)
{
	CHECK_STR(html_entity('&', false), "&amp;");
	CHECK_STR(html_entity('<', false), "&lt;");
	CHECK_STR(html_entity('>', true), "&gt;");
	CHECK(html_entity('"', false) == NULL);
	CHECK_STR(html_entity('"', true), "&quot;");
	CHECK(html_entity('\'', false) == NULL);
	CHECK_STR(html_entity('\'', true), "&#039;");
	CHECK(html_entity('a', true) == NULL);
	CHECK(html_entity('\0', true) == NULL);
}

/* A cap too small: the buffer's error, as buf_add() gives it. */
static void
escape_past_cap(void)
{
	struct buf b;

	buf_init(&b, 5); /* "a&lt;b" is 6 bytes */
	CHECK(html_escape(&b, "a<b", 3) == MW_ETOOBIG);
	buf_free(&b);
}

int
main(void)
{
	test_escape();
	test_entity();
	escape_past_cap();
	return CHECK_DONE();
}
