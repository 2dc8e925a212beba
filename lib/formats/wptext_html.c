/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wptext_html.c - tags and entities: PHP's strip_tags() and
 * htmlspecialchars(), WordPress's wp_strip_all_tags(),
 * wp_kses_normalize_entities(), _wp_specialchars() and
 * wp_pre_kses_less_than().
 */
#include "formats/html.h"
#include "formats/wptext_int.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* PHP strip_tags() and wp_strip_all_tags()                            */
/* ------------------------------------------------------------------ */

/* The state machine of php_strip_tags_ex() (PHP 8.2), no allowed tags:
 * 0 text, 1 HTML tag, 2 PHP block, 3 <! declaration, 4 <!-- comment. */
struct tagm {
	const unsigned char *s; /* input */
	size_t n;		/* its length */
	unsigned char lc;	/* last significant character */
	unsigned char in_q;	/* open quote inside a tag, or 0 */
	int state;		/* 0..4 as above */
	int depth;		/* nested '<' inside a tag */
	int br;			/* parentheses inside a PHP block */
	bool is_xml;		/* inside <?xml ... ?> */
};

static unsigned char
tagm_next(const struct tagm *m, size_t i)
{
	return i + 1 < m->n ? m->s[i + 1] : 0;
}

static void
tagm_text(struct tagm *m, size_t i, struct sb *o)
{
	unsigned char c = m->s[i];

	if (c == '\0')
		return;
	if (c == '<') {
		if (m->in_q)
			return;
		if (is_space(tagm_next(m, i))) {
			sb_putc(o, (char)c);
			return;
		}
		m->lc = '<';
		m->state = 1;
		return;
	}
	if (c == '>') {
		if (m->depth) {
			m->depth--;
			return;
		}
		if (m->in_q)
			return;
	}
	sb_putc(o, (char)c);
}

static void
tagm_tag(struct tagm *m, size_t i)
{
	unsigned char c = m->s[i];

	switch (c) {
	case '<':
		if (!m->in_q && !is_space(tagm_next(m, i)))
			m->depth++;
		break;
	case '>':
		if (m->depth) {
			m->depth--;
			break;
		}
		if (m->in_q)
			break;
		m->lc = '>';
		if (m->is_xml && i >= 1 && m->s[i - 1] == '-')
			break;
		m->in_q = 0;
		m->state = 0;
		m->is_xml = false;
		break;
	case '"':
	case '\'':
		if (i != 0 && (!m->in_q || c == m->in_q))
			m->in_q = m->in_q ? 0 : c;
		break;
	case '!':
		if (i >= 1 && m->s[i - 1] == '<') {
			m->state = 3;
			m->lc = c;
		}
		break;
	case '?':
		if (i >= 1 && m->s[i - 1] == '<') {
			m->br = 0;
			m->state = 2;
		}
		break;
	default:
		break;
	}
}

static void
tagm_php(struct tagm *m, size_t i)
{
	const unsigned char *s = m->s;
	unsigned char c = s[i];

	if ((c == '(' || c == ')') && m->lc != '"' && m->lc != '\'') {
		m->lc = c;
		m->br += c == '(' ? 1 : -1;
	} else if (c == '>') {
		if (m->depth) {
			m->depth--;
		} else if (!m->in_q && !m->br && i >= 1 && m->lc != '"' &&
			   s[i - 1] == '?') {
			m->in_q = 0;
			m->state = 0;
		}
	} else if ((c == '"' || c == '\'') && i >= 1 && s[i - 1] != '\\') {
		if (m->lc == c)
			m->lc = 0;
		else if (m->lc != '\\')
			m->lc = c;
		if (!m->in_q || c == m->in_q)
			m->in_q = m->in_q ? 0 : c;
	} else if ((c == 'l' || c == 'L') && i > 4 &&
		   to_lower(s[i - 1]) == 'm' && to_lower(s[i - 2]) == 'x' &&
		   s[i - 3] == '?' && s[i - 4] == '<') {
		m->state = 1;
		m->is_xml = true;
	}
}

static void
tagm_decl(struct tagm *m, size_t i)
{
	const unsigned char *s = m->s;
	unsigned char c = s[i];

	if (c == '>') {
		if (m->depth) {
			m->depth--;
		} else if (!m->in_q) {
			m->in_q = 0;
			m->state = 0;
		}
	} else if (c == '"' || c == '\'') {
		if (i != 0 && s[i - 1] != '\\' && (!m->in_q || c == m->in_q))
			m->in_q = m->in_q ? 0 : c;
	} else if (c == '-') {
		if (i >= 2 && s[i - 1] == '-' && s[i - 2] == '!')
			m->state = 4;
	} else if ((c == 'e' || c == 'E') && i > 6 &&
		   ci_eq((const char *)s + i - 6, "doctyp", 6)) {
		m->state = 1;
	}
}

void
wptext_strip_tags(struct sb *o, const char *s, size_t n)
{
	struct tagm m = {(const unsigned char *)s, n, 0, 0, 0, 0, 0, false};
	size_t i;

	for (i = 0; i < n; i++) {
		switch (m.state) {
		case 0:
			tagm_text(&m, i, o);
			break;
		case 1:
			tagm_tag(&m, i);
			break;
		case 2:
			tagm_php(&m, i);
			break;
		case 3:
			tagm_decl(&m, i);
			break;
		default:
			if (s[i] == '>' && !m.in_q && i >= 2 &&
			    s[i - 1] == '-' && s[i - 2] == '-') {
				m.in_q = 0;
				m.state = 0;
			}
			break;
		}
	}
}

/* The searches of @<(script|style)[^>]*?>.*?</\1>@si. */
struct scripts {
	struct seek gt;	      /* ">" */
	struct seek close[2]; /* "</script>", "</style>" */
};

/* Does the pattern match at s[i]?  Its end. */
static bool
script_block(struct scripts *sc, const char *s, size_t n, size_t i, size_t *end)
{
	static const char *const names[] = {"script", "style"};
	size_t k, len, gt, j;

	for (k = 0; k < 2; k++) {
		len = strlen(names[k]);
		if (n - i - 1 < len || !ci_eq(s + i + 1, names[k], len))
			continue;
		gt = wptext_seek(&sc->gt, s, n, i + 1 + len);
		j = gt < n ? wptext_seek(&sc->close[k], s, n, gt + 1) : n;
		if (j == n)
			return false;
		*end = j + len + 3;
		return true;
	}
	return false;
}

static void
drop_scripts(struct sb *o, const char *s, size_t n)
{
	struct scripts sc = {{">", false, false, 0, 0},
			     {{"</script>", true, false, 0, 0},
			      {"</style>", true, false, 0, 0}}};
	size_t i = 0, from = 0, end;

	while (i < n) {
		if (s[i] == '<' && script_block(&sc, s, n, i, &end)) {
			sb_put(o, s + from, i - from);
			i = from = end;
			continue;
		}
		i++;
	}
	sb_put(o, s + from, n - from);
}

void
wptext_strip_all_tags(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {drop_scripts, wptext_strip_tags,
					wptext_stage_trim};

	wptext_chain(o, s, n, fns, sizeof(fns) / sizeof(fns[0]));
}

/* ------------------------------------------------------------------ */
/* Entities: wp_kses_normalize_entities(), _wp_specialchars()          */
/* ------------------------------------------------------------------ */

static int
cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool
is_entity_name(const char *s, size_t n)
{
	char name[16];

	if (n >= sizeof(name))
		return false;
	memcpy(name, s, n);
	name[n] = '\0';
	return bsearch(name, wptext_entity_names, wptext_nentity_names,
		       sizeof(wptext_entity_names[0]), cmp_name) != NULL;
}

/* valid_unicode(): what XML allows in a character reference. */
static bool
valid_unicode(unsigned long c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

static void
ent_disarm(struct sb *o, const char *s, size_t n)
{
	wptext_replace(o, s, n, "&", "&amp;");
}

/* &amp;([A-Za-z]{2,8}[0-9]{0,2}); back to &name; for allowed names. */
static void
ent_named(struct sb *o, const char *s, size_t n)
{
	size_t i = 0, l, d;

	while (i < n) {
		if (has_at(s, n, i, "&amp;")) {
			l = span(s, n, i + 5, is_alpha);
			d = span(s, n, l, is_digit);
			if (l - i - 5 >= 2 && l - i - 5 <= 8 && d - l <= 2 &&
			    d < n && s[d] == ';') {
				sb_puts(o, is_entity_name(s + i + 5, d - i - 5)
						   ? "&"
						   : "&amp;");
				sb_put(o, s + i + 5, d + 1 - i - 5);
				i = d + 1;
				continue;
			}
		}
		sb_putc(o, s[i++]);
	}
}

/* &amp;#(0*[0-9]{1,7}); or &amp;#[Xx](0*[0-9A-Fa-f]{1,6}); at s[i]:
 * the digits (with their zeros) in [*d0, *d1). */
static bool
ent_numeric_at(const char *s, size_t n, size_t i, bool hex, size_t *d0,
	       size_t *d1)
{
	size_t z;

	if (!has_at(s, n, i, "&amp;#"))
		return false;
	i += 6;
	if (hex) {
		if (i >= n || (s[i] != 'x' && s[i] != 'X'))
			return false;
		i++;
	}
	*d0 = i;
	*d1 = span(s, n, i, hex ? is_xdigit : is_digit);
	for (z = *d0; z < *d1 && s[z] == '0'; z++)
		;
	return *d1 > *d0 && *d1 - z <= (hex ? 6u : 7u) && *d1 < n &&
	       s[*d1] == ';';
}

/* wp_kses_normalize_entities2() and 3(): valid references are kept,
 * zero-padded to three decimal digits or stripped of hex zeros. */
static void
ent_numeric(struct sb *o, const char *s, size_t n, bool hex)
{
	size_t i = 0, d0, d1, z, i0;
	unsigned long v;

	while (i < n) {
		if (!ent_numeric_at(s, n, i, hex, &d0, &d1)) {
			sb_putc(o, s[i++]);
			continue;
		}
		i = d1 + 1;
		if (d1 - d0 == 1 && s[d0] == '0')
			continue; /* empty("0"): the reference vanishes */
		for (z = d0; z < d1 && s[z] == '0'; z++)
			;
		for (v = 0, i0 = z; i0 < d1; i0++)
			v = v * (hex ? 16 : 10) + hex_val((unsigned char)s[i0]);
		if (!valid_unicode(v)) {
			sb_puts(o, hex ? "&amp;#x" : "&amp;#");
			sb_put(o, s + d0, d1 - d0);
		} else if (hex) {
			sb_puts(o, "&#x");
			sb_put(o, s + z, d1 - z);
		} else {
			sb_puts(o, d1 - z == 1	 ? "&#00"
				   : d1 - z == 2 ? "&#0"
						 : "&#");
			sb_put(o, s + z, d1 - z);
		}
		sb_putc(o, ';');
	}
}

/* wp_kses_normalize_entities2() over the whole string, then 3(). */
static void
ent_numeric_all(struct sb *o, const char *s, size_t n)
{
	wptext_twice(o, s, n, ent_numeric);
}

/* Four passes, as in WordPress ("&amp;#65;" comes out as "&#065;"). */
void
wptext_normalize_entities(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {ent_disarm, ent_named, ent_numeric_all};

	wptext_chain(o, s, n, fns, sizeof(fns) / sizeof(fns[0]));
}

/* htmlspecialchars() with double_encode false keeps an & that starts a
 * reference PHP knows: numeric up to U+10FFFF, or an HTML 4.01 name
 * (after normalization that is an allowed name other than "apos"). */
static bool
php_entity_at(const char *s, size_t n, size_t i)
{
	size_t j = i + 1, k;
	unsigned long v = 0;
	bool hex;

	if (j < n && s[j] == '#') {
		hex = j + 1 < n && (s[j + 1] == 'x' || s[j + 1] == 'X');
		j += hex ? 2 : 1;
		k = span(s, n, j, hex ? is_xdigit : is_digit);
		for (; j < k && v <= 0x10ffff; j++)
			v = v * (hex ? 16 : 10) + hex_val((unsigned char)s[j]);
		return k > i + 2 + hex && k < n && s[k] == ';' && v <= 0x10ffff;
	}
	k = span(s, n, j, is_alnum);
	if (k == j || k >= n || s[k] != ';')
		return false;
	return is_entity_name(s + j, k - j) &&
	       !(k - j == 4 && memcmp(s + j, "apos", 4) == 0);
}

void
wptext_specialchars(struct sb *o, const char *s, size_t n, bool quotes)
{
	struct sb t;
	const char *p;
	size_t i, len;

	if (n == 0)
		return;
	for (i = 0; i < n && !in_set(s[i], "&<>\"'"); i++)
		;
	if (i == n) {
		sb_put(o, s, n);
		return;
	}
	sb_init(&t);
	wptext_normalize_entities(&t, s, n);
	sb_fail(o, t.rc);
	p = sb_ptr(&t);
	len = sb_len(&t);
	if (!utf8_is_valid(p, len, UTF8_ANY))
		len = 0; /* htmlspecialchars() returns "" */
	for (i = 0; i < len; i++) {
		const char *ent = html_entity(p[i], quotes);

		if (ent == NULL || (p[i] == '&' && php_entity_at(p, len, i)))
			sb_putc(o, p[i]);
		else
			sb_puts(o, ent);
	}
	sb_free(&t);
}

/* esc_html(): "" for invalid UTF-8, else _wp_specialchars(ENT_QUOTES). */
static void
esc_html(struct sb *o, const char *s, size_t n)
{
	if (utf8_is_valid(s, n, UTF8_ANY))
		wptext_specialchars(o, s, n, true);
}

/* %<[^>]*?((?=<)|>|$)% matches without a '>' are escaped with esc_html(). */
void
wptext_pre_kses_less_than(struct sb *o, const char *s, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		if (s[i] != '<') {
			sb_putc(o, s[i++]);
			continue;
		}
		for (j = i + 1;
		     j < n && s[j] != '<' && s[j] != '>' && !at_end(s, n, j);
		     j++)
			;
		if (j < n && s[j] == '>') {
			sb_put(o, s + i, j + 1 - i);
			i = j + 1;
		} else {
			esc_html(o, s + i, j - i);
			i = j;
		}
	}
}
