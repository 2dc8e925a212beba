/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wptext_sanitize.c - the sanitize_*() filters of the user fields:
 * remove_accents() and sanitize_user() for logins, sanitize_title() for
 * nicenames, sanitize_text_field() for names, and is_email().
 */
#include "formats/wptext_int.h"

#include <stdlib.h>
#include <string.h>

#define TITLE_UTF8_MAX 200 /* utf8_uri_encode() length */

/* ------------------------------------------------------------------ */
/* remove_accents()                                                    */
/* ------------------------------------------------------------------ */

static int
cmp_accent(const void *key, const void *elem)
{
	const struct accent *k = key, *e = elem;

	return strcmp(k->from, e->from);
}

/* What the character of 2 to 4 bytes at s[0..n) becomes, its length in
 * *len; NULL (and *len 1) when remove_accents() keeps the byte s[0]. */
static const char *
accent_of(const char *s, size_t n, size_t *len)
{
	char key[5];
	struct accent probe = {key, NULL};
	const struct accent *hit;

	for (*len = n < 4 ? n : 4; *len >= 2; (*len)--) {
		memcpy(key, s, *len);
		key[*len] = '\0';
		hit = bsearch(&probe, wptext_accents, wptext_naccents,
			      sizeof(wptext_accents[0]), cmp_accent);
		if (hit != NULL)
			return hit->to;
	}
	*len = 1;
	return NULL;
}

/* remove_accents($s) with the default locale. */
static void
remove_accents(struct sb *o, const char *s, size_t n)
{
	size_t i, len;
	const char *to;
	unsigned char c;

	if (!wptext_seems_utf8(s, n)) {
		for (i = 0; i < n; i++) {
			c = (unsigned char)s[i];
			if (c >= 0x80 && wptext_latin1[c - 0x80] != NULL)
				sb_puts(o, wptext_latin1[c - 0x80]);
			else
				sb_putc(o, s[i]);
		}
		return;
	}
	for (i = 0; i < n; i += len) {
		to = accent_of(s + i, n - i, &len);
		if (to != NULL)
			sb_puts(o, to);
		else
			sb_putc(o, s[i]);
	}
}

/* ------------------------------------------------------------------ */
/* sanitize_user(), sanitize_title_with_dashes(), sanitize_text_field() */
/* ------------------------------------------------------------------ */

/* |%([a-fA-F0-9][a-fA-F0-9])| removed. */
static void
kill_octets(struct sb *o, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (is_octet_at(s, n, i))
			i += 3;
		else
			sb_putc(o, s[i++]);
	}
}

/* /&.+?;/ removed: an & and the first ';' at least two bytes on, with no
 * newline in between. */
static void
kill_entities(struct sb *o, const char *s, size_t n)
{
	struct seek semi = {";", false, false, 0, 0};
	struct seek nl = {"\n", false, false, 0, 0};
	size_t i = 0, j, k;

	while (i < n) {
		if (s[i] == '&' && i + 1 < n && s[i + 1] != '\n') {
			j = wptext_seek(&semi, s, n, i + 2);
			k = wptext_seek(&nl, s, n, i + 2);
			if (j < k) {
				i = j + 1;
				continue;
			}
		}
		sb_putc(o, s[i++]);
	}
}

/* Strict: only [A-Za-z0-9 _.@-] survive. */
static void
keep_login_chars(struct sb *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is_alnum((unsigned char)s[i]) || in_set(s[i], " _.-@"))
			sb_putc(o, s[i]);
}

/* Each run of the bytes of class cls becomes one space. */
static void
collapse(struct sb *o, const char *s, size_t n, bool (*cls)(unsigned char))
{
	size_t i = 0;

	while (i < n) {
		if (cls((unsigned char)s[i])) {
			sb_putc(o, ' ');
			i = span(s, n, i, cls);
		} else {
			sb_putc(o, s[i++]);
		}
	}
}

/* |\s+| becomes one space. */
static void
collapse_spaces(struct sb *o, const char *s, size_t n)
{
	collapse(o, s, n, is_space);
}

void
wptext_sanitize_user(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {
		wptext_strip_all_tags, remove_accents,	 kill_octets,
		kill_entities,	       keep_login_chars, wptext_stage_trim,
		collapse_spaces,
	};

	wptext_chain(o, s, n, fns, sizeof(fns) / sizeof(fns[0]));
}

/* %XX kept through the percent sign removal: ---XX--- and back. */
static void
title_octets(struct sb *o, const char *s, size_t n)
{
	struct sb a, b;
	size_t i = 0;

	sb_init(&a);
	sb_init(&b);
	while (i < n) {
		if (is_octet_at(s, n, i)) {
			sb_puts(&a, "---");
			sb_put(&a, s + i + 1, 2);
			sb_puts(&a, "---");
			i += 3;
		} else {
			sb_putc(&a, s[i++]);
		}
	}
	wptext_replace(&b, sb_ptr(&a), sb_len(&a), "%", "");
	for (i = 0; i < sb_len(&b);) {
		const char *p = sb_ptr(&b);

		if (has_at(p, sb_len(&b), i, "---") && i + 8 <= sb_len(&b) &&
		    is_xdigit((unsigned char)p[i + 3]) &&
		    is_xdigit((unsigned char)p[i + 4]) &&
		    has_at(p, sb_len(&b), i + 5, "---")) {
			sb_putc(o, '%');
			sb_put(o, p + i + 3, 2);
			i += 8;
		} else {
			sb_putc(o, p[i++]);
		}
	}
	sb_fail(o, a.rc);
	sb_fail(o, b.rc);
	sb_free(&a);
	sb_free(&b);
}

/* utf8_uri_encode($s, 200) of ASCII, then strtolower(). */
static void
title_lower(struct sb *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < TITLE_UTF8_MAX; i++)
		sb_putc(o, (char)to_lower((unsigned char)s[i]));
}

/* The 'save' context replacements of sanitize_title_with_dashes(). */
static const char *const title_dash1[] = {"%c2%a0", "%e2%80%93", "%e2%80%94"};
static const char *const title_dash2[] = {"&nbsp;",  "&#160;",	"&ndash;",
					  "&#8211;", "&mdash;", "&#8212;"};
static const char *const title_strip[] = {
	"%c2%ad",    "%c2%a1",	  "%c2%bf",    "%c2%ab",    "%c2%bb",
	"%e2%80%b9", "%e2%80%ba", "%e2%80%98", "%e2%80%99", "%e2%80%9c",
	"%e2%80%9d", "%e2%80%9a", "%e2%80%9b", "%e2%80%9e", "%e2%80%9f",
	"%e2%80%a2", "%c2%a9",	  "%c2%ae",    "%c2%b0",    "%e2%80%a6",
	"%e2%84%a2", "%c2%b4",	  "%cb%8a",    "%cc%81",    "%cd%81",
	"%cc%80",    "%cc%84",	  "%cc%8c",    "%e2%80%8b", "%e2%80%8c",
	"%e2%80%8d", "%e2%80%8e", "%e2%80%8f", "%e2%80%aa", "%e2%80%ab",
	"%e2%80%ac", "%e2%80%ad", "%e2%80%ae", "%ef%bb%bf", "%ef%bf%bc",
};
static const char *const title_dash3[] = {
	"%e2%80%80", "%e2%80%81", "%e2%80%82", "%e2%80%83", "%e2%80%84",
	"%e2%80%85", "%e2%80%86", "%e2%80%87", "%e2%80%88", "%e2%80%89",
	"%e2%80%8a", "%e2%80%a8", "%e2%80%a9", "%e2%80%af",
};
static const char *const title_slash[] = {"/"};
static const char *const title_times[] = {"%c3%97"};

static void
title_save(struct sb *o, const char *s, size_t n)
{
	static const struct {
		const char *const *from; /* needles */
		size_t n;		 /* how many */
		const char *to;		 /* replacement */
	} steps[] = {
		{title_dash1, 3, "-"},	{title_dash2, 6, "-"},
		{title_slash, 1, "-"},	{title_strip, 40, ""},
		{title_dash3, 14, "-"}, {title_times, 1, "x"},
	};
	struct sb cur, nxt;
	size_t i, j;

	sb_init(&cur);
	sb_init(&nxt);
	sb_put(&cur, s, n);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		for (j = 0; j < steps[i].n; j++) {
			wptext_replace(&nxt, sb_ptr(&cur), sb_len(&cur),
				       steps[i].from[j], steps[i].to);
			sb_move(&cur, &nxt);
		}
	}
	sb_emit(o, &cur);
	sb_free(&nxt);
}

/* '.' to '-', then only [%a-z0-9 _-], then blanks and dash runs to one
 * '-', then trim '-'. */
static void
title_dashes(struct sb *o, const char *s, size_t n)
{
	size_t i, start = sb_len(o);
	unsigned char c;
	bool dash = false; /* a run of '.', ' ', '-' is pending */

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '.' || c == ' ' || c == '-') {
			dash = true;
			continue;
		}
		if (!(c == '%' || c == '_' || is_digit(c) ||
		      (c >= 'a' && c <= 'z')))
			continue;
		if (dash && sb_len(o) > start)
			sb_putc(o, '-');
		sb_putc(o, (char)c);
		dash = false;
	}
}

/* remove_accents() does nothing to ASCII, then
 * sanitize_title_with_dashes($s, '', 'save'). */
void
wptext_sanitize_title(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {wptext_strip_tags, title_octets,
					title_lower,	   title_save,
					kill_entities,	   title_dashes};

	wptext_chain(o, s, n, fns, sizeof(fns) / sizeof(fns[0]));
}

/* The (?=<) and strip_tags part of _sanitize_text_fields(). */
static void
text_tags(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {wptext_pre_kses_less_than,
					wptext_strip_all_tags};
	struct sb t;

	if (memchr(s, '<', n) == NULL) {
		sb_put(o, s, n);
		return;
	}
	sb_init(&t);
	wptext_chain(&t, s, n, fns, sizeof(fns) / sizeof(fns[0]));
	sb_fail(o, t.rc);
	wptext_replace(o, sb_ptr(&t), sb_len(&t), "<\n", "&lt;\n");
	sb_free(&t);
}

static bool
is_blank(unsigned char c)
{
	return c == '\r' || c == '\n' || c == '\t' || c == ' ';
}

/* /[\r\n\t ]+/ becomes one space. */
static void
text_blanks(struct sb *o, const char *s, size_t n)
{
	collapse(o, s, n, is_blank);
}

/* while (preg_match('/%[a-f0-9]{2}/i')) str_replace(that match, ''),
 * then / +/ to one space and trim() if anything went.  As in
 * url_no_crlf(), a stack gives the same result in linear time. */
static void
text_octets(struct sb *o, const char *s, size_t n)
{
	struct sb t;
	const char *p;
	size_t i, len;
	bool found = false;

	sb_init(&t);
	for (i = 0; i < n; i++)
		found |= wptext_push_octet(&t, s[i], false);
	p = sb_ptr(&t);
	len = sb_len(&t);
	sb_fail(o, t.rc);
	if (found)
		wptext_trim(&p, &len);
	for (i = 0; i < len; i++)
		if (!found || p[i] != ' ' || i == 0 || p[i - 1] != ' ')
			sb_putc(o, p[i]);
	sb_free(&t);
}

void
wptext_sanitize_text_field(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {text_tags, text_blanks,
					wptext_stage_trim, text_octets};

	if (utf8_is_valid(s, n, UTF8_ANY))
		wptext_chain(o, s, n, fns, sizeof(fns) / sizeof(fns[0]));
}

bool
wptext_email_valid(const char *s, size_t n)
{
	const char *at, *d, *e, *dot;
	size_t i;

	at = n > 1 ? memchr(s + 1, '@', n - 1) : NULL;
	if (n < 6 || at == NULL)
		return false;
	for (i = 0; s + i < at; i++)
		if (!is_alnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+/=?^_`{|}~.-", s[i]) == NULL)
			return false;
	d = at + 1;
	e = s + n;
	if (d == e || *d == '.' || e[-1] == '.' || is_trim((unsigned char)*d) ||
	    is_trim((unsigned char)e[-1]) ||
	    find(d, (size_t)(e - d), 0, "..", 2) < (size_t)(e - d))
		return false;
	if (memchr(d, '.', (size_t)(e - d)) == NULL)
		return false;
	for (; d < e; d = dot + 1) {
		dot = memchr(d, '.', (size_t)(e - d));
		if (dot == NULL)
			dot = e;
		if (dot == d || *d == '-' || dot[-1] == '-')
			return false;
		for (i = 0; d + i < dot; i++)
			if (!is_alnum((unsigned char)d[i]) && d[i] != '-')
				return false;
	}
	return true;
}
