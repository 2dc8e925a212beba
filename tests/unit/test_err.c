/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_err.c - the error table: every enum mw_err value has its own short
 * code for JSON answers and an HTTP status, MW_OK alone is 200, and a
 * value past the end falls back to a 500 "internal_error".
 */
#include "base/err.h"

#include <stdbool.h>
#include <string.h>

#include "check.h"

/* The HTTP status each code must map to. */
static const int want_status[MW_ERR__MAX] = {
	200, /* MW_OK */
	500, /* MW_ENOMEM */
	400, /* MW_EINPUT */
	403, /* MW_EAUTH */
	405, /* MW_EMETHOD */
	413, /* MW_ETOOBIG */
	500, /* MW_ECONFIG */
	502, /* MW_EUPSTREAM */
	504, /* MW_ETIMEOUT */
	503, /* MW_EDB */
	500, /* MW_EINTERNAL */
	503, /* MW_EFULL */
};

/* A code for JSON: lower-case letters and '_' only, not empty. */
static bool
is_code(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return i > 0;
}

static void
test_table(void)
{
	int e, f;

	for (e = 0; e < MW_ERR__MAX; e++) {
		const char *s = mw_strerror((enum mw_err)e);
		int st = mw_http_status((enum mw_err)e);

		CHECK_CASE(s, s != NULL && is_code(s));
		CHECK_CASE(s, st == want_status[e]);
		CHECK_CASE(s, (st == 200) == (e == MW_OK));
		CHECK_CASE(s, st == 200 || (st >= 400 && st <= 599));
		for (f = 0; f < e; f++)
			CHECK_CASE(s,
				   strcmp(s, mw_strerror((enum mw_err)f)) != 0);
	}
}

static void
test_fallback(void)
{
	CHECK_STR(mw_strerror(MW_ERR__MAX), "internal_error");
	CHECK(mw_http_status(MW_ERR__MAX) == 500);
	CHECK_STR(mw_strerror((enum mw_err) - 1), "internal_error");
	CHECK(mw_http_status((enum mw_err) - 1) == 500);
	CHECK_STR(mw_strerror(MW_OK), "ok");
	CHECK_STR(mw_strerror(MW_EINPUT), "bad_request");
}

int
main(void)
{
	test_table();
	test_fallback();
	return CHECK_DONE();
}
