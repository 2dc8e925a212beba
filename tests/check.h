/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check.h - a tiny test harness (after redis's testhelp.h).
 *
 *   CHECK(cond)            records a failure with file:line when cond is false
 *   CHECK_CASE(name, cond) the same, naming the table row or case that failed
 *   CHECK_STR(a, b)        string equality (NULL-safe)
 *   CHECK_DONE()           prints a summary, returns the exit status for ctest
 *
 *   LEN_STR, check_len(s, len)
 *                          a table row's length, LEN_STR for strlen(s)
 *   check_data_path(name)  tests/data/<name>, or $MW_TEST_DATA/<name>
 *   check_read_file(path, &len), check_read_data(name, &len)
 *                          a whole file, NUL-terminated (caller frees)
 */
#ifndef MW_CHECK_H
#define MW_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failed;
static int check_total;

#define CHECK(cond)                                                            \
	do {                                                                   \
		check_total++;                                                 \
		if (!(cond)) {                                                 \
			check_failed++;                                        \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__,          \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_CASE(name, cond)                                                 \
	do {                                                                   \
		check_total++;                                                 \
		if (!(cond)) {                                                 \
			check_failed++;                                        \
			fprintf(stderr, "FAIL %s:%d: %s (case %s)\n",          \
				__FILE__, __LINE__, #cond, (name));            \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *check_a_ = (a), *check_b_ = (b);                   \
		check_total++;                                                 \
		if (check_a_ == NULL || check_b_ == NULL ||                    \
		    strcmp(check_a_, check_b_) != 0) {                         \
			check_failed++;                                        \
			fprintf(stderr,                                        \
				"FAIL %s:%d: %s == %s (\"%s\" vs \"%s\")\n",   \
				__FILE__, __LINE__, #a, #b,                    \
				check_a_ ? check_a_ : "(null)",                \
				check_b_ ? check_b_ : "(null)");               \
		}                                                              \
	} while (0)

#define CHECK_DONE()                                                           \
	(printf("%d checks, %d failed\n", check_total, check_failed),          \
	 check_failed ? 1 : 0)

#define LEN_STR ((size_t)-1) /* a row's length: strlen() of its string */

static inline size_t
check_len(const char *s, size_t len)
{
	return len == LEN_STR ? strlen(s) : len;
}

/* The path of a file under tests/data; static storage. */
static inline const char *
check_data_path(const char *name)
{
	static char path[1024];
	const char *dir = getenv("MW_TEST_DATA");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/data", name);
	return path;
}

/* The whole file, NUL-terminated (caller frees), its length in *len;
 * NULL, said on stderr, when it cannot be read. */
static inline char *
check_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *p = NULL;
	long n = -1;

	if (fp != NULL && fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) != NULL &&
	    fread(p, 1, (size_t)n, fp) == (size_t)n) {
		p[n] = '\0';
		*len = (size_t)n;
	} else {
		fprintf(stderr, "cannot read %s\n", path);
		free(p);
		p = NULL;
	}
	if (fp != NULL)
		fclose(fp);
	return p;
}

/* check_read_file() of tests/data/<name>. */
static inline char *
check_read_data(const char *name, size_t *len)
{
	return check_read_file(check_data_path(name), len);
}

#endif
