/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wptext_kses.c - kses as the user fields meet it: wp_kses() with the
 * tags wp_kses_allowed_html() gives the pre_user_* filters, and the
 * default pre_kses filters.
 */
#include "formats/wptext_int.h"

#include <stdlib.h>
#include <string.h>

#define KSES_DEPTH_MAX 4  /* wp_kses() nesting through comments */
#define KSES_ROUNDS_MAX 4 /* wp_kses() rounds on one comment */

/* One wp_kses() call: the context and how deep comments nest. */
struct kses {
	enum kses_ctx ctx; /* which filter runs it */
	int depth;	   /* wp_kses() calls above this one */
};

/* The element s[0..n) names, if the context allows it. */
static const struct ktag *
ktag_find(const char *s, size_t n, const struct kses *k)
{
	size_t i;

	for (i = 0; i < wptext_nktags; i++)
		if (wptext_ktags[i].attrs[k->ctx] != NULL &&
		    strlen(wptext_ktags[i].name) == n &&
		    ci_eq(wptext_ktags[i].name, s, n))
			return &wptext_ktags[i];
	return NULL;
}

static bool
ktag_allows(const struct ktag *t, const struct kses *k, const char *s, size_t n)
{
	return wptext_has_word(t->attrs[k->ctx], s, n);
}

static void
no_null_keep(struct sb *o, const char *s, size_t n)
{
	wptext_kses_no_null(o, s, n, false);
}

struct hair {
	struct sb out;	    /* " name=\"value\"" for each kept attribute */
	const char **names; /* kept names, for first-one-wins */
	size_t *lens;	    /* their lengths */
	size_t count;	    /* entries in names and lens */
};

static bool
hair_seen(const struct hair *h, const char *name, size_t nl)
{
	size_t i;

	for (i = 0; i < h->count; i++)
		if (h->lens[i] == nl && memcmp(h->names[i], name, nl) == 0)
			return true;
	return false;
}

/* Record one attribute; quote is '"', '\'' or 0 for a valueless one. */
static void
hair_add(struct hair *h, const struct ktag *t, const struct kses *k,
	 const char *name, size_t nl, const char *val, size_t vl, char quote)
{
	struct sb v;
	const char **nn;
	size_t *ln;

	sb_init(&v);
	if (quote && wptext_has_word(wptext_uri_attrs, name, nl))
		wptext_kses_bad_protocol(&v, val, vl);
	else
		sb_put(&v, val, vl);
	sb_fail(&h->out, v.rc);
	if (!hair_seen(h, name, nl) && ktag_allows(t, k, name, nl)) {
		nn = reallocarray(h->names, h->count + 1, sizeof(*nn));
		if (nn != NULL)
			h->names = nn;
		ln = reallocarray(h->lens, h->count + 1, sizeof(*ln));
		if (ln != NULL)
			h->lens = ln;
		if (nn == NULL || ln == NULL) {
			sb_fail(&h->out, MW_ENOMEM);
		} else {
			h->names[h->count] = name;
			h->lens[h->count++] = nl;
		}
		sb_putc(&h->out, ' ');
		sb_put(&h->out, name, nl);
		if (quote) {
			sb_putc(&h->out, '=');
			sb_putc(&h->out, quote);
			sb_put(&h->out, sb_ptr(&v), sb_len(&v));
			sb_putc(&h->out, quote);
		}
	}
	sb_free(&v);
}

static bool
is_name_char(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == ':' || c == '.';
}

static bool
is_bare_char(unsigned char c)
{
	return !is_space(c) && c != '"' && c != '\'';
}

/* wp_kses_html_error(): drop up to the next blank outside quotes. */
static size_t
html_error(const char *s, size_t n, size_t a)
{
	size_t q;

	while (a < n && !is_space((unsigned char)s[a])) {
		if (s[a] == '"' || s[a] == '\'') {
			q = find(s, n, a + 1, s + a, 1);
			a = q < n ? q + 1 : n;
		} else {
			a++;
		}
	}
	return span(s, n, a, is_space);
}

/* Mode 2 of wp_kses_hair(): a value at s[*a]; false when none parses. */
static bool
hair_value(struct hair *h, const struct ktag *t, const struct kses *k,
	   const char *s, size_t n, size_t *a, const char *name, size_t nl)
{
	size_t q, after, i = *a;
	char c = s[i];

	if (c == '"' || c == '\'') {
		q = find(s, n, i + 1, &c, 1);
		after = q + 1;
		if (q == n ||
		    !((after < n && is_space((unsigned char)s[after])) ||
		      at_end(s, n, after) ||
		      (s[after] == '/' && at_end(s, n, after + 1))))
			return false;
		hair_add(h, t, k, name, nl, s + i + 1, q - i - 1, c);
		if (after < n && is_space((unsigned char)s[after]))
			*a = span(s, n, after, is_space);
		else if (after == n)
			*a = n;
		return true;
	}
	after = span(s, n, i, is_bare_char);
	if (after == i ||
	    !(at_end(s, n, after) || is_space((unsigned char)s[after])))
		return false;
	hair_add(h, t, k, name, nl, s + i, after - i, '"');
	*a = span(s, n, after, is_space);
	return true;
}

/* wp_kses_hair(): split an attribute list, keeping what t allows. */
static void
wp_kses_hair(struct hair *h, const struct ktag *t, const struct kses *k,
	     const char *s, size_t n)
{
	size_t a = 0, b, name = 0, nl = 0;
	int mode = 0;
	bool working;

	while (a < n) {
		working = false;
		if (mode == 0 &&
		    (is_alpha((unsigned char)s[a]) || s[a] == '_')) {
			name = a;
			a = span(s, n, a, is_name_char);
			nl = a - name;
			working = true;
			mode = 1;
		} else if (mode == 1) {
			b = span(s, n, a, is_space);
			if (b < n && s[b] == '=') {
				a = span(s, n, b + 1, is_space);
				working = true;
				mode = 2;
			} else if (b > a) {
				hair_add(h, t, k, s + name, nl, "", 0, 0);
				a = b;
				working = true;
				mode = 0;
			}
		} else if (mode == 2) {
			working = hair_value(h, t, k, s, n, &a, s + name, nl);
			mode = working ? 0 : 2;
		}
		if (!working) {
			a = html_error(s, n, a);
			mode = 0;
		}
	}
	if (mode == 1)
		hair_add(h, t, k, s + name, nl, "", 0, 0);
}

/* wp_kses_attr(): the element with the attributes it allows. */
static void
wp_kses_attr(struct sb *o, const char *elem, size_t en, const char *attr,
	     size_t an, const struct kses *k)
{
	const struct ktag *t = ktag_find(elem, en, k);
	struct hair h = {{{NULL, 0, 0, 0, MW_OK}, MW_OK}, NULL, NULL, 0};
	size_t end = an, i;
	bool xhtml;

	while (end > 0 && is_space((unsigned char)attr[end - 1]))
		end--;
	xhtml = end > 0 && attr[end - 1] == '/';
	sb_putc(o, '<');
	sb_put(o, elem, en);
	if (t->attrs[k->ctx][0] != '\0') {
		sb_init(&h.out);
		wp_kses_hair(&h, t, k, attr, an);
		sb_fail(o, h.out.rc);
		for (i = 0; i < sb_len(&h.out); i++)
			if (sb_ptr(&h.out)[i] != '<' &&
			    sb_ptr(&h.out)[i] != '>')
				sb_putc(o, sb_ptr(&h.out)[i]);
		sb_free(&h.out);
		free(h.names);
		free(h.lens);
	}
	sb_puts(o, xhtml ? " />" : ">");
}

static void wp_kses(struct sb *o, const char *s, size_t n,
		    const struct kses *k);

/* The comment branch of wp_kses_split2(). */
static void
kses_comment(struct sb *o, const char *s, size_t n, const struct kses *k)
{
	struct kses inner = {k->ctx, k->depth + 1};
	struct sb cur, nxt;
	const char *p;
	size_t i, len;
	int round;

	sb_init(&cur);
	sb_init(&nxt);
	wptext_replace(&nxt, s, n, "<!--", "");
	wptext_replace(&cur, sb_ptr(&nxt), sb_len(&nxt), "-->", "");
	sb_free(&nxt);
	sb_init(&nxt);
	for (round = 0; cur.rc == MW_OK; round++) {
		wp_kses(&nxt, sb_ptr(&cur), sb_len(&cur), &inner);
		if (round == KSES_ROUNDS_MAX)
			sb_fail(&cur, MW_EINPUT);
		if (nxt.rc != MW_OK ||
		    wptext_loose_eq(sb_ptr(&nxt), sb_len(&nxt), sb_ptr(&cur),
				    sb_len(&cur)))
			break;
		sb_move(&cur, &nxt);
	}
	sb_fail(o, cur.rc);
	sb_fail(o, nxt.rc);
	p = sb_ptr(&cur);
	len = sb_len(&cur);
	if (len > 0) {
		sb_puts(o, "<!--");
		for (i = 0; i < len; i++) {
			if (p[i] == '-' && i + 1 < len && p[i + 1] == '-')
				continue; /* --+ becomes - */
			if (p[i] == '-' && at_end(p, len, i + 1))
				continue; /* -$ goes */
			sb_putc(o, p[i]);
		}
		sb_puts(o, "-->");
	}
	sb_free(&cur);
	sb_free(&nxt);
}

/* wp_kses_split2(): one '>' or one <...> of the input. */
static void
wp_kses_split2(struct sb *o, const char *s, size_t n, const struct kses *k)
{
	struct sb t;
	const char *p;
	size_t len, i, j, e;
	bool slash = false;

	sb_init(&t);
	wptext_replace(&t, s, n, "\\\"", "\"");
	p = sb_ptr(&t);
	len = sb_len(&t);
	sb_fail(o, t.rc);
	if (len == 0 || p[0] != '<') {
		sb_puts(o, "&gt;");
	} else if (has_at(p, len, 0, "<!--")) {
		kses_comment(o, p, len, k);
	} else {
		i = span(p, len, 1, is_space);
		if (i < len && p[i] == '/') {
			j = span(p, len, i + 1, is_space);
			if (j < len &&
			    (is_alnum((unsigned char)p[j]) || p[j] == '-')) {
				slash = true;
				i = j;
			}
		}
		for (e = i;
		     e < len && (is_alnum((unsigned char)p[e]) || p[e] == '-');
		     e++)
			;
		if (e > i && ktag_find(p + i, e - i, k) != NULL) {
			if (slash) {
				sb_puts(o, "</");
				sb_put(o, p + i, e - i);
				sb_putc(o, '>');
			} else {
				wp_kses_attr(o, p + i, e - i, p + e,
					     len - e - (p[len - 1] == '>'), k);
			}
		}
	}
	sb_free(&t);
}

/* The searches of %(<!--.*?(-->|$))|(<[^>]*(>|$)|>)%. */
struct splits {
	struct seek gt;	   /* ">" */
	struct seek close; /* "-->" */
	struct seek nl;	   /* "\n": '.' stops there */
};

/* The end of the pattern matched at s[i] ('<' or '>'). */
static size_t
split_end(struct splits *sp, const char *s, size_t n, size_t i)
{
	size_t c, d;

	if (s[i] == '>')
		return i + 1;
	if (has_at(s, n, i, "<!--")) {
		d = wptext_seek(&sp->close, s, n, i + 4);
		c = wptext_seek(&sp->nl, s, n, i + 4);
		if (d < c)
			return d + 3;
		if (at_end(s, n, c))
			return c;
	}
	d = wptext_seek(&sp->gt, s, n, i + 1);
	return d < n ? d + 1 : n;
}

/* wp_kses_split(). */
static void
wp_kses_split(struct sb *o, const char *s, size_t n, const struct kses *k)
{
	struct splits sp = {{">", false, false, 0, 0},
			    {"-->", false, false, 0, 0},
			    {"\n", false, false, 0, 0}};
	size_t i = 0, e;

	while (i < n) {
		if (s[i] != '<' && s[i] != '>') {
			sb_putc(o, s[i++]);
			continue;
		}
		e = split_end(&sp, s, n, i);
		wp_kses_split2(o, s + i, e - i, k);
		i = e;
	}
}

static bool
is_block_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-';
}

/* Past [a-z][a-z0-9_-]* at s[i], or i. */
static size_t
block_name(const char *s, size_t n, size_t i)
{
	if (i >= n || s[i] < 'a' || s[i] > 'z')
		return i;
	return span(s, n, i + 1, is_block_name_char);
}

/* Could WP_Block_Parser see a block delimiter at s[i] ("<!--")?  Its
 * pattern, up to the attributes: <!--\s+/?wp:(ns/)?name\s+ then "-->",
 * "/-->", or {...} followed somewhere by }\s+/?-->.  Errs on "yes". */
static bool
block_delimiter_at(const char *s, size_t n, size_t i, size_t last_close)
{
	size_t j = span(s, n, i + 4, is_space), k;

	if (j == i + 4)
		return false;
	if (has_at(s, n, j, "/"))
		j++;
	if (!has_at(s, n, j, "wp:"))
		return false;
	k = block_name(s, n, j + 3);
	if (k == j + 3)
		return false;
	if (has_at(s, n, k, "/")) {
		j = block_name(s, n, k + 1);
		if (j == k + 1)
			return false;
		k = j;
	}
	j = span(s, n, k, is_space);
	if (j == k)
		return false;
	if (has_at(s, n, j, "-->") || has_at(s, n, j, "/-->"))
		return true;
	return has_at(s, n, j, "{") && last_close < n && last_close > j;
}

/* The last "}" followed by blanks and "-->" or "/-->", or n. */
static size_t
block_last_close(const char *s, size_t n)
{
	size_t k, j, last = n;

	for (k = find(s, n, 0, "}", 1); k < n; k = find(s, n, k + 1, "}", 1)) {
		j = span(s, n, k + 1, is_space);
		if (j > k + 1 &&
		    (has_at(s, n, j, "-->") || has_at(s, n, j, "/-->")))
			last = k;
	}
	return last;
}

/* filter_block_content() through wp_pre_kses_block_attributes():
 * <!--...---> loses the extra dashes; block delimiters are refused
 * (WordPress re-serializes the blocks, we do not). */
static void
block_content(struct sb *o, const char *s, size_t n)
{
	struct seek dashes = {"--->", false, false, 0, 0};
	struct seek nl = {"\n", false, false, 0, 0};
	size_t i = 0, j, c, e, last;

	if (find(s, n, 0, "<!--", 4) == n || find(s, n, 0, "--->", 4) == n) {
		sb_put(o, s, n);
		i = n;
	}
	while (i < n) {
		j = has_at(s, n, i, "<!--") ? wptext_seek(&dashes, s, n, i + 4)
					    : n;
		c = j < n ? wptext_seek(&nl, s, n, i + 4) : n;
		if (j == n || c < j) {
			sb_putc(o, s[i++]);
			continue;
		}
		for (e = j; e > i + 4 && s[e - 1] == '-'; e--)
			;
		sb_put(o, s + i, e - i);
		sb_puts(o, "-->");
		i = j + 4;
	}
	last = block_last_close(sb_ptr(o), sb_len(o));
	for (i = find(sb_ptr(o), sb_len(o), 0, "<!--", 4); i < sb_len(o);
	     i = find(sb_ptr(o), sb_len(o), i + 1, "<!--", 4))
		if (block_delimiter_at(sb_ptr(o), sb_len(o), i, last))
			sb_fail(o, MW_EINPUT);
}

/* wp_kses($s, $context) with the tags the context allows and the default
 * filters on pre_kses (wp_pre_kses_less_than, wp_pre_kses_block_attributes). */
static void
wp_kses(struct sb *o, const char *s, size_t n, const struct kses *k)
{
	static stage_fn *const fns[] = {no_null_keep, wptext_normalize_entities,
					wptext_pre_kses_less_than,
					block_content};
	struct sb t;

	if (k->depth > KSES_DEPTH_MAX) {
		sb_fail(o, MW_EINPUT);
		return;
	}
	sb_init(&t);
	wptext_chain(&t, s, n, fns, sizeof(fns) / sizeof(fns[0]));
	sb_fail(o, t.rc);
	wp_kses_split(o, sb_ptr(&t), sb_len(&t), k);
	sb_free(&t);
}

void
wptext_kses(struct sb *o, const char *s, size_t n, enum kses_ctx ctx)
{
	const struct kses k = {ctx, 0};

	wp_kses(o, s, n, &k);
}
