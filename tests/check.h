/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check.h - a tiny test harness (after redis's testhelp.h).
 *
 *   CHECK(cond)            records a failure with file:line when cond is false
 *   CHECK_STR(a, b)        string equality (NULL-safe)
 *   CHECK_DONE()           prints a summary, returns the exit status for ctest
 */
#ifndef MW_CHECK_H
#define MW_CHECK_H

#include <stdio.h>
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

#endif
