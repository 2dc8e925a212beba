/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_phpser.c - libFuzzer target for lib/phpser.c.
 *
 * Whatever phps_unserialize() accepts must serialize, and that output must
 * read back and serialize to the very same bytes (a fixed point after one
 * round).  phps_unserialize_strlist() must agree with phps_unserialize()
 * about what is valid.  A broken property abort()s so the fuzzer reports it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/phpser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Serialize, re-read, re-serialize v; abort() on any disagreement. */
static void
check_roundtrip(const struct phps_value *v)
{
	struct phps_value w;
	struct buf b1, b2;

	buf_init(&b1, 4 * (size_t)PHPS_MAX_INPUT);
	buf_init(&b2, 4 * (size_t)PHPS_MAX_INPUT);
	if (phps_serialize(v, &b1) != MW_OK)
		abort();
	if (b1.len <= PHPS_MAX_INPUT) {
		if (phps_unserialize(b1.p, b1.len, &w) != MW_OK)
			abort();
		if (phps_serialize(&w, &b2) != MW_OK)
			abort();
		if (b1.len != b2.len || memcmp(b1.p, b2.p, b1.len) != 0)
			abort();
		phps_free(&w);
	}
	buf_free(&b1);
	buf_free(&b2);
}

/* Read the input as a string list; it must be valid exactly when the
 * input is, and the list must be NULL-terminated. */
static void
check_strlist(const char *s, size_t len, enum mw_err want)
{
	char **list = NULL;
	size_t n = 0, i;
	enum mw_err rc;

	rc = phps_unserialize_strlist(s, len, &list, &n);
	if (rc != want)
		abort();
	if (rc != MW_OK)
		return;
	if (list == NULL || list[n] != NULL)
		abort();
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct phps_value v;
	enum mw_err rc;

	rc = phps_unserialize(s, size, &v);
	if (rc == MW_OK) {
		check_roundtrip(&v);
		(void)phps_get(&v, "administrator");
		(void)phps_get(&v, "0");
		phps_free(&v);
	}
	check_strlist(s, size, rc);
	return 0;
}
