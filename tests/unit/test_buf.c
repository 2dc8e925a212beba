/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_buf.c - the capped buffer: appends up to the cap and not a byte
 * past it, the sticky error (the first failure refuses every later append
 * and leaves the contents alone until buf_reset()), NUL termination,
 * detach and free.
 */
#include "base/buf.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

/* One step of a run of appends on a buffer of cap bytes. */
enum op { ADD, ADDSTR, PRINTF, RESET };

struct step {
	enum op op;
	const char *s;	    /* text to append (PRINTF: the %s argument) */
	enum mw_err want;   /* the append's result */
	const char *after;  /* contents after the step */
	enum mw_err sticky; /* buf_error() after the step */
};

struct buf_row {
	const char *name;
	size_t cap;
	struct step steps[6]; /* ends at the first with s NULL and op ADD */
};

#define END                                                                    \
	{                                                                      \
		ADD, NULL, MW_OK, NULL, MW_OK                                  \
	}

static const struct buf_row buf_rows[] = {
	{"buf_appends_within_cap",
	 8,
	 {{ADD, "abc", MW_OK, "abc", MW_OK},
	  {ADDSTR, "de", MW_OK, "abcde", MW_OK},
	  {PRINTF, "fgh", MW_OK, "abcdefgh", MW_OK},
	  END}},
	{"buf_exactly_cap_fits", 3, {{ADD, "abc", MW_OK, "abc", MW_OK}, END}},
	{"buf_one_past_cap_refused_unchanged",
	 3,
	 {{ADD, "ab", MW_OK, "ab", MW_OK},
	  {ADD, "cd", MW_ETOOBIG, "ab", MW_ETOOBIG},
	  END}},
	{"buf_error_sticks_for_later_small_appends",
	 4,
	 {{ADD, "abcde", MW_ETOOBIG, "", MW_ETOOBIG},
	  {ADD, "a", MW_ETOOBIG, "", MW_ETOOBIG},
	  {ADDSTR, "b", MW_ETOOBIG, "", MW_ETOOBIG},
	  {PRINTF, "c", MW_ETOOBIG, "", MW_ETOOBIG},
	  END}},
	{"buf_printf_past_cap_sticks",
	 4,
	 {{PRINTF, "abcdef", MW_ETOOBIG, "", MW_ETOOBIG},
	  {ADD, "ab", MW_ETOOBIG, "", MW_ETOOBIG},
	  END}},
	{"buf_reset_clears_error_and_contents",
	 4,
	 {{ADD, "ab", MW_OK, "ab", MW_OK},
	  {ADD, "cde", MW_ETOOBIG, "ab", MW_ETOOBIG},
	  {RESET, "", MW_OK, "", MW_OK},
	  {ADD, "wxyz", MW_OK, "wxyz", MW_OK},
	  END}},
	{"buf_zero_cap_takes_only_nothing",
	 0,
	 {{ADD, "", MW_OK, "", MW_OK},
	  {ADD, "a", MW_ETOOBIG, "", MW_ETOOBIG},
	  END}},
};

static enum mw_err
run_step(struct buf *b, const struct step *st)
{
	switch (st->op) {
	case ADD:
		return buf_add(b, st->s, strlen(st->s));
	case ADDSTR:
		return buf_addstr(b, st->s);
	case PRINTF:
		return buf_printf(b, "%s", st->s);
	case RESET:
		buf_reset(b);
		return MW_OK;
	}
	return MW_EINTERNAL;
}

static void
test_table(void)
{
	size_t i, k;

	for (i = 0; i < sizeof(buf_rows) / sizeof(buf_rows[0]); i++) {
		const struct buf_row *r = &buf_rows[i];
		struct buf b;

		buf_init(&b, r->cap);
		for (k = 0; r->steps[k].s != NULL; k++) {
			const struct step *st = &r->steps[k];

			CHECK_CASE(r->name, run_step(&b, st) == st->want);
			CHECK_CASE(r->name, buf_error(&b) == st->sticky);
			CHECK_CASE(r->name, b.len == strlen(st->after));
			CHECK_CASE(r->name, b.len <= b.max);
			CHECK_CASE(r->name,
				   (b.p == NULL && b.len == 0) ||
					   (b.p != NULL &&
					    strcmp(b.p, st->after) == 0));
		}
		buf_free(&b);
	}
}

/* buf_printf() longer than its stack buffer: the second formatting. */
static void
printf_long_text(void)
{
	char big[1000];
	struct buf b;

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 2000);
	CHECK(buf_printf(&b, "<%s>%d", big, 7) == MW_OK);
	CHECK(b.len == sizeof(big) - 1 + 3);
	CHECK(b.p != NULL && b.p[0] == '<' && strcmp(b.p + 1000, ">7") == 0);
	CHECK(buf_printf(&b, "%s%s", big, big) == MW_ETOOBIG);
	CHECK(b.len == sizeof(big) + 2 && buf_error(&b) == MW_ETOOBIG);
	buf_free(&b);
}

/* Binary data: NUL bytes kept, the contents still NUL-terminated. */
static void
add_binary(void)
{
	struct buf b;

	buf_init(&b, 16);
	CHECK(buf_add(&b, "a\0b", 3) == MW_OK);
	CHECK(b.len == 3 && memcmp(b.p, "a\0b", 4) == 0);
	buf_free(&b);
}

static void
detach_and_free(void)
{
	struct buf b;
	size_t len = 99;
	char *p;

	/* detach_of_an_unused_buffer_is_an_empty_string */
	buf_init(&b, 8);
	p = buf_detach(&b, &len);
	CHECK(p != NULL && p[0] == '\0' && len == 0);
	free(p);

	/* detach_hands_over_and_leaves_the_buffer_usable */
	buf_init(&b, 8);
	CHECK(buf_addstr(&b, "abc") == MW_OK);
	p = buf_detach(&b, &len);
	CHECK(p != NULL && strcmp(p, "abc") == 0 && len == 3);
	CHECK(b.p == NULL && b.len == 0 && buf_error(&b) == MW_OK);
	CHECK(buf_addstr(&b, "xy") == MW_OK && strcmp(b.p, "xy") == 0);
	free(p);
	buf_free(&b);
	CHECK(b.p == NULL && b.len == 0);

	/* free_accepts_null_and_unused_and_twice */
	buf_free(NULL);
	buf_init(&b, 8);
	buf_free(&b);
	buf_free(&b);
}

int
main(void)
{
	test_table();
	printf_long_text();
	add_binary();
	detach_and_free();
	return CHECK_DONE();
}
