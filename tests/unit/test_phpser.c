/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_phpser.c - unit tests for lib/phpser.c.
 *
 * A table of serialized inputs, each accepted (and then re-serialized to the
 * same or to PHP's canonical bytes) or rejected, named after the behaviour it
 * pins down; then the WordPress values the project depends on, the writers,
 * the string-list helpers and a seeded random round trip.
 */
#include "formats/phpser.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* One parser case. */
struct row {
	const char *name; /* the behaviour under test */
	const char *in;	  /* serialized input; may hold NUL */
	size_t len;	  /* bytes of in */
	enum mw_err rc;	  /* what phps_unserialize must return */
	const char *out;  /* re-serialization when it differs from in */
};

#define ROW(name, in, rc, out)                                                 \
	{                                                                      \
		name, in, sizeof(in) - 1, rc, out                              \
	}
#define ACCEPT(name, in) ROW(name, in, MW_OK, NULL)
#define CANON(name, in, out) ROW(name, in, MW_OK, out)
#define REJECT(name, in) ROW(name, in, MW_EINPUT, NULL)

static const struct row rows[] = {
	ACCEPT("phps_accepts_null", "N;"),
	ACCEPT("phps_accepts_true", "b:1;"),
	ACCEPT("phps_accepts_false", "b:0;"),
	ACCEPT("phps_accepts_int_zero", "i:0;"),
	ACCEPT("phps_accepts_negative_int", "i:-12;"),
	ACCEPT("phps_accepts_int64_max", "i:9223372036854775807;"),
	ACCEPT("phps_accepts_int64_min", "i:-9223372036854775808;"),
	ACCEPT("phps_accepts_empty_string", "s:0:\"\";"),
	ACCEPT("phps_accepts_multibyte_string", "s:5:\"J\xc3\xb6hn\";"),
	ACCEPT("phps_accepts_nul_inside_string", "s:3:\"a\0b\";"),
	ACCEPT("phps_accepts_quote_semicolon_in_string", "s:4:\"\";}\"\";"),
	ACCEPT("phps_accepts_empty_array", "a:0:{}"),
	ACCEPT("phps_accepts_capabilities", "a:1:{s:10:\"subscriber\";b:1;}"),
	ACCEPT("phps_accepts_two_capabilities",
	       "a:2:{s:6:\"author\";b:1;s:11:\"edit_themes\";b:1;}"),
	ACCEPT("phps_accepts_string_list",
	       "a:2:{i:0;s:3:\"VIP\";i:1;s:7:\"Members\";}"),
	ACCEPT("phps_accepts_duplicate_keys", "a:2:{i:0;N;i:0;b:1;}"),
	ACCEPT("phps_accepts_negative_int_key", "a:1:{i:-5;N;}"),
	ACCEPT("phps_accepts_nested_array",
	       "a:2:{s:1:\"x\";a:1:{i:0;a:0:{}}s:1:\"y\";d:0.5;}"),
	ACCEPT("phps_accepts_all_scalars_in_array",
	       "a:6:{i:0;N;i:1;b:0;i:2;i:7;i:3;d:-2.5;i:4;s:0:\"\";i:5;a:0:{}}"),
	CANON("phps_stores_numeric_string_key_as_int", "a:1:{s:2:\"42\";N;}",
	      "a:1:{i:42;N;}"),
	CANON("phps_stores_negative_numeric_key_as_int", "a:1:{s:2:\"-7\";N;}",
	      "a:1:{i:-7;N;}"),
	ACCEPT("phps_keeps_leading_zero_key_as_string", "a:1:{s:2:\"07\";N;}"),
	ACCEPT("phps_keeps_minus_zero_key_as_string", "a:1:{s:2:\"-0\";N;}"),
	ACCEPT("phps_keeps_huge_numeric_key_as_string",
	       "a:1:{s:19:\"9223372036854775808\";N;}"),
	ACCEPT("phps_accepts_empty_string_key", "a:1:{s:0:\"\";N;}"),
	ACCEPT("phps_accepts_double_half", "d:0.5;"),
	ACCEPT("phps_accepts_double_tenth", "d:0.1;"),
	ACCEPT("phps_accepts_double_integral", "d:100;"),
	ACCEPT("phps_accepts_double_exponent", "d:1.0E+25;"),
	ACCEPT("phps_accepts_double_negative_exponent", "d:1.0E-5;"),
	ACCEPT("phps_accepts_double_negative_zero", "d:-0;"),
	ACCEPT("phps_accepts_inf", "d:INF;"),
	ACCEPT("phps_accepts_negative_inf", "d:-INF;"),
	ACCEPT("phps_accepts_nan", "d:NAN;"),
	CANON("phps_canonicalizes_lowercase_exponent", "d:1e25;", "d:1.0E+25;"),
	CANON("phps_canonicalizes_precision_17_double",
	      "d:0.10000000000000001;", "d:0.1;"),
	CANON("phps_canonicalizes_bare_fraction", "d:.5;", "d:0.5;"),
	CANON("phps_canonicalizes_trailing_dot", "d:5.;", "d:5;"),
	CANON("phps_canonicalizes_power_of_two_to_shortest",
	      "d:5.9604644775390625E-8;", "d:5.960464477539063E-8;"),
	CANON("phps_accepts_double_token_at_limit",
	      "d:0.0000000000000000000000000000000000000000000000000000000000"
	      "0001;",
	      "d:1.0E-62;"),
	CANON("phps_canonicalizes_exponent_overflow_to_inf", "d:1e999;",
	      "d:INF;"),
	REJECT("phps_rejects_empty_input", ""),
	REJECT("phps_rejects_unknown_type", "x:1;"),
	REJECT("phps_rejects_leading_space", " N;"),
	REJECT("phps_rejects_null_without_semicolon", "N"),
	REJECT("phps_rejects_nul_before_semicolon", "N\0;"),
	REJECT("phps_rejects_trailing_bytes", "N;N;"),
	REJECT("phps_rejects_trailing_space", "i:1; "),
	REJECT("phps_rejects_trailing_nul", "a:0:{}\0"),
	REJECT("phps_rejects_bool_two", "b:2;"),
	REJECT("phps_rejects_bool_without_semicolon", "b:1"),
	REJECT("phps_rejects_empty_int", "i:;"),
	REJECT("phps_rejects_plus_sign_int", "i:+1;"),
	REJECT("phps_rejects_space_in_int", "i: 1;"),
	REJECT("phps_rejects_leading_zero_int", "i:01;"),
	REJECT("phps_rejects_minus_zero_int", "i:-0;"),
	REJECT("phps_rejects_int_overflow", "i:9223372036854775808;"),
	REJECT("phps_rejects_int_underflow", "i:-9223372036854775809;"),
	REJECT("phps_rejects_int_far_overflow", "i:99999999999999999999999;"),
	REJECT("phps_rejects_int_without_semicolon", "i:12"),
	REJECT("phps_rejects_length_past_end", "s:10:\"abc\";"),
	REJECT("phps_rejects_length_short", "s:2:\"abc\";"),
	REJECT("phps_rejects_length_one_past_end", "s:4:\"abc\""),
	REJECT("phps_rejects_huge_length", "s:99999999999999999999999:\"a\";"),
	REJECT("phps_rejects_negative_length", "s:-1:\"\";"),
	REJECT("phps_rejects_plus_length", "s:+3:\"abc\";"),
	REJECT("phps_rejects_leading_zero_length", "s:03:\"abc\";"),
	REJECT("phps_rejects_missing_length", "s::\"\";"),
	REJECT("phps_rejects_missing_close_quote", "s:3:\"abc;"),
	REJECT("phps_rejects_missing_string_semicolon", "s:3:\"abc\""),
	REJECT("phps_rejects_unquoted_string", "s:3:abc;"),
	REJECT("phps_rejects_escaped_string", "S:1:\"\\61\";"),
	REJECT("phps_rejects_object", "O:8:\"stdClass\":0:{}"),
	REJECT("phps_rejects_object_in_array",
	       "a:1:{i:0;O:8:\"stdClass\":0:{}}"),
	REJECT("phps_rejects_custom_object", "C:3:\"Foo\":0:{}"),
	REJECT("phps_rejects_reference", "a:2:{i:0;i:1;i:1;r:2;}"),
	REJECT("phps_rejects_value_reference", "a:2:{i:0;i:1;i:1;R:2;}"),
	REJECT("phps_rejects_enum", "E:7:\"Foo:Bar\";"),
	REJECT("phps_rejects_truncated_array", "a:1:{i:0;N;"),
	REJECT("phps_rejects_count_too_small", "a:1:{i:0;N;i:1;N;}"),
	REJECT("phps_rejects_count_too_large", "a:2:{i:0;s:5:\"abcde\";}"),
	REJECT("phps_rejects_fake_count", "a:1000:{i:0;N;}"),
	REJECT("phps_rejects_negative_count", "a:-1:{}"),
	REJECT("phps_rejects_leading_zero_count", "a:01:{i:0;N;}"),
	REJECT("phps_rejects_missing_open_brace", "a:0:}"),
	REJECT("phps_rejects_missing_close_brace", "a:0:{"),
	REJECT("phps_rejects_key_without_value", "a:1:{i:0;}"),
	REJECT("phps_rejects_double_key", "a:1:{d:1.5;N;}"),
	REJECT("phps_rejects_bool_key", "a:1:{b:1;N;}"),
	REJECT("phps_rejects_null_key", "a:1:{N;N;}"),
	REJECT("phps_rejects_array_key", "a:1:{a:0:{}N;}"),
	REJECT("phps_rejects_plus_double", "d:+1;"),
	REJECT("phps_rejects_hex_double", "d:0x10;"),
	REJECT("phps_rejects_lowercase_inf", "d:inf;"),
	REJECT("phps_rejects_negative_nan", "d:-NAN;"),
	REJECT("phps_rejects_plus_inf", "d:+INF;"),
	REJECT("phps_rejects_bare_dot_double", "d:.;"),
	REJECT("phps_rejects_exponent_without_digits", "d:1e;"),
	REJECT("phps_rejects_space_in_double", "d: 1.5;"),
	REJECT("phps_rejects_empty_double", "d:;"),
	REJECT("phps_rejects_double_token_over_limit",
	       "d:0.0000000000000000000000000000000000000000000000000000000000"
	       "000001;"),
};

/* Record one check and name the case when it fails. */
/* Unserialize one row, and re-serialize what was accepted. */
static void
run_row(const struct row *r)
{
	struct phps_value v;
	struct buf b;
	const char *want = r->out != NULL ? r->out : r->in;
	size_t wantlen = r->out != NULL ? strlen(r->out) : r->len;
	enum mw_err rc;

	buf_init(&b, 1 << 20);
	memset(&v, 0, sizeof(v));
	rc = phps_unserialize(r->in, r->len, &v);
	CHECK_CASE(r->name, rc == r->rc);
	if (rc == MW_OK && r->rc == MW_OK) {
		rc = phps_serialize(&v, &b);
		CHECK_CASE(r->name, rc == MW_OK && b.len == wantlen &&
					    memcmp(b.p, want, wantlen) == 0);
	}
	phps_free(&v);
	buf_free(&b);
}

static void
test_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
}

/* Parsed values carry the right fields, not just the right bytes. */
static void
test_values(void)
{
	struct phps_value v;

	CHECK(phps_unserialize("i:-12;", 6, &v) == MW_OK);
	CHECK(v.type == PHPS_INT && v.i == -12);
	phps_free(&v);
	CHECK(v.type == PHPS_NULL && v.items == NULL && v.s == NULL);

	CHECK(phps_unserialize("s:3:\"a\0b\";", 10, &v) == MW_OK);
	CHECK(v.type == PHPS_STRING && v.slen == 3);
	CHECK(memcmp(v.s, "a\0b", 4) == 0);
	phps_free(&v);

	CHECK(phps_unserialize("b:1;", 4, &v) == MW_OK);
	CHECK(v.type == PHPS_BOOL && v.b);
	phps_free(&v);

	CHECK(phps_unserialize("d:0.5;", 6, &v) == MW_OK);
	CHECK(v.type == PHPS_DOUBLE && v.d == 0.5);
	phps_free(&v);

	CHECK(phps_unserialize("d:NAN;", 6, &v) == MW_OK);
	CHECK(v.type == PHPS_DOUBLE && isnan(v.d));
	phps_free(&v);

	CHECK(phps_unserialize("d:-INF;", 7, &v) == MW_OK);
	CHECK(v.type == PHPS_DOUBLE && isinf(v.d) && v.d < 0);
	phps_free(&v);

	CHECK(phps_unserialize("a:1:{s:2:\"42\";N;}", 17, &v) == MW_OK);
	CHECK(v.type == PHPS_ARRAY && v.n == 1);
	CHECK(v.items[0].key.type == PHPS_INT && v.items[0].key.i == 42);
	CHECK(v.items[0].key.s == NULL);
	phps_free(&v);

	phps_free(NULL);
}

/* On error the output value is left exactly as it was. */
static void
test_error_leaves_out_untouched(void)
{
	struct phps_value v;

	memset(&v, 0, sizeof(v));
	v.type = PHPS_INT;
	v.i = 77;
	CHECK(phps_unserialize("a:2:{i:0;s:1:\"x\";i:1;O:1:\"A\":0:{}}", 35,
			       &v) == MW_EINPUT);
	CHECK(v.type == PHPS_INT && v.i == 77 && v.items == NULL);
	CHECK(phps_unserialize(NULL, 0, &v) == MW_EINPUT);
	CHECK(v.type == PHPS_INT && v.i == 77);
}

/* Duplicate keys are kept in order; lookup returns the last, as PHP. */
static void
test_get(void)
{
	static const char in[] = "a:4:{s:1:\"k\";i:1;i:5;s:4:\"five\";"
				 "s:1:\"k\";i:2;s:0:\"\";b:1;}";
	struct phps_value v;
	const struct phps_value *e;

	CHECK(phps_unserialize(in, sizeof(in) - 1, &v) == MW_OK);
	CHECK(v.n == 4);
	CHECK(v.items[0].val.i == 1 && v.items[2].val.i == 2);
	e = phps_get(&v, "k");
	CHECK(e != NULL && e->type == PHPS_INT && e->i == 2);
	e = phps_get(&v, "5");
	CHECK(e != NULL && e->type == PHPS_STRING);
	CHECK_STR(e != NULL ? e->s : NULL, "five");
	e = phps_get(&v, "");
	CHECK(e != NULL && e->type == PHPS_BOOL && e->b);
	CHECK(phps_get(&v, "missing") == NULL);
	CHECK(phps_get(&v, "05") == NULL);
	CHECK(phps_get(&v.items[0].val, "k") == NULL);
	CHECK(phps_get(NULL, "k") == NULL);
	CHECK(phps_get(&v, NULL) == NULL);
	phps_free(&v);
}

/* Append the nested array a:1:{i:0;...a:0:{}...} of the given depth. */
static void
nest(struct buf *b, int depth)
{
	enum mw_err rc = MW_OK;
	int i;

	for (i = 1; i < depth && rc == MW_OK; i++)
		rc = buf_addstr(b, "a:1:{i:0;");
	if (rc == MW_OK)
		rc = buf_addstr(b, "a:0:{}");
	for (i = 1; i < depth && rc == MW_OK; i++)
		rc = buf_addstr(b, "}");
	CHECK(rc == MW_OK);
}

/* Append a:n:{i:0;N;...} */
static void
flat(struct buf *b, size_t n)
{
	enum mw_err rc;
	size_t i;

	rc = buf_printf(b, "a:%zu:{", n);
	for (i = 0; i < n && rc == MW_OK; i++)
		rc = buf_addstr(b, "i:0;N;");
	if (rc == MW_OK)
		rc = buf_addstr(b, "}");
	CHECK(rc == MW_OK);
}

/* Parse b and return the code, releasing any tree. */
static enum mw_err
parse_buf(const struct buf *b)
{
	struct phps_value v;
	enum mw_err rc;

	rc = phps_unserialize(b->p, b->len, &v);
	if (rc == MW_OK)
		phps_free(&v);
	return rc;
}

static void
test_depth_limit(void)
{
	struct buf b;

	buf_init(&b, 4096);
	nest(&b, PHPS_MAX_DEPTH);
	CHECK_CASE("phps_accepts_depth_8", parse_buf(&b) == MW_OK);
	buf_reset(&b);
	nest(&b, PHPS_MAX_DEPTH + 1);
	CHECK_CASE("phps_rejects_depth_9", parse_buf(&b) == MW_EINPUT);
	buf_free(&b);
}

static void
test_count_limit(void)
{
	struct buf b;

	buf_init(&b, PHPS_MAX_INPUT);
	flat(&b, PHPS_MAX_COUNT);
	CHECK_CASE("phps_accepts_count_at_limit", parse_buf(&b) == MW_OK);
	buf_reset(&b);
	flat(&b, PHPS_MAX_COUNT + 1);
	CHECK_CASE("phps_rejects_count_over_limit", parse_buf(&b) == MW_EINPUT);
	buf_reset(&b);
	/* 2 + 49999 + 49999 elements in all: at the limit */
	CHECK(buf_addstr(&b, "a:2:{i:0;") == MW_OK);
	flat(&b, PHPS_MAX_COUNT / 2 - 1);
	CHECK(buf_addstr(&b, "i:1;") == MW_OK);
	flat(&b, PHPS_MAX_COUNT / 2 - 1);
	CHECK(buf_addstr(&b, "}") == MW_OK);
	CHECK_CASE("phps_accepts_count_sum_at_limit", parse_buf(&b) == MW_OK);
	buf_reset(&b);
	/* 2 + 49999 + 50000: one over, counted across arrays */
	CHECK(buf_addstr(&b, "a:2:{i:0;") == MW_OK);
	flat(&b, PHPS_MAX_COUNT / 2 - 1);
	CHECK(buf_addstr(&b, "i:1;") == MW_OK);
	flat(&b, PHPS_MAX_COUNT / 2);
	CHECK(buf_addstr(&b, "}") == MW_OK);
	CHECK_CASE("phps_rejects_count_sum_over_limit",
		   parse_buf(&b) == MW_EINPUT);
	buf_free(&b);
}

/* A string value that makes the whole input exactly total bytes long. */
static enum mw_err
parse_string_of_total(size_t total)
{
	struct buf b;
	size_t n = total - 13; /* s:NNNNNNN:"";  with a 7-digit length */
	char *s;
	enum mw_err rc;

	buf_init(&b, total);
	s = malloc(n);
	CHECK(s != NULL);
	if (s == NULL)
		return MW_ENOMEM;
	memset(s, 'x', n);
	CHECK(buf_printf(&b, "s:%zu:\"", n) == MW_OK);
	CHECK(buf_add(&b, s, n) == MW_OK);
	CHECK(buf_addstr(&b, "\";") == MW_OK);
	CHECK(b.len == total);
	rc = parse_buf(&b);
	free(s);
	buf_free(&b);
	return rc;
}

static void
test_input_limit(void)
{
	CHECK_CASE("phps_accepts_input_at_limit",
		   parse_string_of_total(PHPS_MAX_INPUT) == MW_OK);
	CHECK_CASE("phps_rejects_input_over_limit",
		   parse_string_of_total(PHPS_MAX_INPUT + 1) == MW_EINPUT);
}

/* One double and how PHP >= 7.1 serializes it. */
struct dbl_row {
	double d;	  /* the value */
	const char *want; /* serialize() output */
};

static void
test_serialize_doubles(void)
{
	static const struct dbl_row drows[] = {
		{0.5, "d:0.5;"},
		{0.1, "d:0.1;"},
		{100.0, "d:100;"},
		{0.0, "d:0;"},
		{-0.0, "d:-0;"},
		{1.5, "d:1.5;"},
		{-2.75, "d:-2.75;"},
		{1e25, "d:1.0E+25;"},
		{-1e25, "d:-1.0E+25;"},
		{1.5e300, "d:1.5E+300;"},
		{1e16, "d:10000000000000000;"},
		{1e17, "d:1.0E+17;"},
		{123456789012345678.0, "d:1.2345678901234568E+17;"},
		{0.0001, "d:0.0001;"},
		{0.00012, "d:0.00012;"},
		{0.00001, "d:1.0E-5;"},
		{1.25e-7, "d:1.25E-7;"},
		{1.0 / 3.0, "d:0.3333333333333333;"},
		{0.1 + 0.2, "d:0.30000000000000004;"},
		{123.456, "d:123.456;"},
		{DBL_MAX, "d:1.7976931348623157E+308;"},
		{DBL_MIN, "d:2.2250738585072014E-308;"},
		{5e-324, "d:5.0E-324;"},
		{0x1p-24, "d:5.960464477539063E-8;"},
		{0x1p89, "d:6.189700196426902E+26;"},
		{INFINITY, "d:INF;"},
		{-INFINITY, "d:-INF;"},
		{NAN, "d:NAN;"},
	};
	struct phps_value v;
	struct buf b;
	size_t i;

	memset(&v, 0, sizeof(v));
	v.type = PHPS_DOUBLE;
	buf_init(&b, 256);
	for (i = 0; i < sizeof(drows) / sizeof(drows[0]); i++) {
		buf_reset(&b);
		v.d = drows[i].d;
		CHECK(phps_serialize(&v, &b) == MW_OK);
		CHECK_STR(b.p, drows[i].want);
	}
	buf_free(&b);
}

/* Trees built by hand serialize as PHP would store them. */
static void
test_serialize_built(void)
{
	struct phps_entry e[2];
	struct phps_value v;
	struct buf b;

	memset(e, 0, sizeof(e));
	memset(&v, 0, sizeof(v));
	buf_init(&b, 256);
	e[0].key.type = PHPS_STRING;
	e[0].key.s = (char *)"subscriber";
	e[0].key.slen = 10;
	e[0].val.type = PHPS_BOOL;
	e[0].val.b = true;
	v.type = PHPS_ARRAY;
	v.items = e;
	v.n = 1;
	CHECK(phps_serialize(&v, &b) == MW_OK);
	CHECK_STR(b.p, "a:1:{s:10:\"subscriber\";b:1;}");

	buf_reset(&b);
	e[1].key.type = PHPS_STRING;
	e[1].key.s = (char *)"-3";
	e[1].key.slen = 2;
	v.n = 2;
	CHECK(phps_serialize(&v, &b) == MW_OK);
	CHECK_STR(b.p, "a:2:{s:10:\"subscriber\";b:1;i:-3;N;}");

	buf_reset(&b);
	CHECK(buf_addstr(&b, "keep") == MW_OK);
	e[1].key.type = PHPS_BOOL;
	CHECK(phps_serialize(&v, &b) == MW_EINTERNAL);
	CHECK(b.len == 4);
	CHECK_STR(b.p, "keep");

	e[1].key.type = PHPS_INT;
	e[1].val.type = PHPS__MAX;
	CHECK(phps_serialize(&v, &b) == MW_EINTERNAL);
	CHECK_STR(b.p, "keep");
	buf_free(&b);
}

/* A tree deeper than the reader accepts is refused by the writer too. */
static void
test_serialize_depth(void)
{
	struct phps_entry e[PHPS_MAX_DEPTH + 1];
	struct phps_value root;
	struct buf b;
	int i;

	memset(e, 0, sizeof(e));
	memset(&root, 0, sizeof(root));
	buf_init(&b, 4096);
	root.type = PHPS_ARRAY;
	root.items = &e[0];
	root.n = 1;
	for (i = 0; i < PHPS_MAX_DEPTH; i++) {
		e[i].key.type = PHPS_INT;
		e[i].val.type = PHPS_ARRAY;
		e[i].val.items = &e[i + 1];
		e[i].val.n = 1;
	}
	e[PHPS_MAX_DEPTH].key.type = PHPS_INT;
	CHECK(phps_serialize(&root, &b) == MW_EINTERNAL);
	CHECK(b.len == 0);
	e[PHPS_MAX_DEPTH - 2].val.n = 0; /* now 8 arrays deep */
	CHECK(phps_serialize(&root, &b) == MW_OK);
	CHECK(parse_buf(&b) == MW_OK);
	buf_free(&b);
}

static void
test_strlist_write(void)
{
	static const char *const tags[] = {"VIP", "Members"};
	static const char *const name[] = {"J\xc3\xb6hn"};
	struct buf b;

	buf_init(&b, 256);
	CHECK(phps_serialize_strlist(tags, 2, &b) == MW_OK);
	CHECK_STR(b.p, "a:2:{i:0;s:3:\"VIP\";i:1;s:7:\"Members\";}");
	buf_reset(&b);
	CHECK(phps_serialize_strlist(NULL, 0, &b) == MW_OK);
	CHECK_STR(b.p, "a:0:{}");
	buf_reset(&b);
	CHECK(phps_serialize_strlist(name, 1, &b) == MW_OK);
	CHECK_STR(b.p, "a:1:{i:0;s:5:\"J\xc3\xb6hn\";}");
	buf_free(&b);

	/* past the cap: error, and the buffer is as it was */
	buf_init(&b, 20);
	CHECK(buf_addstr(&b, "xy") == MW_OK);
	CHECK(phps_serialize_strlist(tags, 2, &b) == MW_ETOOBIG);
	CHECK(b.len == 2);
	CHECK_STR(b.p, "xy");
	buf_free(&b);
}

static void
test_strmap_write(void)
{
	static const char *const keys[] = {"request_id", "outcome", "42"};
	static const char *const vals[] = {"00ff", "J\xc3\xb6hn \"x\";", ""};
	static const char *const nul[] = {NULL};
	struct phps_value v;
	struct buf b;

	buf_init(&b, 256);
	CHECK(phps_serialize_strmap(keys, vals, 3, &b) == MW_OK);
	CHECK_STR(b.p, "a:3:{s:10:\"request_id\";s:4:\"00ff\";"
		       "s:7:\"outcome\";s:10:\"J\xc3\xb6hn \"x\";\";"
		       "i:42;s:0:\"\";}");
	/* what PHP's unserialize() reads back */
	CHECK(phps_unserialize(b.p, b.len, &v) == MW_OK);
	CHECK(phps_get(&v, "outcome") != NULL &&
	      phps_get(&v, "outcome")->slen == 10);
	phps_free(&v);
	buf_reset(&b);
	CHECK(phps_serialize_strmap(NULL, NULL, 0, &b) == MW_OK);
	CHECK_STR(b.p, "a:0:{}");
	buf_reset(&b);
	CHECK(buf_addstr(&b, "xy") == MW_OK);
	CHECK(phps_serialize_strmap(keys, nul, 1, &b) == MW_EINTERNAL);
	CHECK_STR(b.p, "xy");
	buf_free(&b);

	/* past the cap: error, and the buffer is as it was */
	buf_init(&b, 30);
	CHECK(buf_addstr(&b, "xy") == MW_OK);
	CHECK(phps_serialize_strmap(keys, vals, 2, &b) == MW_ETOOBIG);
	CHECK(b.len == 2);
	CHECK_STR(b.p, "xy");
	buf_free(&b);
}

/* Read a list and compare it with want[0..wantn). */
static void
check_strlist(const char *name, const char *in, size_t len,
	      const char *const *want, size_t wantn)
{
	char **got = NULL;
	size_t n = 99, i;
	int ok;

	ok = phps_unserialize_strlist(in, len, &got, &n) == MW_OK;
	ok = ok && got != NULL && n == wantn && got[n] == NULL;
	for (i = 0; ok && i < wantn; i++)
		ok = strcmp(got[i], want[i]) == 0;
	CHECK_CASE(name, ok);
	for (i = 0; got != NULL && i < n; i++)
		free(got[i]);
	free(got);
}

#define STRLIST(name, in, want, n)                                             \
	check_strlist(name, in, sizeof(in) - 1, want, n)

static void
test_strlist_read(void)
{
	static const char *const vip[] = {"VIP", "Members"};
	static const char *const ab[] = {"a", "b"};
	static const char *const y[] = {"y"};
	static const char mixed[] = "a:5:{i:0;s:1:\"a\";i:1;i:5;i:2;N;"
				    "i:3;s:3:\"x\0y\";i:4;s:1:\"b\";}";
	char **got = (char **)ab;
	size_t n = 42;

	STRLIST("phps_strlist_reads_tags",
		"a:2:{i:0;s:3:\"VIP\";i:1;s:7:\"Members\";}", vip, 2);
	STRLIST("phps_strlist_reads_empty_array", "a:0:{}", NULL, 0);
	STRLIST("phps_strlist_corrupt_string_is_empty", "s:3:\"abc\";", NULL,
		0);
	STRLIST("phps_strlist_scalar_is_empty", "b:0;", NULL, 0);
	STRLIST("phps_strlist_skips_non_strings_and_nul", mixed, ab, 2);
	STRLIST("phps_strlist_reads_values_not_keys",
		"a:1:{s:1:\"x\";s:1:\"y\";}", y, 1);

	CHECK(phps_unserialize_strlist("VIP,Members", 11, &got, &n) ==
	      MW_EINPUT);
	CHECK(got == (char **)ab && n == 42);
	CHECK(phps_unserialize_strlist("", 0, &got, &n) == MW_EINPUT);
	CHECK(got == (char **)ab && n == 42);
}
static const char wp_user_roles[] =
	"a:5:{s:13:\"administrator\";a:2:{s:4:\"name\";"
	"s:13:\"Administrator\";s:12:\"capabilities\";a:61:{"
	"s:13:\"switch_themes\";b:1;s:11:\"edit_themes\";b:1;"
	"s:16:\"activate_plugins\";b:1;s:12:\"edit_plugins\";b:1;"
	"s:10:\"edit_users\";b:1;s:10:\"edit_files\";b:1;"
	"s:14:\"manage_options\";b:1;s:17:\"moderate_comments\";b:1;"
	"s:17:\"manage_categories\";b:1;s:12:\"manage_links\";b:1;"
	"s:12:\"upload_files\";b:1;s:6:\"import\";b:1;"
	"s:15:\"unfiltered_html\";b:1;s:10:\"edit_posts\";b:1;"
	"s:17:\"edit_others_posts\";b:1;s:20:\"edit_published_posts\";b:1;"
	"s:13:\"publish_posts\";b:1;s:10:\"edit_pages\";b:1;s:4:\"read\";b:1;"
	"s:8:\"level_10\";b:1;s:7:\"level_9\";b:1;s:7:\"level_8\";b:1;"
	"s:7:\"level_7\";b:1;s:7:\"level_6\";b:1;s:7:\"level_5\";b:1;"
	"s:7:\"level_4\";b:1;s:7:\"level_3\";b:1;s:7:\"level_2\";b:1;"
	"s:7:\"level_1\";b:1;s:7:\"level_0\";b:1;s:17:\"edit_others_pages\";"
	"b:1;s:20:\"edit_published_pages\";b:1;s:13:\"publish_pages\";b:1;"
	"s:12:\"delete_pages\";b:1;s:19:\"delete_others_pages\";b:1;"
	"s:22:\"delete_published_pages\";b:1;s:12:\"delete_posts\";b:1;"
	"s:19:\"delete_others_posts\";b:1;s:22:\"delete_published_posts\";"
	"b:1;s:20:\"delete_private_posts\";b:1;s:18:\"edit_private_posts\";"
	"b:1;s:18:\"read_private_posts\";b:1;s:20:\"delete_private_pages\";"
	"b:1;s:18:\"edit_private_pages\";b:1;s:18:\"read_private_pages\";b:1;"
	"s:12:\"delete_users\";b:1;s:12:\"create_users\";b:1;"
	"s:17:\"unfiltered_upload\";b:1;s:14:\"edit_dashboard\";b:1;"
	"s:14:\"update_plugins\";b:1;s:14:\"delete_plugins\";b:1;"
	"s:15:\"install_plugins\";b:1;s:13:\"update_themes\";b:1;"
	"s:14:\"install_themes\";b:1;s:11:\"update_core\";b:1;"
	"s:10:\"list_users\";b:1;s:12:\"remove_users\";b:1;"
	"s:13:\"promote_users\";b:1;s:18:\"edit_theme_options\";b:1;"
	"s:13:\"delete_themes\";b:1;s:6:\"export\";b:1;}}s:6:\"editor\";a:2:{"
	"s:4:\"name\";s:6:\"Editor\";s:12:\"capabilities\";a:34:{"
	"s:17:\"moderate_comments\";b:1;s:17:\"manage_categories\";b:1;"
	"s:12:\"manage_links\";b:1;s:12:\"upload_files\";b:1;"
	"s:15:\"unfiltered_html\";b:1;s:10:\"edit_posts\";b:1;"
	"s:17:\"edit_others_posts\";b:1;s:20:\"edit_published_posts\";b:1;"
	"s:13:\"publish_posts\";b:1;s:10:\"edit_pages\";b:1;s:4:\"read\";b:1;"
	"s:7:\"level_7\";b:1;s:7:\"level_6\";b:1;s:7:\"level_5\";b:1;"
	"s:7:\"level_4\";b:1;s:7:\"level_3\";b:1;s:7:\"level_2\";b:1;"
	"s:7:\"level_1\";b:1;s:7:\"level_0\";b:1;s:17:\"edit_others_pages\";"
	"b:1;s:20:\"edit_published_pages\";b:1;s:13:\"publish_pages\";b:1;"
	"s:12:\"delete_pages\";b:1;s:19:\"delete_others_pages\";b:1;"
	"s:22:\"delete_published_pages\";b:1;s:12:\"delete_posts\";b:1;"
	"s:19:\"delete_others_posts\";b:1;s:22:\"delete_published_posts\";"
	"b:1;s:20:\"delete_private_posts\";b:1;s:18:\"edit_private_posts\";"
	"b:1;s:18:\"read_private_posts\";b:1;s:20:\"delete_private_pages\";"
	"b:1;s:18:\"edit_private_pages\";b:1;s:18:\"read_private_pages\";b:1;"
	"}}s:6:\"author\";a:2:{s:4:\"name\";s:6:\"Author\";"
	"s:12:\"capabilities\";a:10:{s:12:\"upload_files\";b:1;"
	"s:10:\"edit_posts\";b:1;s:20:\"edit_published_posts\";b:1;"
	"s:13:\"publish_posts\";b:1;s:4:\"read\";b:1;s:7:\"level_2\";b:1;"
	"s:7:\"level_1\";b:1;s:7:\"level_0\";b:1;s:12:\"delete_posts\";b:1;"
	"s:22:\"delete_published_posts\";b:1;}}s:11:\"contributor\";a:2:{"
	"s:4:\"name\";s:11:\"Contributor\";s:12:\"capabilities\";a:5:{"
	"s:10:\"edit_posts\";b:1;s:4:\"read\";b:1;s:7:\"level_1\";b:1;"
	"s:7:\"level_0\";b:1;s:12:\"delete_posts\";b:1;}}s:10:\"subscriber\";"
	"a:2:{s:4:\"name\";s:10:\"Subscriber\";s:12:\"capabilities\";a:2:{"
	"s:4:\"read\";b:1;s:7:\"level_0\";b:1;}}}";

/* Number of entries of the capabilities array of a role, or -1. */
static long
caps_of(const struct phps_value *roles, const char *role)
{
	const struct phps_value *caps;

	caps = phps_get(phps_get(roles, role), "capabilities");
	return caps != NULL && caps->type == PHPS_ARRAY ? (long)caps->n : -1;
}

/* The wp_user_roles option of a fresh WordPress 6.1 install. */
static void
test_wp_user_roles(void)
{
	struct phps_value v;
	const struct phps_value *name, *read;
	struct buf b;

	CHECK(sizeof(wp_user_roles) - 1 == 3133);
	buf_init(&b, 8192);
	CHECK(phps_unserialize(wp_user_roles, sizeof(wp_user_roles) - 1, &v) ==
	      MW_OK);
	CHECK(v.type == PHPS_ARRAY && v.n == 5);
	CHECK(caps_of(&v, "administrator") == 61);
	CHECK(caps_of(&v, "editor") == 34);
	CHECK(caps_of(&v, "author") == 10);
	CHECK(caps_of(&v, "contributor") == 5);
	CHECK(caps_of(&v, "subscriber") == 2);
	CHECK(caps_of(&v, "shop_manager") == -1);
	name = phps_get(phps_get(&v, "editor"), "name");
	CHECK_STR(name != NULL ? name->s : NULL, "Editor");
	read = phps_get(phps_get(phps_get(&v, "subscriber"), "capabilities"),
			"read");
	CHECK(read != NULL && read->type == PHPS_BOOL && read->b);
	CHECK(phps_serialize(&v, &b) == MW_OK);
	CHECK(b.len == sizeof(wp_user_roles) - 1);
	CHECK_STR(b.p, wp_user_roles);
	phps_free(&v);
	buf_free(&b);
}

/* xorshift64: a deterministic generator for the random round trip. */
static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Fill v with a random string of bytes that stress the format. */
static void
random_string(uint64_t *s, struct phps_value *v)
{
	static const char pool[] = "ab\"\";;{}:0123456789-\0\xff";
	size_t i, n = (size_t)(xorshift(s) % 12);

	v->type = PHPS_STRING;
	v->s = malloc(n + 1);
	CHECK(v->s != NULL);
	if (v->s == NULL)
		return;
	for (i = 0; i < n; i++)
		v->s[i] = pool[xorshift(s) % (sizeof(pool) - 1)];
	v->s[n] = '\0';
	v->slen = n;
}

/* A random double: raw bits (NaN, INF, subnormals) or a short decimal. */
static double
random_double(uint64_t *s)
{
	uint64_t r = xorshift(s);
	double d;

	if (r % 2 == 0) {
		memcpy(&d, &r, sizeof(d));
		return d;
	}
	return (double)(int64_t)(r >> 40) / 1000.0;
}

/* Fill the zeroed v with a random tree of at most depth more arrays. */
static void
random_value(uint64_t *s, struct phps_value *v, int depth)
{
	size_t i;

	v->type = (enum phps_type)(xorshift(s) % (depth > 0 ? 6 : 5));
	switch (v->type) {
	case PHPS_BOOL:
		v->b = xorshift(s) % 2;
		break;
	case PHPS_INT:
		v->i = (int64_t)xorshift(s) >> (xorshift(s) % 64);
		break;
	case PHPS_DOUBLE:
		v->d = random_double(s);
		break;
	case PHPS_STRING:
		random_string(s, v);
		break;
	case PHPS_ARRAY:
		v->n = (size_t)(xorshift(s) % 5);
		v->items = v->n ? calloc(v->n, sizeof(*v->items)) : NULL;
		if (v->items == NULL)
			v->n = 0;
		for (i = 0; i < v->n; i++) {
			if (xorshift(s) % 2)
				random_string(s, &v->items[i].key);
			else
				v->items[i].key.type = PHPS_INT;
			random_value(s, &v->items[i].val, depth - 1);
		}
		break;
	case PHPS_NULL:
	case PHPS__MAX:
		break;
	}
}

/* serialize, unserialize, serialize again: the bytes must not change. */
static void
test_random_roundtrip(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15u;
	struct phps_value v, w;
	struct buf b1, b2;
	int i, ok;

	for (i = 0; i < 5000; i++) {
		memset(&v, 0, sizeof(v));
		memset(&w, 0, sizeof(w));
		buf_init(&b1, 1 << 20);
		buf_init(&b2, 1 << 20);
		random_value(&seed, &v, 4);
		ok = phps_serialize(&v, &b1) == MW_OK &&
		     phps_unserialize(b1.p, b1.len, &w) == MW_OK &&
		     phps_serialize(&w, &b2) == MW_OK && b1.len == b2.len &&
		     memcmp(b1.p, b2.p, b1.len) == 0;
		if (!ok)
			fprintf(stderr, "round trip %d: %s\n", i, b1.p);
		CHECK(ok);
		phps_free(&v);
		phps_free(&w);
		buf_free(&b1);
		buf_free(&b2);
	}
}

/* is_serialized() rows, expected values from WordPress 6.1.9's PHP. */
struct looks_row {
	const char *in;
	int loose;  /* is_serialized($in, false) */
	int strict; /* is_serialized($in, true) */
};

static const struct looks_row looks_rows[] = {
	{"O:8:\"stdClass\":0:{}", 1, 1},
	{"a:1:{s:1:\"a\";i:1;}", 1, 1},
	{"s:5:\"hello\";", 1, 1},
	{"s:5:hello", 0, 0},
	{"i:5;", 1, 1},
	{"i:5", 0, 0},
	{"b:1;", 1, 1},
	{"d:0.5;", 1, 1},
	{"d:1.0E+25;", 1, 1},
	{"N;", 1, 1},
	{" N; ", 1, 1},
	{"hello world", 0, 0},
	{"a:", 0, 0},
	{"a:1", 0, 0},
	{"x:1:{}", 0, 0},
	{"E:7:\"Foo:Bar\";", 1, 1},
	{"s:1:\"x\";trailing", 1, 0},
	{"i:12;junk", 1, 0},
	{"i:;", 0, 0},
	{"b:x;", 0, 0},
	{"a:b:{}", 0, 0},
	{" a:0:{} ", 1, 1},
	{"plain;text}", 0, 0},
	{"{}", 0, 0},
	{"s:", 0, 0},
	{"O:3:\"Foo\":1:{s:1:\"a\";O:3:\"Bar\":0:{}}", 1, 1},
};

/* phps_looks_serialized and phps_maybe_serialize: WordPress double-
 * serializes strings that look serialized (maybe_serialize). */
static void
test_maybe_serialize(void)
{
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(looks_rows) / sizeof(looks_rows[0]); i++) {
		const struct looks_row *r = &looks_rows[i];

		CHECK(phps_looks_serialized(r->in, strlen(r->in), false) ==
		      (r->loose != 0));
		CHECK(phps_looks_serialized(r->in, strlen(r->in), true) ==
		      (r->strict != 0));
	}
	buf_init(&b, 1024);
	CHECK(phps_maybe_serialize("O:8:\"stdClass\":0:{}", 19, &b) == MW_OK);
	CHECK_STR(b.p, "s:19:\"O:8:\"stdClass\":0:{}\";");
	buf_reset(&b);
	CHECK(phps_maybe_serialize("Jane", 4, &b) == MW_OK);
	CHECK_STR(b.p, "Jane");
	buf_reset(&b);
	CHECK(phps_maybe_serialize("i:5;", 4, &b) == MW_OK);
	CHECK_STR(b.p, "s:4:\"i:5;\";");
	buf_free(&b);
}

int
main(void)
{
	test_rows();
	test_values();
	test_error_leaves_out_untouched();
	test_get();
	test_depth_limit();
	test_count_limit();
	test_input_limit();
	test_serialize_doubles();
	test_serialize_built();
	test_serialize_depth();
	test_strlist_write();
	test_strmap_write();
	test_strlist_read();
	test_wp_user_roles();
	test_random_roundtrip();
	test_maybe_serialize();
	return CHECK_DONE();
}
