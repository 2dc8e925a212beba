/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_strparse.c - the strict parsers of lib/strparse.c, one table per
 * function, valid and invalid rows named after the behaviour they pin.
 */
#include "base/strparse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define ID_MAX 9007199254740992ull /* 2^53 */

struct u64_row {
	const char *name;
	const char *in;
	size_t len;
	uint64_t min, max;
	enum mw_err want;
	uint64_t val; /* when MW_OK */
};

static const struct u64_row u64_rows[] = {
	{"u64_accepts_one", "1", LEN_STR, 1, ID_MAX, MW_OK, 1},
	{"u64_accepts_42", "42", LEN_STR, 1, ID_MAX, MW_OK, 42},
	{"u64_accepts_2p53_at_max", "9007199254740992", LEN_STR, 1, ID_MAX,
	 MW_OK, ID_MAX},
	{"u64_accepts_zero_when_min_is_zero", "0", LEN_STR, 0, 10, MW_OK, 0},
	{"u64_accepts_value_equal_to_min_and_max", "10", LEN_STR, 10, 10, MW_OK,
	 10},
	{"u64_accepts_uint64_max", "18446744073709551615", LEN_STR, 0,
	 UINT64_MAX, MW_OK, UINT64_MAX},
	{"u64_reads_only_len_bytes", "42abc", 2, 1, 100, MW_OK, 42},
	{"u64_rejects_empty", "", LEN_STR, 0, UINT64_MAX, MW_EINPUT, 0},
	{"u64_rejects_zero_below_min_1", "0", LEN_STR, 1, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_leading_zero", "01", LEN_STR, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_double_zero", "00", LEN_STR, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_plus_sign", "+1", LEN_STR, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_minus_sign", "-1", LEN_STR, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_leading_blank", " 1", LEN_STR, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_trailing_blank", "1 ", LEN_STR, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_trailing_tab", "1\t", LEN_STR, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_trailing_newline", "1\n", LEN_STR, 0, ID_MAX, MW_EINPUT,
	 0},
	{"u64_rejects_exponent", "1e3", LEN_STR, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_fraction", "1.5", LEN_STR, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_hex", "0x10", LEN_STR, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_2p53_plus_1_above_max", "9007199254740993", LEN_STR, 1,
	 ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_uint64_max_plus_1", "18446744073709551616", LEN_STR, 0,
	 UINT64_MAX, MW_EINPUT, 0},
	{"u64_rejects_20_digit_overflow", "99999999999999999999", LEN_STR, 0,
	 UINT64_MAX, MW_EINPUT, 0},
	{"u64_rejects_21_digits", "100000000000000000000", LEN_STR, 0,
	 UINT64_MAX, MW_EINPUT, 0},
	{"u64_rejects_30_digits", "123456789012345678901234567890", LEN_STR, 0,
	 UINT64_MAX, MW_EINPUT, 0},
	{"u64_rejects_above_max", "65536", LEN_STR, 1, 65535, MW_EINPUT, 0},
	{"u64_rejects_unreplaced_mautic_token", "{contactfield=id}", LEN_STR, 1,
	 ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_embedded_nul", "1\0002", 3, 0, ID_MAX, MW_EINPUT, 0},
	{"u64_rejects_fullwidth_digit", "\xef\xbc\x91", LEN_STR, 0, ID_MAX,
	 MW_EINPUT, 0},
};

static void
test_u64(void)
{
	size_t i;

	for (i = 0; i < sizeof(u64_rows) / sizeof(u64_rows[0]); i++) {
		const struct u64_row *r = &u64_rows[i];
		uint64_t out = 777; /* must stay untouched on error */
		enum mw_err rc;

		rc = str_u64(r->in, check_len(r->in, r->len), r->min, r->max,
			     &out);
		CHECK_CASE(r->name, rc == r->want);
		CHECK_CASE(r->name, out == (r->want == MW_OK ? r->val : 777));
	}
	/* u64_rejects_null_pointer */
	CHECK(str_u64(NULL, 0, 0, 10, &(uint64_t){0}) == MW_EINPUT);
}

struct ieq_row {
	const char *name;
	const char *s;
	size_t len;
	const char *word;
	bool want;
};

static const struct ieq_row ieq_rows[] = {
	{"ieq_matches_same_case", "test", LEN_STR, "test", true},
	{"ieq_ignores_ascii_case", "UPDATE_TAGS", LEN_STR, "update_tags", true},
	{"ieq_ignores_case_of_word_too", "add", LEN_STR, "ADD", true},
	{"ieq_matches_empty_word", "", LEN_STR, "", true},
	{"ieq_reads_only_len_bytes", "testing", 4, "test", true},
	{"ieq_rejects_prefix_of_word", "tes", LEN_STR, "test", false},
	{"ieq_rejects_word_as_prefix", "tests", LEN_STR, "test", false},
	{"ieq_rejects_empty_against_word", "", LEN_STR, "a", false},
	{"ieq_rejects_word_against_empty", "a", LEN_STR, "", false},
	{"ieq_rejects_other_letter", "tesT", LEN_STR, "tesd", false},
	{"ieq_does_not_fold_at_sign_to_backtick", "@", LEN_STR, "`", false},
	{"ieq_does_not_fold_bracket_to_brace", "[", LEN_STR, "{", false},
	{"ieq_does_not_fold_non_ascii", "\xc3\x84", LEN_STR, "\xc3\xa4", false},
	{"ieq_rejects_embedded_nul", "te\0t", 4, "test", false},
	{"ieq_rejects_trailing_nul", "test\0", 5, "test", false},
};

static void
test_ieq(void)
{
	size_t i;

	for (i = 0; i < sizeof(ieq_rows) / sizeof(ieq_rows[0]); i++) {
		const struct ieq_row *r = &ieq_rows[i];
		bool got = str_ieq(r->s, check_len(r->s, r->len), r->word);

		CHECK_CASE(r->name, got == r->want);
	}
}

struct urldecode_row {
	const char *name;
	const char *in;
	size_t len;
	const char *want;
	size_t wantlen;
};

static const struct urldecode_row urldecode_rows[] = {
	{"urldecode_keeps_plain_text", "abc", LEN_STR, "abc", 3},
	{"urldecode_empty_is_empty", "", LEN_STR, "", 0},
	{"urldecode_plus_is_space", "a+b", LEN_STR, "a b", 3},
	{"urldecode_percent_hex_is_byte", "%41", LEN_STR, "A", 1},
	{"urldecode_accepts_lowercase_hex", "%e2%82%ac", LEN_STR,
	 "\xe2\x82\xac", 3},
	{"urldecode_accepts_uppercase_hex", "%E2%82%AC", LEN_STR,
	 "\xe2\x82\xac", 3},
	{"urldecode_encoded_plus_stays_plus", "%2B", LEN_STR, "+", 1},
	{"urldecode_decodes_at_sign", "jane%40example.com", LEN_STR,
	 "jane@example.com", 16},
	{"urldecode_decodes_mautic_token", "%7Bcontactfield%3Did%7D", LEN_STR,
	 "{contactfield=id}", 17},
	{"urldecode_keeps_lone_percent", "%", LEN_STR, "%", 1},
	{"urldecode_keeps_percent_one_digit_at_end", "%4", LEN_STR, "%4", 2},
	{"urldecode_keeps_percent_non_hex", "%zz", LEN_STR, "%zz", 3},
	{"urldecode_keeps_percent_half_hex", "%4g", LEN_STR, "%4g", 3},
	{"urldecode_keeps_trailing_percent", "100%", LEN_STR, "100%", 4},
	{"urldecode_keeps_percent_before_escape", "%%41", LEN_STR, "%A", 2},
	{"urldecode_keeps_percent_after_escape", "%41%", LEN_STR, "A%", 2},
	{"urldecode_does_not_decode_twice", "%2541", LEN_STR, "%41", 3},
	{"urldecode_nul_escape_yields_nul", "%00", LEN_STR, "\0", 1},
	{"urldecode_nul_inside_counts_in_length", "a%00b", LEN_STR, "a\0b", 3},
	{"urldecode_crlf_escapes_yield_bytes", "%0d%0a", LEN_STR, "\r\n", 2},
	{"urldecode_high_byte_escape", "%ff", LEN_STR, "\xff", 1},
	{"urldecode_reads_only_len_bytes", "%41xyz", 3, "A", 1},
	{"urldecode_escape_cut_by_len_kept", "%41", 2, "%4", 2},
};

static void
test_urldecode(void)
{
	size_t i;

	for (i = 0; i < sizeof(urldecode_rows) / sizeof(urldecode_rows[0]);
	     i++) {
		const struct urldecode_row *r = &urldecode_rows[i];
		size_t outlen = 9999;
		char *out =
			str_urldecode(r->in, check_len(r->in, r->len), &outlen);
		bool ok;

		CHECK(out != NULL);
		if (out == NULL)
			continue;
		ok = outlen == r->wantlen &&
		     memcmp(out, r->want, r->wantlen) == 0 &&
		     out[outlen] == '\0';
		CHECK_CASE(r->name, ok);
		free(out);
	}
}

struct ct_row {
	const char *name;
	const char *a;
	size_t alen;
	const char *b;
	size_t blen;
	bool want;
};

static const struct ct_row ct_rows[] = {
	{"ct_equal_same_bytes", "test-key-123", LEN_STR, "test-key-123",
	 LEN_STR, true},
	{"ct_equal_both_empty", "", LEN_STR, "", LEN_STR, true},
	{"ct_equal_compares_bytes_past_nul", "a\0b", 3, "a\0b", 3, true},
	{"ct_differs_last_byte", "test-key-123", LEN_STR, "test-key-124",
	 LEN_STR, false},
	{"ct_differs_first_byte", "test-key-123", LEN_STR, "Test-key-123",
	 LEN_STR, false},
	{"ct_differs_prefix", "test-key-12", LEN_STR, "test-key-123", LEN_STR,
	 false},
	{"ct_differs_longer", "test-key-1234", LEN_STR, "test-key-123", LEN_STR,
	 false},
	{"ct_differs_empty_vs_key", "", LEN_STR, "test-key-123", LEN_STR,
	 false},
	{"ct_differs_after_nul", "a\0b", 3, "a\0c", 3, false},
	{"ct_differs_trailing_nul", "abc\0", 4, "abc", 3, false},
};

static void
test_ct_equal(void)
{
	size_t i;

	for (i = 0; i < sizeof(ct_rows) / sizeof(ct_rows[0]); i++) {
		const struct ct_row *r = &ct_rows[i];
		bool got = str_ct_equal(r->a, check_len(r->a, r->alen), r->b,
					check_len(r->b, r->blen));
		bool rev = str_ct_equal(r->b, check_len(r->b, r->blen), r->a,
					check_len(r->a, r->alen));

		CHECK_CASE(r->name, got == r->want);
		CHECK_CASE(r->name, rev == r->want);
	}
}

struct trim_row {
	const char *name;
	const char *in;
	size_t skip;  /* bytes trimmed at the front */
	size_t len;   /* length left */
	bool php;     /* str_php_trim(), else str_trim() */
	size_t inlen; /* 0: strlen(in) */
};

static const struct trim_row trim_rows[] = {
	{"trim_keeps_untrimmed", "abc", 0, 3, false, 0},
	{"trim_strips_spaces_both_ends", "  a b  ", 2, 3, false, 0},
	{"trim_strips_tabs_both_ends", "\tx\t", 1, 1, false, 0},
	{"trim_strips_mixed_blanks", " \t x \t ", 3, 1, false, 0},
	{"trim_empty_stays_empty", "", 0, 0, false, 0},
	{"trim_all_blanks_becomes_empty", "   \t ", 5, 0, false, 0},
	{"trim_keeps_newlines", "\nx\n", 0, 3, false, 0},
	{"trim_keeps_inner_blanks", "a  b", 0, 4, false, 0},
	{"php_trim_strips_newlines_cr_vt", "\n\r\v x \t\n", 4, 1, true, 0},
	{"php_trim_strips_nul_bytes", "\0a\0", 1, 1, true, 3},
	{"php_trim_keeps_form_feed", "\fx\f", 0, 3, true, 0},
	{"php_trim_keeps_nbsp", "\xc2\xa0x", 0, 3, true, 0},
	{"php_trim_all_blanks_becomes_empty", " \t\n\r\v", 5, 0, true, 0},
};

static void
test_trim(void)
{
	size_t i;

	for (i = 0; i < sizeof(trim_rows) / sizeof(trim_rows[0]); i++) {
		const struct trim_row *r = &trim_rows[i];
		const char *s = r->in;
		size_t len = r->inlen ? r->inlen : strlen(r->in);

		if (r->php)
			str_php_trim(&s, &len);
		else
			str_trim(&s, &len);
		CHECK_CASE(r->name, s == r->in + r->skip);
		CHECK_CASE(r->name, len == r->len);
	}
}

/* str_urlencode: unreserved bytes kept, the rest %XX; round trip through
 * str_urldecode; the buffer's cap is reported. */
static void
test_urlencode(void)
{
	static const struct {
		const char *name, *in, *out;
		size_t len;
	} rows[] = {
		{"unreserved_kept", "Az09-._~", "Az09-._~", 8},
		{"space_and_plus", "a b+c", "a%20b%2Bc", 5},
		{"reserved", "&=?/#%", "%26%3D%3F%2F%23%25", 6},
		{"utf8_bytes", "J\xc3\xb6", "J%C3%B6", 3},
		{"nul_byte", "a\0b", "a%00b", 3},
		{"empty", "", "", 0},
	};
	struct buf b;
	char *dec;
	size_t i, declen;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_init(&b, 64);
		CHECK_CASE(rows[i].name,
			   str_urlencode(&b, rows[i].in, rows[i].len) == MW_OK);
		CHECK_CASE(rows[i].name,
			   strcmp(b.p ? b.p : "", rows[i].out) == 0);
		dec = str_urldecode(b.p ? b.p : "", b.len, &declen);
		CHECK_CASE(rows[i].name,
			   dec != NULL && declen == rows[i].len &&
				   memcmp(dec, rows[i].in, rows[i].len) == 0);
		free(dec);
		buf_free(&b);
	}
	buf_init(&b, 4);
	CHECK(str_urlencode(&b, "\xff\xff", 2) == MW_ETOOBIG);
	buf_free(&b);
}

int
main(void)
{
	test_u64();
	test_ieq();
	test_urlencode();
	test_urldecode();
	test_ct_equal();
	test_trim();
	return CHECK_DONE();
}
