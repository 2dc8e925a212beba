/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wptext_str.c - chains of ports, searches, and PHP's small string
 * functions (trim, str_replace, addslashes, ...) for wptext*.c.
 */
#include "formats/wptext_int.h"

#include <stdlib.h>
#include <string.h>

void
wptext_chain(struct sb *o, const char *s, size_t n, stage_fn *const *fns,
	     size_t nfns)
{
	struct sb cur, nxt;
	size_t i;

	sb_init(&cur);
	sb_init(&nxt);
	sb_put(&cur, s, n);
	for (i = 0; i < nfns && cur.rc == MW_OK; i++) {
		fns[i](&nxt, sb_ptr(&cur), sb_len(&cur));
		sb_move(&cur, &nxt);
	}
	sb_emit(o, &cur);
	sb_free(&nxt);
}

void
wptext_twice(struct sb *o, const char *s, size_t n, flag_fn *f)
{
	struct sb t;

	sb_init(&t);
	f(&t, s, n, false);
	sb_fail(o, t.rc);
	f(o, sb_ptr(&t), sb_len(&t), true);
	sb_free(&t);
}

static size_t
find_ci(const char *s, size_t n, size_t from, const char *needle, size_t nn)
{
	size_t i;

	for (i = from; nn > 0 && i < n && n - i >= nn; i++)
		if (ci_eq(s + i, needle, nn))
			return i;
	return n;
}

size_t
wptext_seek(struct seek *k, const char *s, size_t n, size_t from)
{
	size_t nn = strlen(k->needle);

	if (!k->done || from < k->from || k->at < from) {
		k->at = k->ci ? find_ci(s, n, from, k->needle, nn)
			      : find(s, n, from, k->needle, nn);
		k->from = from;
		k->done = true;
	}
	return k->at;
}

bool
wptext_has_word(const char *words, const char *s, size_t n)
{
	const char *w = words, *e;

	while (*w != '\0') {
		e = strchr(w, ' ');
		if (e == NULL)
			e = w + strlen(w);
		if ((size_t)(e - w) == n && ci_eq(w, s, n))
			return true;
		w = *e == ' ' ? e + 1 : e;
	}
	return false;
}

void
wptext_trim(const char **s, size_t *n)
{
	while (*n > 0 && is_trim((unsigned char)(*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_trim((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

void
wptext_stage_trim(struct sb *o, const char *s, size_t n)
{
	wptext_trim(&s, &n);
	sb_put(o, s, n);
}

void
wptext_replace(struct sb *o, const char *s, size_t n, const char *from,
	       const char *to)
{
	size_t fn = strlen(from), i = 0, j;

	while (i < n) {
		j = find(s, n, i, from, fn);
		sb_put(o, s + i, j - i);
		if (j == n)
			break;
		sb_puts(o, to);
		i = j + fn;
	}
}

void
wptext_addslashes(struct sb *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0') {
			sb_put(o, "\\0", 2);
			continue;
		}
		if (s[i] == '\'' || s[i] == '"' || s[i] == '\\')
			sb_putc(o, '\\');
		sb_putc(o, s[i]);
	}
}

void
wptext_stripslashes(struct sb *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			sb_putc(o, s[i]);
			continue;
		}
		if (++i == n)
			break;
		sb_putc(o, s[i] == '0' ? '\0' : s[i]);
	}
}

size_t
wptext_utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

bool
wptext_seems_utf8(const char *s, size_t n)
{
	size_t i, j, k;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x80)
			k = 0;
		else if ((c & 0xe0) == 0xc0)
			k = 1;
		else if ((c & 0xf0) == 0xe0)
			k = 2;
		else if ((c & 0xf8) == 0xf0)
			k = 3;
		else if ((c & 0xfc) == 0xf8)
			k = 4;
		else if ((c & 0xfe) == 0xfc)
			k = 5;
		else
			return false;
		for (j = 0; j < k; j++)
			if (++i == n || ((unsigned char)s[i] & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/* PHP 8 numeric string ("1", " 1.5e3 ", ".5"); its value in *v. */
static bool
php_numeric(const char *s, size_t n, double *v)
{
	char tmp[64];
	size_t i = 0, digits = 0, start;

	while (i < n && is_space((unsigned char)s[i]))
		i++;
	start = i;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && is_digit((unsigned char)s[i]); i++)
		digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && is_digit((unsigned char)s[i]); i++)
			digits++;
	if (digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = i + 1;

		if (e < n && (s[e] == '+' || s[e] == '-'))
			e++;
		if (e < n && is_digit((unsigned char)s[e]))
			i = span(s, n, e, is_digit);
	}
	if (i - start >= sizeof(tmp) || span(s, n, i, is_space) != n)
		return false;
	memcpy(tmp, s + start, i - start);
	tmp[i - start] = '\0';
	*v = strtod(tmp, NULL);
	return true;
}

bool
wptext_loose_eq(const char *a, size_t an, const char *b, size_t bn)
{
	double x, y;

	if (an == bn && memcmp(a, b, an) == 0)
		return true;
	return php_numeric(a, an, &x) && php_numeric(b, bn, &y) && x == y;
}
