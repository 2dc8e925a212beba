/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_wpconfig.c - libFuzzer target for lib/config/wpconfig*.c.
 *
 * Whatever wpconfig_parse() makes of the input must be consistent: a key
 * has a value or a reason, never both; the DB_HOST parts exist only with
 * DB_HOST; wpconfig_check() agrees with the values; a second parse gives
 * the same result.  A broken property abort()s so the fuzzer reports it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/wpconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

/* abort() unless c is self-consistent. */
static void
check_result(const struct wpconfig *c)
{
	char err[WPCONFIG_WHY_MAX + 64];
	bool all = true;
	int k;

	for (k = 0; k < WPCONFIG__MAX; k++) {
		if (memchr(c->why[k], '\0', WPCONFIG_WHY_MAX) == NULL)
			abort();
		if (value(c, k) != NULL && c->why[k][0] != '\0')
			abort();
		all = all && (value(c, k) != NULL ||
			      !(WPCONFIG_NEED_ALL & WPCONFIG_NEED(k)));
		if (wpconfig_check(c, WPCONFIG_NEED(k), err, sizeof(err)) !=
		    (value(c, k) != NULL ? MW_OK : MW_ECONFIG))
			abort();
	}
	if (wpconfig_check(c, WPCONFIG_NEED_ALL, err, sizeof(err)) !=
	    (all ? MW_OK : MW_ECONFIG))
		abort();
	if (c->db_host == NULL &&
	    (c->host != NULL || c->socket != NULL || c->port != 0))
		abort();
	if (c->port > 65535 || (c->host != NULL && c->host[0] == '\0'))
		abort();
}

/* abort() unless a and b are the same result. */
static void
check_same(const struct wpconfig *a, const struct wpconfig *b)
{
	int k;

	for (k = 0; k < WPCONFIG__MAX; k++)
		if (!same(value(a, k), value(b, k)) ||
		    strcmp(a->why[k], b->why[k]) != 0)
			abort();
	if (!same(a->host, b->host) || !same(a->socket, b->socket) ||
	    a->port != b->port)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct wpconfig a, b;
	char err[256];
	enum mw_err rc;

	rc = wpconfig_parse(s, size, &a, err, sizeof(err));
	if (memchr(err, '\0', sizeof(err)) == NULL && rc != MW_OK)
		abort();
	if (rc != MW_OK) {
		if (rc != MW_ECONFIG && rc != MW_ENOMEM)
			abort();
		return 0;
	}
	check_result(&a);
	if (wpconfig_parse(s, size, &b, err, sizeof(err)) != MW_OK)
		abort();
	check_same(&a, &b);
	wpconfig_free(&a);
	wpconfig_free(&b);
	return 0;
}
