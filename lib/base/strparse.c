/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strparse.c - strict string parsers. */
#include "base/strparse.h"

#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

enum mw_err
str_u64(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s == NULL || len == 0 || len > 20)
		return MW_EINPUT;
	if (s[0] == '0' && len > 1)
		return MW_EINPUT;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return MW_EINPUT;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return MW_EINPUT;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return MW_EINPUT;
	*out = v;
	return MW_OK;
}

bool
str_ieq(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char a = s[i], b = word[i];

		if (b == '\0')
			return false;
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return word[len] == '\0';
}

int
str_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
str_urldecode(const char *s, size_t len, size_t *outlen)
{
	char *out;
	size_t i, o = 0;

	out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < len &&
			   str_hexval(s[i + 1]) >= 0 &&
			   str_hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(str_hexval(s[i + 1]) * 16 +
					  str_hexval(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

bool
str_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = alen != blen;
	size_t i, k = 0;

	if (blen == 0)
		return alen == 0;
	/* Every byte of a meets a byte of b (b repeated when a is longer):
	 * no early exit, so the time tells neither b's bytes nor where the
	 * first difference is, only the lengths. */
	for (i = 0; i < alen; i++) {
		d |= x[i] ^ y[k];
		k = k + 1 < blen ? k + 1 : 0;
	}
	return d == 0;
}

void
str_trim_set(const char **s, size_t *len, const char *set, size_t setlen)
{
	while (*len > 0 && memchr(set, (*s)[0], setlen) != NULL) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && memchr(set, (*s)[*len - 1], setlen) != NULL)
		(*len)--;
}

void
str_trim(const char **s, size_t *len)
{
	str_trim_set(s, len, " \t", 2);
}

void
str_php_trim(const char **s, size_t *len)
{
	static const char blanks[] = " \t\n\r\v"; /* and the NUL after */

	str_trim_set(s, len, blanks, sizeof(blanks));
}

enum mw_err
str_urlencode(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3] = {'%', 0, 0};
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			buf_add(out, &s[i], 1);
			continue;
		}
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		buf_add(out, esc, 3);
	}
	return buf_error(out);
}
