/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strparse.h - strict parsers over (pointer, length) with explicit maxima.
 */
#ifndef MW_STRPARSE_H
#define MW_STRPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Parse s[0..len) as a plain decimal in [min, max]: digits only, no sign,
 * no blanks, no leading zero.  Writes *out only on MW_OK, else MW_EINPUT. */
enum mw_err str_u64(const char *s, size_t len, uint64_t min, uint64_t max,
		    uint64_t *out /* OUT */) MW_MUST_CHECK;

/* True when s[0..len) equals the NUL-terminated word, ASCII case ignored. */
bool str_ieq(const char *s, size_t len, const char *word);

/* Value of a hex digit, or -1. */
int str_hexval(char c);

/* Decode application/x-www-form-urlencoded text ('+' is a space, %XX a byte;
 * a malformed % sequence is kept as is, as PHP does).  Returns an allocated,
 * NUL-terminated string (caller frees) and its length, or NULL on ENOMEM. */
char *str_urldecode(const char *s, size_t len,
		    size_t *outlen /* OUT */) MW_MUST_CHECK;

/* Append s[0..len) percent-encoded for a query string: the RFC 3986
 * unreserved characters (A-Z a-z 0-9 - . _ ~) as they are, every other
 * byte as %XX (upper-case hex), as curl_easy_escape() does.  Returns the
 * buffer's (sticky) error. */
enum mw_err str_urlencode(struct buf *out, const char *s, size_t len);

/* Compare two byte strings in time independent of their contents (a is
 * the caller's input, b the secret): the time depends on the lengths
 * only. */
bool str_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/* Drop every byte of set[0..setlen) (which may hold NUL) from both ends
 * of s[0..*len): adjusts *s and *len. */
void str_trim_set(const char **s, size_t *len, const char *set, size_t setlen);

/* Trim spaces and tabs at both ends: adjusts *s and *len. */
void str_trim(const char **s, size_t *len);

/* PHP's trim() with its default set " \t\n\r\0\x0B". */
void str_php_trim(const char **s, size_t *len);

#endif
