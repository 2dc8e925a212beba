/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_utf8.c - base/utf8.c: one table of valid and invalid UTF-8 (overlong
 * forms, surrogates, code points past U+10FFFF, truncated sequences) read
 * under every control-byte policy, and the sequence lengths.
 */
#include "base/utf8.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

struct utf8_row {
	const char *name;
	const char *s;
	size_t len;
	bool clean;	/* utf8_is_valid(.., UTF8_NO_CTRL) */
	bool clean_tab; /* utf8_is_valid(.., UTF8_TAB) */
	bool utf8;	/* utf8_is_valid(.., UTF8_NO_NUL) */
};

static const struct utf8_row utf8_rows[] = {
	{"utf8_accepts_empty", "", LEN_STR, true, true, true},
	{"utf8_accepts_ascii", "Hello, world", LEN_STR, true, true, true},
	{"utf8_accepts_two_byte", "J\xc3\xb6hn", LEN_STR, true, true, true},
	{"utf8_accepts_smallest_two_byte", "\xc2\x80", LEN_STR, true, true,
	 true},
	{"utf8_accepts_three_byte_euro", "\xe2\x82\xac", LEN_STR, true, true,
	 true},
	{"utf8_accepts_u_d7ff_below_surrogates", "\xed\x9f\xbf", LEN_STR, true,
	 true, true},
	{"utf8_accepts_u_e000_above_surrogates", "\xee\x80\x80", LEN_STR, true,
	 true, true},
	{"utf8_accepts_four_byte_emoji", "\xf0\x9f\x98\x80", LEN_STR, true,
	 true, true},
	{"utf8_accepts_u_10ffff", "\xf4\x8f\xbf\xbf", LEN_STR, true, true,
	 true},
	{"utf8_tab_only_with_allow_tab", "a\tb", LEN_STR, false, true, true},
	{"utf8_newline_is_a_control", "a\nb", LEN_STR, false, false, true},
	{"utf8_cr_is_a_control", "a\rb", LEN_STR, false, false, true},
	{"utf8_escape_is_a_control", "a\x1b[0m", LEN_STR, false, false, true},
	{"utf8_del_is_a_control", "a\x7f", LEN_STR, false, false, true},
	{"utf8_unit_separator_is_a_control", "\x1f", LEN_STR, false, false,
	 true},
	{"utf8_rejects_nul", "a\0b", 3, false, false, false},
	{"utf8_rejects_overlong_slash_c0", "\xc0\xaf", LEN_STR, false, false,
	 false},
	{"utf8_rejects_overlong_c1", "\xc1\xbf", LEN_STR, false, false, false},
	{"utf8_rejects_overlong_nul", "\xc0\x80", LEN_STR, false, false, false},
	{"utf8_rejects_overlong_three_byte", "\xe0\x80\xaf", LEN_STR, false,
	 false, false},
	{"utf8_rejects_overlong_three_byte_max", "\xe0\x9f\xbf", LEN_STR, false,
	 false, false},
	{"utf8_rejects_overlong_four_byte", "\xf0\x80\x80\xaf", LEN_STR, false,
	 false, false},
	{"utf8_rejects_overlong_four_byte_max", "\xf0\x8f\xbf\xbf", LEN_STR,
	 false, false, false},
	{"utf8_rejects_high_surrogate", "\xed\xa0\x80", LEN_STR, false, false,
	 false},
	{"utf8_rejects_low_surrogate", "\xed\xbf\xbf", LEN_STR, false, false,
	 false},
	{"utf8_rejects_cesu_pair", "\xed\xa0\xbd\xed\xb8\x80", LEN_STR, false,
	 false, false},
	{"utf8_rejects_above_u_10ffff", "\xf4\x90\x80\x80", LEN_STR, false,
	 false, false},
	{"utf8_rejects_lead_f5", "\xf5\x80\x80\x80", LEN_STR, false, false,
	 false},
	{"utf8_rejects_five_byte_lead", "\xf8\x88\x80\x80\x80", LEN_STR, false,
	 false, false},
	{"utf8_rejects_fe", "\xfe", LEN_STR, false, false, false},
	{"utf8_rejects_ff", "a\xff", LEN_STR, false, false, false},
	{"utf8_rejects_lone_continuation", "\x80", LEN_STR, false, false,
	 false},
	{"utf8_rejects_truncated_two_byte", "a\xc3", LEN_STR, false, false,
	 false},
	{"utf8_rejects_truncated_three_byte", "\xe2\x82", LEN_STR, false, false,
	 false},
	{"utf8_rejects_truncated_four_byte", "\xf0\x9f\x98", LEN_STR, false,
	 false, false},
	{"utf8_rejects_sequence_cut_by_len", "\xc3\xb6", 1, false, false,
	 false},
	{"utf8_rejects_lead_then_ascii",
	 "\xc3"
	 "A",
	 LEN_STR, false, false, false},
	{"utf8_rejects_three_byte_with_bad_last",
	 "\xe2\x82"
	 "A",
	 LEN_STR, false, false, false},
};

static void
test_utf8(void)
{
	size_t i;

	for (i = 0; i < sizeof(utf8_rows) / sizeof(utf8_rows[0]); i++) {
		const struct utf8_row *r = &utf8_rows[i];
		size_t len = check_len(r->s, r->len);
		bool nul = memchr(r->s, '\0', len) != NULL;

		CHECK_CASE(r->name,
			   utf8_is_valid(r->s, len, UTF8_NO_CTRL) == r->clean);
		CHECK_CASE(r->name,
			   utf8_is_valid(r->s, len, UTF8_TAB) == r->clean_tab);
		CHECK_CASE(r->name,
			   utf8_is_valid(r->s, len, UTF8_NO_NUL) == r->utf8);
		/* UTF8_ANY: the same as UTF8_NO_NUL but for NUL bytes. */
		CHECK_CASE(r->name, utf8_is_valid(r->s, len, UTF8_ANY) ==
					    (r->utf8 || nul));
	}
}

struct seq_row {
	const char *name;
	const char *s;
	size_t len;
	size_t want; /* utf8_seqlen() */
};

static const struct seq_row seq_rows[] = {
	{"seq_ascii_is_one", "A", 1, 1},
	{"seq_nul_is_one", "", 1, 1},
	{"seq_two_byte", "\xc3\xb6", 2, 2},
	{"seq_three_byte", "\xe2\x82\xac", 3, 3},
	{"seq_four_byte", "\xf0\x9f\x98\x80", 4, 4},
	{"seq_only_the_first_character", "\xc3\xb6x", 3, 2},
	{"seq_empty_is_zero", "", 0, 0},
	{"seq_cut_short_is_zero", "\xe2\x82\xac", 2, 0},
	{"seq_continuation_first_is_zero", "\x80", 1, 0},
	{"seq_overlong_is_zero", "\xc0\xaf", 2, 0},
	{"seq_surrogate_is_zero", "\xed\xa0\x80", 3, 0},
};

static void
test_seqlen(void)
{
	size_t i;

	for (i = 0; i < sizeof(seq_rows) / sizeof(seq_rows[0]); i++) {
		const struct seq_row *r = &seq_rows[i];

		CHECK_CASE(r->name, utf8_seqlen(r->s, r->len) == r->want);
	}
}

int
main(void)
{
	test_utf8();
	test_seqlen();
	return CHECK_DONE();
}
