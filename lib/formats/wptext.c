/*
 * wptext.c - WordPress 6.1's text rules for user fields, so that what we
 * store is byte for byte what wp_insert_user() stores.
 *
 * Each static function below is a port of the WordPress function (from
 * wp-includes/formatting.php and kses.php) or PHP built-in (strip_tags,
 * htmlspecialchars, parse_url) whose name it carries.  They work on
 * (pointer, length) and append to a struct sb: a capped buffer whose first
 * error sticks, so a chain of them reads like the PHP it mirrors.
 * tests/unit/wptext_parity.php runs the PHP originals on
 * tests/data/wptext-cases.txt for comparison.
 *
 * Modelled as WordPress is called by wp_create_user(), the REST API and
 * wp-admin: the value is slashed, filtered, and unslashed before the
 * INSERT.  Site options are the defaults: blog_charset UTF-8, locale en_US,
 * no plugin filters, no intl extension (no NFC normalization).
 *
 * Where WordPress would go on but we answer MW_EINPUT:
 *  - an input longer than IN_MAX bytes;
 *  - kses input with block delimiters ("<!-- wp:", "<!-- /wp:"), which
 *    WordPress re-serializes through its block parser;
 *  - a URL whose scheme part holds a numeric reference above PHP_INT_MAX
 *    (PHP throws a TypeError in chr(): WordPress dies);
 *  - description or URL output that is not valid UTF-8 (wpdb refuses to
 *    write it), a URL over 100 characters (user_url_too_long);
 *  - nicename of a login with non-ASCII bytes (strict logins are ASCII);
 *  - comments in kses input nested more than KSES_DEPTH_MAX deep or not
 *    stable after KSES_ROUNDS_MAX rounds (never seen; bounds the work).
 * Every scan is linear in the input, also where WordPress's regular
 * expressions backtrack.
 */
#include "formats/wptext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#define IN_MAX 65536u		/* longest input accepted, bytes */
#define WORK_MAX (IN_MAX * 16u) /* cap of every intermediate string */
#define KSES_DEPTH_MAX 4	/* wp_kses() nesting through comments */
#define KSES_ROUNDS_MAX 4	/* wp_kses() rounds on one comment */
#define PROTO_ROUNDS_MAX 6	/* wp_kses_bad_protocol() iterations */
#define TITLE_UTF8_MAX 200	/* utf8_uri_encode() length */

/* ------------------------------------------------------------------ */
/* Work buffers                                                        */
/* ------------------------------------------------------------------ */

struct sb {
	struct buf b;	/* the bytes, NUL-terminated; b.p NULL while empty */
	enum mw_err rc; /* first failure; later appends do nothing */
};

/* One step of a chain: append f(s[0..n)) to o. */
typedef void stage_fn(struct sb *o, const char *s, size_t n);

static void
sb_init(struct sb *o)
{
	buf_init(&o->b, WORK_MAX);
	o->rc = MW_OK;
}

static void
sb_free(struct sb *o)
{
	buf_free(&o->b);
}

static const char *
sb_ptr(const struct sb *o)
{
	return o->b.p != NULL ? o->b.p : "";
}

static size_t
sb_len(const struct sb *o)
{
	return o->b.len;
}

static void
sb_fail(struct sb *o, enum mw_err rc)
{
	if (o->rc == MW_OK)
		o->rc = rc;
}

static void
sb_put(struct sb *o, const char *p, size_t n)
{
	enum mw_err rc;

	if (o->rc != MW_OK || n == 0)
		return;
	rc = buf_add(&o->b, p, n);
	if (rc != MW_OK)
		sb_fail(o, rc == MW_ENOMEM ? MW_ENOMEM : MW_EINPUT);
}

static void
sb_putc(struct sb *o, char c)
{
	sb_put(o, &c, 1);
}

static void
sb_puts(struct sb *o, const char *z)
{
	sb_put(o, z, strlen(z));
}

/* dst takes src's bytes (src's error wins if dst has none); src empties. */
static void
sb_move(struct sb *dst, struct sb *src)
{
	enum mw_err rc = dst->rc != MW_OK ? dst->rc : src->rc;

	buf_free(&dst->b);
	dst->b = src->b;
	dst->rc = rc;
	sb_init(src);
}

/* Run the stages in order over s[0..n), appending the last output to o. */
static void
chain(struct sb *o, const char *s, size_t n, stage_fn *const *fns, size_t nfns)
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
	if (cur.rc != MW_OK)
		sb_fail(o, cur.rc);
	sb_put(o, sb_ptr(&cur), sb_len(&cur));
	sb_free(&cur);
	sb_free(&nxt);
}

/* Copy the result to the caller's buffer; free w. */
static enum mw_err
sb_finish(struct sb *w, char *out, size_t outsz)
{
	enum mw_err rc = w->rc;

	if (rc == MW_OK && sb_len(w) >= outsz)
		rc = MW_EINPUT;
	if (rc == MW_OK) {
		memcpy(out, sb_ptr(w), sb_len(w));
		out[sb_len(w)] = '\0';
	}
	sb_free(w);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Bytes and small PHP string functions                                */
/* ------------------------------------------------------------------ */

/* PCRE \s and C isspace() in the "C" locale: space \t \n \v \f \r. */
static bool
is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The bytes PHP's trim() removes by default: " \t\n\r\0\x0B". */
static bool
is_trim(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0' ||
	       c == '\v';
}

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_xdigit(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool
is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static unsigned char
to_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 'a' - 'A') : c;
}

/* c is one of the bytes of set (never NUL). */
static bool
in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static unsigned
hex_val(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	return to_lower(c) - 'a' + 10u;
}

/* PCRE's $ without /m: at the end, or before a final newline. */
static bool
at_end(const char *s, size_t n, size_t i)
{
	return i == n || (i + 1 == n && s[i] == '\n');
}

static bool
ci_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (to_lower((unsigned char)a[i]) !=
		    to_lower((unsigned char)b[i]))
			return false;
	return true;
}

/* True when s[i..] starts with the NUL-terminated word. */
static bool
has_at(const char *s, size_t n, size_t i, const char *word)
{
	size_t wn = strlen(word);

	return i <= n && n - i >= wn && memcmp(s + i, word, wn) == 0;
}

/* Offset of the first needle in s[from..n), or n. */
static size_t
find(const char *s, size_t n, size_t from, const char *needle, size_t nn)
{
	size_t i;

	for (i = from; nn > 0 && i < n && n - i >= nn; i++)
		if (memcmp(s + i, needle, nn) == 0)
			return i;
	return n;
}

static size_t
span(const char *s, size_t n, size_t i, bool (*cls)(unsigned char))
{
	while (i < n && cls((unsigned char)s[i]))
		i++;
	return i;
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

/* A search that resumes: the next needle at or after a position that
 * mostly grows, so that scanning a hostile input stays linear where the
 * PCRE patterns it stands for would backtrack. */
struct seek {
	const char *needle; /* what to find */
	bool ci;	    /* ignore ASCII case */
	bool done;	    /* from and at are set */
	size_t from;	    /* where the last search started */
	size_t at;	    /* the needle found from there, or n */
};

static size_t
seek_next(struct seek *k, const char *s, size_t n, size_t from)
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

/* trim(): narrow (*s, *n) past PHP's default whitespace at both ends. */
static void
php_trim(const char **s, size_t *n)
{
	while (*n > 0 && is_trim((unsigned char)(*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_trim((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static void
stage_trim(struct sb *o, const char *s, size_t n)
{
	php_trim(&s, &n);
	sb_put(o, s, n);
}

/* str_replace($from, $to, $s) for one needle: every occurrence, left to
 * right, replacements not rescanned. */
static void
replace_all(struct sb *o, const char *s, size_t n, const char *from,
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

/* str_replace(array(...), $to, $s): the needles one after the other. */
static void
replace_list(struct sb *o, const char *s, size_t n, const char *const *from,
	     size_t nfrom, const char *to)
{
	struct sb cur, nxt;
	size_t i;

	sb_init(&cur);
	sb_init(&nxt);
	sb_put(&cur, s, n);
	for (i = 0; i < nfrom; i++) {
		replace_all(&nxt, sb_ptr(&cur), sb_len(&cur), from[i], to);
		sb_move(&cur, &nxt);
	}
	if (cur.rc != MW_OK)
		sb_fail(o, cur.rc);
	sb_put(o, sb_ptr(&cur), sb_len(&cur));
	sb_free(&cur);
	sb_free(&nxt);
}

/* addslashes() / wp_slash(): backslash before ' " \ and NUL ("\0"). */
static void
php_addslashes(struct sb *o, const char *s, size_t n)
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

/* stripslashes() / wp_unslash(): "\0" becomes NUL, "\x" becomes x. */
static void
php_stripslashes(struct sb *o, const char *s, size_t n)
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

/* Valid UTF-8 as PCRE's /u checks it: no overlong forms, surrogates or
 * code points above U+10FFFF.  wp_check_invalid_utf8() and wpdb agree. */
static bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, len;
	unsigned char lo, hi;

	while (i < n) {
		lo = 0x80;
		hi = 0xbf;
		if (p[i] < 0x80) {
			i++;
			continue;
		} else if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			len = 2;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			len = 3;
			lo = p[i] == 0xe0 ? 0xa0 : 0x80;
			hi = p[i] == 0xed ? 0x9f : 0xbf;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			len = 4;
			lo = p[i] == 0xf0 ? 0x90 : 0x80;
			hi = p[i] == 0xf4 ? 0x8f : 0xbf;
		} else {
			return false;
		}
		if (n - i < len || p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (k = 2; k < len; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

/* Characters of valid UTF-8 (mb_strlen()). */
static size_t
utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* WordPress's seems_utf8(): the old, lenient test (overlong forms and
 * 5- and 6-byte sequences pass). */
static bool
seems_utf8(const char *s, size_t n)
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

/* PHP's loose $a == $b for two strings. */
static bool
php_loose_eq(const char *a, size_t an, const char *b, size_t bn)
{
	double x, y;

	if (an == bn && memcmp(a, b, an) == 0)
		return true;
	return php_numeric(a, an, &x) && php_numeric(b, bn, &y) && x == y;
}

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

static void
php_strip_tags(struct sb *o, const char *s, size_t n)
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
		gt = seek_next(&sc->gt, s, n, i + 1 + len);
		j = gt < n ? seek_next(&sc->close[k], s, n, gt + 1) : n;
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

/* wp_strip_all_tags($s): <script> and <style> elements go with their
 * content, then strip_tags(), then trim(). */
static void
wp_strip_all_tags(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {drop_scripts, php_strip_tags,
					stage_trim};

	chain(o, s, n, fns, sizeof(fns) / sizeof(fns[0]));
}

/* ------------------------------------------------------------------ */
/* Entities: wp_kses_normalize_entities(), _wp_specialchars()          */
/* ------------------------------------------------------------------ */

/* $allowedentitynames of kses.php, sorted (generated from WP 6.1.9). */
static const char *const entity_names[] = {
	"AElig",   "Aacute",  "Acirc",	  "Agrave",  "Alpha",	"Aring",
	"Atilde",  "Auml",    "Beta",	  "Ccedil",  "Chi",	"Dagger",
	"Delta",   "ETH",     "Eacute",	  "Ecirc",   "Egrave",	"Epsilon",
	"Eta",	   "Euml",    "Gamma",	  "Iacute",  "Icirc",	"Igrave",
	"Iota",	   "Iuml",    "Kappa",	  "Lambda",  "Mu",	"Ntilde",
	"Nu",	   "OElig",   "Oacute",	  "Ocirc",   "Ograve",	"Omega",
	"Omicron", "Oslash",  "Otilde",	  "Ouml",    "Phi",	"Pi",
	"Prime",   "Psi",     "Rho",	  "Scaron",  "Sigma",	"THORN",
	"Tau",	   "Theta",   "Uacute",	  "Ucirc",   "Ugrave",	"Upsilon",
	"Uuml",	   "Xi",      "Yacute",	  "Yuml",    "Zeta",	"aacute",
	"acirc",   "acute",   "aelig",	  "agrave",  "alefsym", "alpha",
	"amp",	   "and",     "ang",	  "apos",    "aring",	"asymp",
	"atilde",  "auml",    "bdquo",	  "beta",    "brvbar",	"bull",
	"cap",	   "ccedil",  "cedil",	  "cent",    "chi",	"circ",
	"clubs",   "cong",    "copy",	  "crarr",   "cup",	"curren",
	"dArr",	   "dagger",  "darr",	  "deg",     "delta",	"diams",
	"divide",  "eacute",  "ecirc",	  "egrave",  "empty",	"emsp",
	"ensp",	   "epsilon", "equiv",	  "eta",     "eth",	"euml",
	"euro",	   "exist",   "fnof",	  "forall",  "frac12",	"frac14",
	"frac34",  "frasl",   "gamma",	  "ge",	     "gt",	"hArr",
	"harr",	   "hearts",  "hellip",	  "iacute",  "icirc",	"iexcl",
	"igrave",  "image",   "infin",	  "int",     "iota",	"iquest",
	"isin",	   "iuml",    "kappa",	  "lArr",    "lambda",	"lang",
	"laquo",   "larr",    "lceil",	  "ldquo",   "le",	"lfloor",
	"lowast",  "loz",     "lrm",	  "lsaquo",  "lsquo",	"lt",
	"macr",	   "mdash",   "micro",	  "middot",  "minus",	"mu",
	"nabla",   "nbsp",    "ndash",	  "ne",	     "ni",	"not",
	"notin",   "nsub",    "ntilde",	  "nu",	     "oacute",	"ocirc",
	"oelig",   "ograve",  "oline",	  "omega",   "omicron", "oplus",
	"or",	   "ordf",    "ordm",	  "oslash",  "otilde",	"otimes",
	"ouml",	   "para",    "part",	  "permil",  "perp",	"phi",
	"pi",	   "piv",     "plusmn",	  "pound",   "prime",	"prod",
	"prop",	   "psi",     "quot",	  "rArr",    "radic",	"rang",
	"raquo",   "rarr",    "rceil",	  "rdquo",   "real",	"reg",
	"rfloor",  "rho",     "rlm",	  "rsaquo",  "rsquo",	"sbquo",
	"scaron",  "sdot",    "sect",	  "shy",     "sigma",	"sigmaf",
	"sim",	   "spades",  "sub",	  "sube",    "sum",	"sup",
	"sup1",	   "sup2",    "sup3",	  "supe",    "szlig",	"tau",
	"there4",  "theta",   "thetasym", "thinsp",  "thorn",	"tilde",
	"times",   "trade",   "uArr",	  "uacute",  "uarr",	"ucirc",
	"ugrave",  "uml",     "upsih",	  "upsilon", "uuml",	"weierp",
	"xi",	   "yacute",  "yen",	  "yuml",    "zeta",	"zwj",
	"zwnj",
};

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
	return bsearch(name, entity_names,
		       sizeof(entity_names) / sizeof(entity_names[0]),
		       sizeof(entity_names[0]), cmp_name) != NULL;
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
	replace_all(o, s, n, "&", "&amp;");
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

static void
ent_dec(struct sb *o, const char *s, size_t n)
{
	ent_numeric(o, s, n, false);
}

static void
ent_hex(struct sb *o, const char *s, size_t n)
{
	ent_numeric(o, s, n, true);
}

/* wp_kses_normalize_entities($s): every & becomes &amp; unless it starts
 * an allowed named or a valid numeric reference.  Four passes, as in
 * WordPress ("&amp;#65;" comes out as "&#065;"). */
static void
wp_kses_normalize_entities(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {ent_disarm, ent_named, ent_dec,
					ent_hex};

	chain(o, s, n, fns, sizeof(fns) / sizeof(fns[0]));
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

/* _wp_specialchars($s, ENT_NOQUOTES or ENT_QUOTES, false, false) with
 * blog_charset UTF-8.  Invalid UTF-8 comes out empty, as from PHP. */
static void
wp_specialchars(struct sb *o, const char *s, size_t n, bool quotes)
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
	wp_kses_normalize_entities(&t, s, n);
	sb_fail(o, t.rc);
	p = sb_ptr(&t);
	len = sb_len(&t);
	if (!utf8_valid(p, len))
		len = 0; /* htmlspecialchars() returns "" */
	for (i = 0; i < len; i++) {
		if (p[i] == '&' && !php_entity_at(p, len, i))
			sb_puts(o, "&amp;");
		else if (p[i] == '<')
			sb_puts(o, "&lt;");
		else if (p[i] == '>')
			sb_puts(o, "&gt;");
		else if (quotes && p[i] == '"')
			sb_puts(o, "&quot;");
		else if (quotes && p[i] == '\'')
			sb_puts(o, "&#039;");
		else
			sb_putc(o, p[i]);
	}
	sb_free(&t);
}

static void
specialchars_noquotes(struct sb *o, const char *s, size_t n)
{
	wp_specialchars(o, s, n, false);
}

/* esc_html(): "" for invalid UTF-8, else _wp_specialchars(ENT_QUOTES). */
static void
esc_html(struct sb *o, const char *s, size_t n)
{
	if (utf8_valid(s, n))
		wp_specialchars(o, s, n, true);
}

/* wp_pre_kses_less_than(): %<[^>]*?((?=<)|>|$)% matches without a '>'
 * are escaped with esc_html(). */
static void
wp_pre_kses_less_than(struct sb *o, const char *s, size_t n)
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

/* ------------------------------------------------------------------ */
/* kses                                                                */
/* ------------------------------------------------------------------ */

/* The elements and attributes of kses's $allowedtags (WP 6.1.9); the
 * pre_user_description context adds rel to <a>. */
struct ktag {
	const char *name;     /* lower-case element name */
	const char *attrs[2]; /* allowed attributes, NULL-padded */
};

/* clang-format off */
static const struct ktag ktags[] = {
	{"a",		{"href", "title"}},
	{"abbr",	{"title", NULL}},
	{"acronym",	{"title", NULL}},
	{"b",		{NULL, NULL}},
	{"blockquote",	{"cite", NULL}},
	{"cite",	{NULL, NULL}},
	{"code",	{NULL, NULL}},
	{"del",		{"datetime", NULL}},
	{"em",		{NULL, NULL}},
	{"i",		{NULL, NULL}},
	{"q",		{"cite", NULL}},
	{"s",		{NULL, NULL}},
	{"strike",	{NULL, NULL}},
	{"strong",	{NULL, NULL}},
};
/* clang-format on */

/* wp_kses_uri_attributes(). */
static const char *const uri_attrs[] = {
	"action", "archive",	"background", "cite",	"classid",  "codebase",
	"data",	  "formaction", "href",	      "icon",	"longdesc", "manifest",
	"poster", "profile",	"src",	      "usemap", "xmlns",
};

/* wp_allowed_protocols(). */
static const char *const protocols[] = {
	"http", "https",  "ftp",  "ftps", "mailto", "news", "irc",  "irc6",
	"ircs", "gopher", "nntp", "feed", "telnet", "mms",  "rtsp", "sms",
	"svn",	"tel",	  "fax",  "xmpp", "webcal", "urn",
};

/* One wp_kses() call: the context and how deep comments nest. */
struct kses {
	bool rel;  /* pre_user_description: <a rel> allowed */
	int depth; /* wp_kses() calls above this one */
};

static bool
in_list(const char *const *list, size_t nlist, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < nlist; i++)
		if (strlen(list[i]) == n && ci_eq(list[i], s, n))
			return true;
	return false;
}

static const struct ktag *
ktag_find(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(ktags) / sizeof(ktags[0]); i++)
		if (strlen(ktags[i].name) == n && ci_eq(ktags[i].name, s, n))
			return &ktags[i];
	return NULL;
}

static bool
ktag_allows(const struct ktag *t, const struct kses *k, const char *s, size_t n)
{
	size_t i;

	if (k->rel && t == &ktags[0] && n == 3 && ci_eq(s, "rel", 3))
		return true;
	for (i = 0; i < 2 && t->attrs[i] != NULL; i++)
		if (strlen(t->attrs[i]) == n && ci_eq(t->attrs[i], s, n))
			return true;
	return false;
}

/* wp_kses_no_null(): C0 controls but \t \n \r go; with slash_zero
 * "remove", also \\+0+ runs. */
static void
wp_kses_no_null(struct sb *o, const char *s, size_t n, bool drop_slash_zero)
{
	struct sb t;
	const char *p;
	size_t i, j, z, len;
	unsigned char c;

	sb_init(&t);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c > 0x1f || c == '\t' || c == '\n' || c == '\r')
			sb_putc(&t, s[i]);
	}
	sb_fail(o, t.rc);
	p = sb_ptr(&t);
	len = sb_len(&t);
	for (i = 0; i < len; i = j) {
		j = i + 1;
		if (!drop_slash_zero || p[i] != '\\') {
			sb_putc(o, p[i]);
			continue;
		}
		for (j = i; j < len && p[j] == '\\'; j++)
			;
		for (z = j; z < len && p[z] == '0'; z++)
			;
		if (z > j)
			j = z;
		else
			sb_put(o, p + i, j - i);
	}
	sb_free(&t);
}

static void
no_null_keep(struct sb *o, const char *s, size_t n)
{
	wp_kses_no_null(o, s, n, false);
}

/* chr() of a decimal or hex reference; false when PHP would throw (the
 * number is above PHP_INT_MAX). */
static bool
php_chr(const char *s, size_t n, bool hex, char *c)
{
	uint64_t v = 0, base = hex ? 16 : 10, d;
	size_t i;

	for (i = 0; i < n; i++) {
		d = hex_val((unsigned char)s[i]);
		if (v > ((uint64_t)INT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*c = (char)(v & 0xff);
	return true;
}

/* wp_kses_decode_entities(): &#N; then &#xH; become chr(). */
static void
kses_decode(struct sb *o, const char *s, size_t n, bool hex)
{
	size_t i = 0, d0, d1;
	char c = '\0';

	while (i < n) {
		d0 = i + (hex ? 3 : 2);
		if (s[i] == '&' && i + 1 < n && s[i + 1] == '#' &&
		    (!hex || (i + 2 < n && in_set(s[i + 2], "xX")))) {
			d1 = span(s, n, d0, hex ? is_xdigit : is_digit);
			if (d1 > d0 && d1 < n && s[d1] == ';') {
				if (!php_chr(s + d0, d1 - d0, hex, &c))
					sb_fail(o, MW_EINPUT);
				sb_putc(o, c);
				i = d1 + 1;
				continue;
			}
		}
		sb_putc(o, s[i++]);
	}
}

static void
kses_decode_dec(struct sb *o, const char *s, size_t n)
{
	kses_decode(o, s, n, false);
}

static void
kses_decode_hex(struct sb *o, const char *s, size_t n)
{
	kses_decode(o, s, n, true);
}

static void
drop_spaces(struct sb *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_space((unsigned char)s[i]))
			sb_putc(o, s[i]);
}

static void
no_null_remove(struct sb *o, const char *s, size_t n)
{
	wp_kses_no_null(o, s, n, true);
}

/* wp_kses_bad_protocol_once2(): "proto:" when allowed, else "". */
static void
bad_protocol_once2(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {kses_decode_dec, kses_decode_hex,
					drop_spaces, no_null_remove};
	struct sb t;
	char *p;
	size_t i;

	sb_init(&t);
	chain(&t, s, n, fns, sizeof(fns) / sizeof(fns[0]));
	sb_fail(o, t.rc);
	p = t.b.p;
	for (i = 0; p != NULL && i < sb_len(&t); i++)
		p[i] = (char)to_lower((unsigned char)p[i]);
	if (in_list(protocols, sizeof(protocols) / sizeof(protocols[0]),
		    sb_ptr(&t), sb_len(&t))) {
		sb_put(o, sb_ptr(&t), sb_len(&t));
		sb_putc(o, ':');
	}
	sb_free(&t);
}

/* (&#0*58(?![;0-9])|&#x0*3a(?![;a-f0-9]))/i gets its ';'. */
static void
colon_semicolon(struct sb *o, const char *s, size_t n)
{
	size_t i = 0, j;
	bool hex;

	while (i < n) {
		if (has_at(s, n, i, "&#")) {
			hex = i + 2 < n && in_set(s[i + 2], "xX");
			for (j = i + 2 + hex; j < n && s[j] == '0'; j++)
				;
			if (j + 1 < n && s[j] == (hex ? '3' : '5') &&
			    (s[j + 1] | (hex ? 0x20 : 0)) ==
				    (hex ? 'a' : '8') &&
			    (j + 2 == n || (s[j + 2] != ';' &&
					    !(hex ? is_xdigit : is_digit)((
						    unsigned char)s[j + 2])))) {
				sb_put(o, s + i, j + 2 - i);
				sb_putc(o, ';');
				i = j + 2;
				continue;
			}
		}
		sb_putc(o, s[i++]);
	}
}

/* Length of a :|&#0*58;|&#x0*3a;|&colon; (case ignored) at s[i], or 0. */
static size_t
colon_at(const char *s, size_t n, size_t i)
{
	size_t j;
	bool hex;

	if (s[i] == ':')
		return 1;
	if (n - i >= 7 && ci_eq(s + i, "&colon;", 7))
		return 7;
	if (!has_at(s, n, i, "&#"))
		return 0;
	hex = i + 2 < n && in_set(s[i + 2], "xX");
	for (j = i + 2 + hex; j < n && s[j] == '0'; j++)
		;
	if (n - j >= 3 && s[j] == (hex ? '3' : '5') &&
	    (s[j + 1] | (hex ? 0x20 : 0)) == (hex ? 'a' : '8') &&
	    s[j + 2] == ';')
		return j + 3 - i;
	return 0;
}

/* wp_kses_bad_protocol_once(): keep an allowed protocol, drop another;
 * "feed:" is looked through up to twice. */
static void
bad_protocol_once(struct sb *o, const char *s, size_t n, int count)
{
	struct sb a, rest;
	const char *p, *r;
	size_t len, i, dl = 0, rn;

	sb_init(&a);
	sb_init(&rest);
	colon_semicolon(&a, s, n);
	p = sb_ptr(&a);
	len = sb_len(&a);
	for (i = 0; i < len && (dl = colon_at(p, len, i)) == 0; i++)
		;
	if (i == len || find(p, i, 0, "/?", 2) < i) {
		sb_put(o, p, len);
		goto out;
	}
	r = p + i + dl;
	rn = len - i - dl;
	php_trim(&r, &rn);
	bad_protocol_once2(&rest, p, i);
	if (sb_len(&rest) == 5 && memcmp(sb_ptr(&rest), "feed:", 5) == 0) {
		if (count > 2)
			goto out;
		bad_protocol_once(&rest, r, rn, count + 1);
		if (sb_len(&rest) == 5 ||
		    (sb_len(&rest) == 6 && sb_ptr(&rest)[5] == '0')) {
			/* empty($string): the bare remainder is returned */
			sb_put(o, sb_ptr(&rest) + 5, sb_len(&rest) - 5);
			goto out;
		}
		sb_put(o, sb_ptr(&rest), sb_len(&rest));
		goto out;
	}
	sb_put(o, sb_ptr(&rest), sb_len(&rest));
	sb_put(o, r, rn);
out:
	sb_fail(o, a.rc);
	sb_fail(o, rest.rc);
	sb_free(&a);
	sb_free(&rest);
}

/* wp_kses_bad_protocol(): once() until stable, "" after six changes. */
static void
wp_kses_bad_protocol(struct sb *o, const char *s, size_t n)
{
	struct sb cur, nxt;
	int i;
	bool stable = false;

	sb_init(&cur);
	sb_init(&nxt);
	wp_kses_no_null(&cur, s, n, true);
	for (i = 0; i < PROTO_ROUNDS_MAX && !stable && cur.rc == MW_OK; i++) {
		bad_protocol_once(&nxt, sb_ptr(&cur), sb_len(&cur), 1);
		stable = sb_len(&nxt) == sb_len(&cur) &&
			 memcmp(sb_ptr(&nxt), sb_ptr(&cur), sb_len(&cur)) == 0;
		sb_move(&cur, &nxt);
	}
	sb_fail(o, cur.rc);
	if (stable)
		sb_put(o, sb_ptr(&cur), sb_len(&cur));
	sb_free(&cur);
	sb_free(&nxt);
}

/* The attributes wp_kses_hair() found that the element allows. */
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
	if (quote &&
	    in_list(uri_attrs, sizeof(uri_attrs) / sizeof(uri_attrs[0]), name,
		    nl))
		wp_kses_bad_protocol(&v, val, vl);
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
	const struct ktag *t = ktag_find(elem, en);
	struct hair h = {{{NULL, 0, 0, 0, MW_OK}, MW_OK}, NULL, NULL, 0};
	size_t end = an, i;
	bool xhtml;

	while (end > 0 && is_space((unsigned char)attr[end - 1]))
		end--;
	xhtml = end > 0 && attr[end - 1] == '/';
	sb_putc(o, '<');
	sb_put(o, elem, en);
	if (t->attrs[0] != NULL) {
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
	struct kses inner = {k->rel, k->depth + 1};
	struct sb cur, nxt;
	const char *p;
	size_t i, len;
	int round;

	sb_init(&cur);
	sb_init(&nxt);
	replace_all(&nxt, s, n, "<!--", "");
	replace_all(&cur, sb_ptr(&nxt), sb_len(&nxt), "-->", "");
	sb_free(&nxt);
	sb_init(&nxt);
	for (round = 0; cur.rc == MW_OK; round++) {
		wp_kses(&nxt, sb_ptr(&cur), sb_len(&cur), &inner);
		if (round == KSES_ROUNDS_MAX)
			sb_fail(&cur, MW_EINPUT);
		if (nxt.rc != MW_OK || php_loose_eq(sb_ptr(&nxt), sb_len(&nxt),
						    sb_ptr(&cur), sb_len(&cur)))
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
	replace_all(&t, s, n, "\\\"", "\"");
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
		if (e > i && ktag_find(p + i, e - i) != NULL) {
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
		d = seek_next(&sp->close, s, n, i + 4);
		c = seek_next(&sp->nl, s, n, i + 4);
		if (d < c)
			return d + 3;
		if (at_end(s, n, c))
			return c;
	}
	d = seek_next(&sp->gt, s, n, i + 1);
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
		j = has_at(s, n, i, "<!--") ? seek_next(&dashes, s, n, i + 4)
					    : n;
		c = j < n ? seek_next(&nl, s, n, i + 4) : n;
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

/* wp_kses($s, $allowed_html) with $allowedtags and the default filters
 * on pre_kses (wp_pre_kses_less_than, wp_pre_kses_block_attributes). */
static void
wp_kses(struct sb *o, const char *s, size_t n, const struct kses *k)
{
	static stage_fn *const fns[] = {no_null_keep,
					wp_kses_normalize_entities,
					wp_pre_kses_less_than, block_content};
	struct sb t;

	if (k->depth > KSES_DEPTH_MAX) {
		sb_fail(o, MW_EINPUT);
		return;
	}
	sb_init(&t);
	chain(&t, s, n, fns, sizeof(fns) / sizeof(fns[0]));
	sb_fail(o, t.rc);
	wp_kses_split(o, sb_ptr(&t), sb_len(&t), k);
	sb_free(&t);
}

static void
kses_default(struct sb *o, const char *s, size_t n)
{
	const struct kses k = {false, 0};

	wp_kses(o, s, n, &k);
}

/* ------------------------------------------------------------------ */
/* URLs: parse_url(), esc_url()                                        */
/* ------------------------------------------------------------------ */

/* What esc_url() reads of parse_url(): pointers into the parsed string. */
struct purl {
	const char *scheme, *user, *pass, *host; /* NULL when absent */
	size_t scheme_n, user_n, pass_n, host_n; /* their lengths */
	bool has_port;				 /* port is set */
	long port;				 /* 0..65535 */
};

/* First of chars in [s, e), or e (binary_strcspn()). */
static const char *
cspn(const char *s, const char *e, const char *chars)
{
	for (; s < e; s++)
		if (in_set(*s, chars))
			return s;
	return e;
}

static const char *
rfind(const char *s, const char *e, char c)
{
	while (e > s)
		if (*--e == c)
			return e;
	return NULL;
}

/* strtol() over at most five characters, as PHP's port_buf. */
static bool
parse_port(const char *p, const char *e, long *port)
{
	char buf[6], *end;

	if (e - p > 5)
		return false;
	memcpy(buf, p, (size_t)(e - p));
	buf[e - p] = '\0';
	*port = strtol(buf, &end, 10);
	return *port >= 0 && *port <= 65535 && end != buf;
}

static bool
is_scheme_char(char c)
{
	return is_alnum((unsigned char)c) || c == '+' || c == '.' || c == '-';
}

/* The host part of php_url_parse_ex2(), from s to the first / ? #. */
static bool
purl_host(struct purl *r, const char *s, const char *ue)
{
	const char *e = cspn(s, ue, "/?#"), *p, *pp;

	if ((p = rfind(s, e, '@')) != NULL) {
		pp = memchr(s, ':', (size_t)(p - s));
		r->user = s;
		r->user_n = (size_t)((pp ? pp : p) - s);
		if (pp != NULL) {
			r->pass = pp + 1;
			r->pass_n = (size_t)(p - pp - 1);
		}
		s = p + 1;
	}
	if (s < ue && *s == '[' && e[-1] == ']')
		p = NULL;
	else
		p = rfind(s, e, ':');
	if (p != NULL && r->port == 0 && e - p - 1 > 0) {
		if (!parse_port(p + 1, e, &r->port))
			return false;
		r->has_port = true;
	}
	if (p == NULL)
		p = e;
	if (p - s < 1)
		return false;
	r->host = s;
	r->host_n = (size_t)(p - s);
	return true;
}

/* The "parse_port:" branch of php_url_parse_ex2(); *s may move past //. */
static int
purl_colon(struct purl *r, const char **s, const char *e, const char *ue)
{
	const char *p = e + 1, *pp = p;

	while (pp < ue && pp - p < 6 && is_digit((unsigned char)*pp))
		pp++;
	if (pp - p > 0 && pp - p < 6 && (pp == ue || *pp == '/')) {
		if (!parse_port(p, pp, &r->port))
			return -1;
		r->has_port = true;
	} else if (p == pp && pp == ue) {
		return -1;
	} else if (!(*s + 1 < ue && (*s)[0] == '/' && (*s)[1] == '/')) {
		return 0; /* just a path */
	}
	if (*s + 1 < ue && (*s)[0] == '/' && (*s)[1] == '/')
		*s += 2;
	return 1;
}

/* php_url_parse_ex2() (PHP 8.2) down to scheme, user, pass, host, port;
 * false where parse_url() returns false. */
static bool
php_parse_url(struct purl *r, const char *str, size_t len)
{
	const char *s = str, *ue = str + len, *e, *p;
	int rc;

	memset(r, 0, sizeof(*r));
	e = memchr(s, ':', len);
	if (e != NULL && e != s) {
		for (p = s; p < e && is_scheme_char(*p); p++)
			;
		if (p < e) {
			if (e + 1 < ue && e < cspn(s, ue, "?#"))
				goto port;
			if (s + 1 < ue && s[0] == '/' && s[1] == '/')
				return purl_host(r, s + 2, ue);
			return true;
		}
		r->scheme = s;
		r->scheme_n = (size_t)(e - s);
		if (e + 1 == ue)
			return true;
		if (e[1] != '/') {
			for (p = e + 1; p < ue && is_digit((unsigned char)*p);
			     p++)
				;
			if ((p == ue || *p == '/') && p - e < 7) {
				r->scheme = NULL;
				r->scheme_n = 0;
				goto port;
			}
			return true;
		}
		if (!(e + 2 < ue && e[2] == '/'))
			return true;
		if (r->scheme_n == 4 && ci_eq(s, "file", 4) && e + 3 < ue &&
		    e[3] == '/')
			return true;
		return purl_host(r, e + 3, ue);
	}
	if (e != NULL)
		goto port;
	if (s + 1 < ue && s[0] == '/' && s[1] == '/')
		return purl_host(r, s + 2, ue);
	return true;
port:
	rc = purl_colon(r, &s, e, ue);
	if (rc < 0)
		return false;
	return rc == 0 ? true : purl_host(r, s, ue);
}

/* esc_url()'s treatment of [ and ]: %5B and %5D outside scheme://host. */
static void
url_brackets(struct sb *o, const char *url, size_t n)
{
	struct sb front, parsed, dirty, clean, t;
	struct purl r;
	bool ok;
	char port[16];

	sb_init(&front);
	sb_init(&parsed);
	sb_init(&dirty);
	sb_init(&clean);
	sb_init(&t);
	if (has_at(url, n, 0, "//"))
		sb_puts(&parsed, "placeholder:");
	else if (has_at(url, n, 0, "/"))
		sb_puts(&parsed, "placeholder://placeholder");
	sb_put(&parsed, url, n);
	ok = php_parse_url(&r, sb_ptr(&parsed), sb_len(&parsed));
	if (ok && url[0] == '/') {
		r.scheme = NULL;
		if (!has_at(url, n, 0, "//"))
			r.host = NULL;
	}
	if (ok && r.scheme != NULL) {
		sb_put(&front, r.scheme, r.scheme_n);
		sb_puts(&front, "://");
	} else if (url[0] == '/') {
		sb_puts(&front, "//");
	}
	if (ok && r.user != NULL)
		sb_put(&front, r.user, r.user_n);
	if (ok && r.pass != NULL) {
		sb_putc(&front, ':');
		sb_put(&front, r.pass, r.pass_n);
	}
	if (ok && (r.user != NULL || r.pass != NULL))
		sb_putc(&front, '@');
	if (ok && r.host != NULL)
		sb_put(&front, r.host, r.host_n);
	if (ok && r.has_port) {
		snprintf(port, sizeof(port), ":%ld", r.port);
		sb_puts(&front, port);
	}
	if (sb_len(&front) > 0)
		replace_all(&dirty, url, n, sb_ptr(&front), "");
	else
		sb_put(&dirty, url, n);
	replace_all(&t, sb_ptr(&dirty), sb_len(&dirty), "[", "%5B");
	replace_all(&clean, sb_ptr(&t), sb_len(&t), "]", "%5D");
	if (sb_len(&dirty) > 0)
		replace_all(o, url, n, sb_ptr(&dirty), sb_ptr(&clean));
	else
		sb_put(o, url, n);
	sb_fail(o, front.rc);
	sb_fail(o, dirty.rc);
	sb_fail(o, clean.rc);
	sb_free(&front);
	sb_free(&parsed);
	sb_free(&dirty);
	sb_free(&clean);
	sb_free(&t);
}

/* The bytes esc_url() keeps: |[^a-z0-9-~+_.?#=!&;,/:%@$\|*\'()\[\]\x80-\xff]|i
 */
static bool
is_url_char(unsigned char c)
{
	return is_alnum(c) || c >= 0x80 ||
	       in_set((char)c, "-~+_.?#=!&;,/:%@$|*'()[]");
}

static void
url_chars(struct sb *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			sb_puts(o, "%20");
		else if (is_url_char((unsigned char)s[i]))
			sb_putc(o, s[i]);
	}
}

/* Append c; true when that leaves "%" hex hex (any case) on top, which
 * is then dropped; with crlf only %0d %0a %0D %0A count. */
static bool
push_octet(struct sb *o, char c, bool crlf)
{
	const char *t;

	sb_putc(o, c);
	if (o->rc != MW_OK || sb_len(o) < 3)
		return false;
	t = sb_ptr(o) + sb_len(o) - 3;
	if (t[0] != '%' || !(crlf ? t[1] == '0' && in_set(t[2], "daDA")
				  : is_xdigit((unsigned char)t[1]) &&
					     is_xdigit((unsigned char)t[2])))
		return false;
	o->b.len -= 3;
	o->b.p[o->b.len] = '\0';
	return true;
}

/* _deep_replace() of %0d %0a %0D %0A until none is left.  The needles
 * cannot overlap, so deleting them as they complete on a stack gives the
 * same string as WordPress's passes, in linear time. */
static void
url_no_crlf(struct sb *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		push_octet(o, s[i], true);
}

/* http:// unless there is a ':', a leading / # ?, or /^[a-z0-9-]+?\.php/i. */
static bool
url_needs_http(const char *s, size_t n)
{
	size_t r = 0;

	if (memchr(s, ':', n) != NULL || in_set(s[0], "/#?"))
		return false;
	while (r < n && (is_alnum((unsigned char)s[r]) || s[r] == '-'))
		r++;
	return !(r > 0 && n - r >= 4 && ci_eq(s + r, ".php", 4));
}

/* esc_url($url, null, 'db'), i.e. esc_url_raw() / sanitize_url(). */
static void
esc_url_raw(struct sb *o, const char *s, size_t n)
{
	struct sb a, b;
	size_t i;

	while (n > 0 && is_trim((unsigned char)s[0])) {
		s++;
		n--;
	}
	sb_init(&a);
	sb_init(&b);
	url_chars(&a, s, n);
	if (sb_len(&a) == 0)
		goto out;
	if (!(sb_len(&a) >= 7 && ci_eq(sb_ptr(&a), "mailto:", 7))) {
		url_no_crlf(&b, sb_ptr(&a), sb_len(&a));
		sb_move(&a, &b);
	}
	replace_all(&b, sb_ptr(&a), sb_len(&a), ";//", "://");
	sb_move(&a, &b);
	if (url_needs_http(sb_ptr(&a), sb_len(&a))) {
		sb_puts(&b, "http://");
		sb_put(&b, sb_ptr(&a), sb_len(&a));
		sb_move(&a, &b);
	}
	if (memchr(sb_ptr(&a), '[', sb_len(&a)) != NULL ||
	    memchr(sb_ptr(&a), ']', sb_len(&a)) != NULL) {
		url_brackets(&b, sb_ptr(&a), sb_len(&a));
		sb_move(&a, &b);
	}
	if (sb_ptr(&a)[0] != '/') {
		wp_kses_bad_protocol(&b, sb_ptr(&a), sb_len(&a));
		if (sb_len(&b) != sb_len(&a))
			goto out;
		for (i = 0; i < sb_len(&a); i++)
			if (to_lower((unsigned char)sb_ptr(&a)[i]) !=
			    to_lower((unsigned char)sb_ptr(&b)[i]))
				goto out;
		sb_move(&a, &b);
	}
	sb_put(o, sb_ptr(&a), sb_len(&a));
out:
	sb_fail(o, a.rc);
	sb_fail(o, b.rc);
	sb_free(&a);
	sb_free(&b);
}

/* ------------------------------------------------------------------ */
/* remove_accents(): tables generated from WordPress 6.1.9             */
/* ------------------------------------------------------------------ */

/* The UTF-8 map of remove_accents() for the default locale (en_US),
 * sorted by key bytes: 309 rows, keys of 2 or 3 bytes. */
struct accent {
	const char *from; /* one UTF-8 character */
	const char *to;	  /* ASCII replacement, maybe "" */
};

static const struct accent accents[] = {
	{"\xc2\xa3", ""},      /* £ */
	{"\xc2\xaa", "a"},     /* ª */
	{"\xc2\xba", "o"},     /* º */
	{"\xc3\x80", "A"},     /* À */
	{"\xc3\x81", "A"},     /* Á */
	{"\xc3\x82", "A"},     /* Â */
	{"\xc3\x83", "A"},     /* Ã */
	{"\xc3\x84", "A"},     /* Ä */
	{"\xc3\x85", "A"},     /* Å */
	{"\xc3\x86", "AE"},    /* Æ */
	{"\xc3\x87", "C"},     /* Ç */
	{"\xc3\x88", "E"},     /* È */
	{"\xc3\x89", "E"},     /* É */
	{"\xc3\x8a", "E"},     /* Ê */
	{"\xc3\x8b", "E"},     /* Ë */
	{"\xc3\x8c", "I"},     /* Ì */
	{"\xc3\x8d", "I"},     /* Í */
	{"\xc3\x8e", "I"},     /* Î */
	{"\xc3\x8f", "I"},     /* Ï */
	{"\xc3\x90", "D"},     /* Ð */
	{"\xc3\x91", "N"},     /* Ñ */
	{"\xc3\x92", "O"},     /* Ò */
	{"\xc3\x93", "O"},     /* Ó */
	{"\xc3\x94", "O"},     /* Ô */
	{"\xc3\x95", "O"},     /* Õ */
	{"\xc3\x96", "O"},     /* Ö */
	{"\xc3\x98", "O"},     /* Ø */
	{"\xc3\x99", "U"},     /* Ù */
	{"\xc3\x9a", "U"},     /* Ú */
	{"\xc3\x9b", "U"},     /* Û */
	{"\xc3\x9c", "U"},     /* Ü */
	{"\xc3\x9d", "Y"},     /* Ý */
	{"\xc3\x9e", "TH"},    /* Þ */
	{"\xc3\x9f", "s"},     /* ß */
	{"\xc3\xa0", "a"},     /* à */
	{"\xc3\xa1", "a"},     /* á */
	{"\xc3\xa2", "a"},     /* â */
	{"\xc3\xa3", "a"},     /* ã */
	{"\xc3\xa4", "a"},     /* ä */
	{"\xc3\xa5", "a"},     /* å */
	{"\xc3\xa6", "ae"},    /* æ */
	{"\xc3\xa7", "c"},     /* ç */
	{"\xc3\xa8", "e"},     /* è */
	{"\xc3\xa9", "e"},     /* é */
	{"\xc3\xaa", "e"},     /* ê */
	{"\xc3\xab", "e"},     /* ë */
	{"\xc3\xac", "i"},     /* ì */
	{"\xc3\xad", "i"},     /* í */
	{"\xc3\xae", "i"},     /* î */
	{"\xc3\xaf", "i"},     /* ï */
	{"\xc3\xb0", "d"},     /* ð */
	{"\xc3\xb1", "n"},     /* ñ */
	{"\xc3\xb2", "o"},     /* ò */
	{"\xc3\xb3", "o"},     /* ó */
	{"\xc3\xb4", "o"},     /* ô */
	{"\xc3\xb5", "o"},     /* õ */
	{"\xc3\xb6", "o"},     /* ö */
	{"\xc3\xb8", "o"},     /* ø */
	{"\xc3\xb9", "u"},     /* ù */
	{"\xc3\xba", "u"},     /* ú */
	{"\xc3\xbb", "u"},     /* û */
	{"\xc3\xbc", "u"},     /* ü */
	{"\xc3\xbd", "y"},     /* ý */
	{"\xc3\xbe", "th"},    /* þ */
	{"\xc3\xbf", "y"},     /* ÿ */
	{"\xc4\x80", "A"},     /* Ā */
	{"\xc4\x81", "a"},     /* ā */
	{"\xc4\x82", "A"},     /* Ă */
	{"\xc4\x83", "a"},     /* ă */
	{"\xc4\x84", "A"},     /* Ą */
	{"\xc4\x85", "a"},     /* ą */
	{"\xc4\x86", "C"},     /* Ć */
	{"\xc4\x87", "c"},     /* ć */
	{"\xc4\x88", "C"},     /* Ĉ */
	{"\xc4\x89", "c"},     /* ĉ */
	{"\xc4\x8a", "C"},     /* Ċ */
	{"\xc4\x8b", "c"},     /* ċ */
	{"\xc4\x8c", "C"},     /* Č */
	{"\xc4\x8d", "c"},     /* č */
	{"\xc4\x8e", "D"},     /* Ď */
	{"\xc4\x8f", "d"},     /* ď */
	{"\xc4\x90", "D"},     /* Đ */
	{"\xc4\x91", "d"},     /* đ */
	{"\xc4\x92", "E"},     /* Ē */
	{"\xc4\x93", "e"},     /* ē */
	{"\xc4\x94", "E"},     /* Ĕ */
	{"\xc4\x95", "e"},     /* ĕ */
	{"\xc4\x96", "E"},     /* Ė */
	{"\xc4\x97", "e"},     /* ė */
	{"\xc4\x98", "E"},     /* Ę */
	{"\xc4\x99", "e"},     /* ę */
	{"\xc4\x9a", "E"},     /* Ě */
	{"\xc4\x9b", "e"},     /* ě */
	{"\xc4\x9c", "G"},     /* Ĝ */
	{"\xc4\x9d", "g"},     /* ĝ */
	{"\xc4\x9e", "G"},     /* Ğ */
	{"\xc4\x9f", "g"},     /* ğ */
	{"\xc4\xa0", "G"},     /* Ġ */
	{"\xc4\xa1", "g"},     /* ġ */
	{"\xc4\xa2", "G"},     /* Ģ */
	{"\xc4\xa3", "g"},     /* ģ */
	{"\xc4\xa4", "H"},     /* Ĥ */
	{"\xc4\xa5", "h"},     /* ĥ */
	{"\xc4\xa6", "H"},     /* Ħ */
	{"\xc4\xa7", "h"},     /* ħ */
	{"\xc4\xa8", "I"},     /* Ĩ */
	{"\xc4\xa9", "i"},     /* ĩ */
	{"\xc4\xaa", "I"},     /* Ī */
	{"\xc4\xab", "i"},     /* ī */
	{"\xc4\xac", "I"},     /* Ĭ */
	{"\xc4\xad", "i"},     /* ĭ */
	{"\xc4\xae", "I"},     /* Į */
	{"\xc4\xaf", "i"},     /* į */
	{"\xc4\xb0", "I"},     /* İ */
	{"\xc4\xb1", "i"},     /* ı */
	{"\xc4\xb2", "IJ"},    /* Ĳ */
	{"\xc4\xb3", "ij"},    /* ĳ */
	{"\xc4\xb4", "J"},     /* Ĵ */
	{"\xc4\xb5", "j"},     /* ĵ */
	{"\xc4\xb6", "K"},     /* Ķ */
	{"\xc4\xb7", "k"},     /* ķ */
	{"\xc4\xb8", "k"},     /* ĸ */
	{"\xc4\xb9", "L"},     /* Ĺ */
	{"\xc4\xba", "l"},     /* ĺ */
	{"\xc4\xbb", "L"},     /* Ļ */
	{"\xc4\xbc", "l"},     /* ļ */
	{"\xc4\xbd", "L"},     /* Ľ */
	{"\xc4\xbe", "l"},     /* ľ */
	{"\xc4\xbf", "L"},     /* Ŀ */
	{"\xc5\x80", "l"},     /* ŀ */
	{"\xc5\x81", "L"},     /* Ł */
	{"\xc5\x82", "l"},     /* ł */
	{"\xc5\x83", "N"},     /* Ń */
	{"\xc5\x84", "n"},     /* ń */
	{"\xc5\x85", "N"},     /* Ņ */
	{"\xc5\x86", "n"},     /* ņ */
	{"\xc5\x87", "N"},     /* Ň */
	{"\xc5\x88", "n"},     /* ň */
	{"\xc5\x89", "n"},     /* ŉ */
	{"\xc5\x8a", "N"},     /* Ŋ */
	{"\xc5\x8b", "n"},     /* ŋ */
	{"\xc5\x8c", "O"},     /* Ō */
	{"\xc5\x8d", "o"},     /* ō */
	{"\xc5\x8e", "O"},     /* Ŏ */
	{"\xc5\x8f", "o"},     /* ŏ */
	{"\xc5\x90", "O"},     /* Ő */
	{"\xc5\x91", "o"},     /* ő */
	{"\xc5\x92", "OE"},    /* Œ */
	{"\xc5\x93", "oe"},    /* œ */
	{"\xc5\x94", "R"},     /* Ŕ */
	{"\xc5\x95", "r"},     /* ŕ */
	{"\xc5\x96", "R"},     /* Ŗ */
	{"\xc5\x97", "r"},     /* ŗ */
	{"\xc5\x98", "R"},     /* Ř */
	{"\xc5\x99", "r"},     /* ř */
	{"\xc5\x9a", "S"},     /* Ś */
	{"\xc5\x9b", "s"},     /* ś */
	{"\xc5\x9c", "S"},     /* Ŝ */
	{"\xc5\x9d", "s"},     /* ŝ */
	{"\xc5\x9e", "S"},     /* Ş */
	{"\xc5\x9f", "s"},     /* ş */
	{"\xc5\xa0", "S"},     /* Š */
	{"\xc5\xa1", "s"},     /* š */
	{"\xc5\xa2", "T"},     /* Ţ */
	{"\xc5\xa3", "t"},     /* ţ */
	{"\xc5\xa4", "T"},     /* Ť */
	{"\xc5\xa5", "t"},     /* ť */
	{"\xc5\xa6", "T"},     /* Ŧ */
	{"\xc5\xa7", "t"},     /* ŧ */
	{"\xc5\xa8", "U"},     /* Ũ */
	{"\xc5\xa9", "u"},     /* ũ */
	{"\xc5\xaa", "U"},     /* Ū */
	{"\xc5\xab", "u"},     /* ū */
	{"\xc5\xac", "U"},     /* Ŭ */
	{"\xc5\xad", "u"},     /* ŭ */
	{"\xc5\xae", "U"},     /* Ů */
	{"\xc5\xaf", "u"},     /* ů */
	{"\xc5\xb0", "U"},     /* Ű */
	{"\xc5\xb1", "u"},     /* ű */
	{"\xc5\xb2", "U"},     /* Ų */
	{"\xc5\xb3", "u"},     /* ų */
	{"\xc5\xb4", "W"},     /* Ŵ */
	{"\xc5\xb5", "w"},     /* ŵ */
	{"\xc5\xb6", "Y"},     /* Ŷ */
	{"\xc5\xb7", "y"},     /* ŷ */
	{"\xc5\xb8", "Y"},     /* Ÿ */
	{"\xc5\xb9", "Z"},     /* Ź */
	{"\xc5\xba", "z"},     /* ź */
	{"\xc5\xbb", "Z"},     /* Ż */
	{"\xc5\xbc", "z"},     /* ż */
	{"\xc5\xbd", "Z"},     /* Ž */
	{"\xc5\xbe", "z"},     /* ž */
	{"\xc5\xbf", "s"},     /* ſ */
	{"\xc6\xa0", "O"},     /* Ơ */
	{"\xc6\xa1", "o"},     /* ơ */
	{"\xc6\xaf", "U"},     /* Ư */
	{"\xc6\xb0", "u"},     /* ư */
	{"\xc7\x8d", "A"},     /* Ǎ */
	{"\xc7\x8e", "a"},     /* ǎ */
	{"\xc7\x8f", "I"},     /* Ǐ */
	{"\xc7\x90", "i"},     /* ǐ */
	{"\xc7\x91", "O"},     /* Ǒ */
	{"\xc7\x92", "o"},     /* ǒ */
	{"\xc7\x93", "U"},     /* Ǔ */
	{"\xc7\x94", "u"},     /* ǔ */
	{"\xc7\x95", "U"},     /* Ǖ */
	{"\xc7\x96", "u"},     /* ǖ */
	{"\xc7\x97", "U"},     /* Ǘ */
	{"\xc7\x98", "u"},     /* ǘ */
	{"\xc7\x99", "U"},     /* Ǚ */
	{"\xc7\x9a", "u"},     /* ǚ */
	{"\xc7\x9b", "U"},     /* Ǜ */
	{"\xc7\x9c", "u"},     /* ǜ */
	{"\xc8\x98", "S"},     /* Ș */
	{"\xc8\x99", "s"},     /* ș */
	{"\xc8\x9a", "T"},     /* Ț */
	{"\xc8\x9b", "t"},     /* ț */
	{"\xc9\x91", "a"},     /* ɑ */
	{"\xe1\xba\xa0", "A"}, /* Ạ */
	{"\xe1\xba\xa1", "a"}, /* ạ */
	{"\xe1\xba\xa2", "A"}, /* Ả */
	{"\xe1\xba\xa3", "a"}, /* ả */
	{"\xe1\xba\xa4", "A"}, /* Ấ */
	{"\xe1\xba\xa5", "a"}, /* ấ */
	{"\xe1\xba\xa6", "A"}, /* Ầ */
	{"\xe1\xba\xa7", "a"}, /* ầ */
	{"\xe1\xba\xa8", "A"}, /* Ẩ */
	{"\xe1\xba\xa9", "a"}, /* ẩ */
	{"\xe1\xba\xaa", "A"}, /* Ẫ */
	{"\xe1\xba\xab", "a"}, /* ẫ */
	{"\xe1\xba\xac", "A"}, /* Ậ */
	{"\xe1\xba\xad", "a"}, /* ậ */
	{"\xe1\xba\xae", "A"}, /* Ắ */
	{"\xe1\xba\xaf", "a"}, /* ắ */
	{"\xe1\xba\xb0", "A"}, /* Ằ */
	{"\xe1\xba\xb1", "a"}, /* ằ */
	{"\xe1\xba\xb2", "A"}, /* Ẳ */
	{"\xe1\xba\xb3", "a"}, /* ẳ */
	{"\xe1\xba\xb4", "A"}, /* Ẵ */
	{"\xe1\xba\xb5", "a"}, /* ẵ */
	{"\xe1\xba\xb6", "A"}, /* Ặ */
	{"\xe1\xba\xb7", "a"}, /* ặ */
	{"\xe1\xba\xb8", "E"}, /* Ẹ */
	{"\xe1\xba\xb9", "e"}, /* ẹ */
	{"\xe1\xba\xba", "E"}, /* Ẻ */
	{"\xe1\xba\xbb", "e"}, /* ẻ */
	{"\xe1\xba\xbc", "E"}, /* Ẽ */
	{"\xe1\xba\xbd", "e"}, /* ẽ */
	{"\xe1\xba\xbe", "E"}, /* Ế */
	{"\xe1\xba\xbf", "e"}, /* ế */
	{"\xe1\xbb\x80", "E"}, /* Ề */
	{"\xe1\xbb\x81", "e"}, /* ề */
	{"\xe1\xbb\x82", "E"}, /* Ể */
	{"\xe1\xbb\x83", "e"}, /* ể */
	{"\xe1\xbb\x84", "E"}, /* Ễ */
	{"\xe1\xbb\x85", "e"}, /* ễ */
	{"\xe1\xbb\x86", "E"}, /* Ệ */
	{"\xe1\xbb\x87", "e"}, /* ệ */
	{"\xe1\xbb\x88", "I"}, /* Ỉ */
	{"\xe1\xbb\x89", "i"}, /* ỉ */
	{"\xe1\xbb\x8a", "I"}, /* Ị */
	{"\xe1\xbb\x8b", "i"}, /* ị */
	{"\xe1\xbb\x8c", "O"}, /* Ọ */
	{"\xe1\xbb\x8d", "o"}, /* ọ */
	{"\xe1\xbb\x8e", "O"}, /* Ỏ */
	{"\xe1\xbb\x8f", "o"}, /* ỏ */
	{"\xe1\xbb\x90", "O"}, /* Ố */
	{"\xe1\xbb\x91", "o"}, /* ố */
	{"\xe1\xbb\x92", "O"}, /* Ồ */
	{"\xe1\xbb\x93", "o"}, /* ồ */
	{"\xe1\xbb\x94", "O"}, /* Ổ */
	{"\xe1\xbb\x95", "o"}, /* ổ */
	{"\xe1\xbb\x96", "O"}, /* Ỗ */
	{"\xe1\xbb\x97", "o"}, /* ỗ */
	{"\xe1\xbb\x98", "O"}, /* Ộ */
	{"\xe1\xbb\x99", "o"}, /* ộ */
	{"\xe1\xbb\x9a", "O"}, /* Ớ */
	{"\xe1\xbb\x9b", "o"}, /* ớ */
	{"\xe1\xbb\x9c", "O"}, /* Ờ */
	{"\xe1\xbb\x9d", "o"}, /* ờ */
	{"\xe1\xbb\x9e", "O"}, /* Ở */
	{"\xe1\xbb\x9f", "o"}, /* ở */
	{"\xe1\xbb\xa0", "O"}, /* Ỡ */
	{"\xe1\xbb\xa1", "o"}, /* ỡ */
	{"\xe1\xbb\xa2", "O"}, /* Ợ */
	{"\xe1\xbb\xa3", "o"}, /* ợ */
	{"\xe1\xbb\xa4", "U"}, /* Ụ */
	{"\xe1\xbb\xa5", "u"}, /* ụ */
	{"\xe1\xbb\xa6", "U"}, /* Ủ */
	{"\xe1\xbb\xa7", "u"}, /* ủ */
	{"\xe1\xbb\xa8", "U"}, /* Ứ */
	{"\xe1\xbb\xa9", "u"}, /* ứ */
	{"\xe1\xbb\xaa", "U"}, /* Ừ */
	{"\xe1\xbb\xab", "u"}, /* ừ */
	{"\xe1\xbb\xac", "U"}, /* Ử */
	{"\xe1\xbb\xad", "u"}, /* ử */
	{"\xe1\xbb\xae", "U"}, /* Ữ */
	{"\xe1\xbb\xaf", "u"}, /* ữ */
	{"\xe1\xbb\xb0", "U"}, /* Ự */
	{"\xe1\xbb\xb1", "u"}, /* ự */
	{"\xe1\xbb\xb2", "Y"}, /* Ỳ */
	{"\xe1\xbb\xb3", "y"}, /* ỳ */
	{"\xe1\xbb\xb4", "Y"}, /* Ỵ */
	{"\xe1\xbb\xb5", "y"}, /* ỵ */
	{"\xe1\xbb\xb6", "Y"}, /* Ỷ */
	{"\xe1\xbb\xb7", "y"}, /* ỷ */
	{"\xe1\xbb\xb8", "Y"}, /* Ỹ */
	{"\xe1\xbb\xb9", "y"}, /* ỹ */
	{"\xe2\x82\xac", "E"}, /* € */
};

/* The ISO-8859-1 fallback of remove_accents() for bytes 0x80..0xff, when
 * the string does not even seem UTF-8; NULL keeps the byte. */
static const char *const latin1[128] = {
	"E",  /* 0x80 */
	NULL, /* 0x81 */
	NULL, /* 0x82 */
	"f",  /* 0x83 */
	NULL, /* 0x84 */
	NULL, /* 0x85 */
	NULL, /* 0x86 */
	NULL, /* 0x87 */
	NULL, /* 0x88 */
	NULL, /* 0x89 */
	"S",  /* 0x8a */
	NULL, /* 0x8b */
	"OE", /* 0x8c */
	NULL, /* 0x8d */
	"Z",  /* 0x8e */
	NULL, /* 0x8f */
	NULL, /* 0x90 */
	NULL, /* 0x91 */
	NULL, /* 0x92 */
	NULL, /* 0x93 */
	NULL, /* 0x94 */
	NULL, /* 0x95 */
	NULL, /* 0x96 */
	NULL, /* 0x97 */
	NULL, /* 0x98 */
	NULL, /* 0x99 */
	"s",  /* 0x9a */
	NULL, /* 0x9b */
	"oe", /* 0x9c */
	NULL, /* 0x9d */
	"z",  /* 0x9e */
	"Y",  /* 0x9f */
	NULL, /* 0xa0 */
	NULL, /* 0xa1 */
	"c",  /* 0xa2 */
	NULL, /* 0xa3 */
	NULL, /* 0xa4 */
	"Y",  /* 0xa5 */
	NULL, /* 0xa6 */
	NULL, /* 0xa7 */
	NULL, /* 0xa8 */
	NULL, /* 0xa9 */
	NULL, /* 0xaa */
	NULL, /* 0xab */
	NULL, /* 0xac */
	NULL, /* 0xad */
	NULL, /* 0xae */
	NULL, /* 0xaf */
	NULL, /* 0xb0 */
	NULL, /* 0xb1 */
	NULL, /* 0xb2 */
	NULL, /* 0xb3 */
	NULL, /* 0xb4 */
	"u",  /* 0xb5 */
	NULL, /* 0xb6 */
	NULL, /* 0xb7 */
	NULL, /* 0xb8 */
	NULL, /* 0xb9 */
	NULL, /* 0xba */
	NULL, /* 0xbb */
	NULL, /* 0xbc */
	NULL, /* 0xbd */
	NULL, /* 0xbe */
	NULL, /* 0xbf */
	"A",  /* 0xc0 */
	"A",  /* 0xc1 */
	"A",  /* 0xc2 */
	"A",  /* 0xc3 */
	"A",  /* 0xc4 */
	"A",  /* 0xc5 */
	"AE", /* 0xc6 */
	"C",  /* 0xc7 */
	"E",  /* 0xc8 */
	"E",  /* 0xc9 */
	"E",  /* 0xca */
	"E",  /* 0xcb */
	"I",  /* 0xcc */
	"I",  /* 0xcd */
	"I",  /* 0xce */
	"I",  /* 0xcf */
	"DH", /* 0xd0 */
	"N",  /* 0xd1 */
	"O",  /* 0xd2 */
	"O",  /* 0xd3 */
	"O",  /* 0xd4 */
	"O",  /* 0xd5 */
	"O",  /* 0xd6 */
	NULL, /* 0xd7 */
	"O",  /* 0xd8 */
	"U",  /* 0xd9 */
	"U",  /* 0xda */
	"U",  /* 0xdb */
	"U",  /* 0xdc */
	"Y",  /* 0xdd */
	"TH", /* 0xde */
	"ss", /* 0xdf */
	"a",  /* 0xe0 */
	"a",  /* 0xe1 */
	"a",  /* 0xe2 */
	"a",  /* 0xe3 */
	"a",  /* 0xe4 */
	"a",  /* 0xe5 */
	"ae", /* 0xe6 */
	"c",  /* 0xe7 */
	"e",  /* 0xe8 */
	"e",  /* 0xe9 */
	"e",  /* 0xea */
	"e",  /* 0xeb */
	"i",  /* 0xec */
	"i",  /* 0xed */
	"i",  /* 0xee */
	"i",  /* 0xef */
	"dh", /* 0xf0 */
	"n",  /* 0xf1 */
	"o",  /* 0xf2 */
	"o",  /* 0xf3 */
	"o",  /* 0xf4 */
	"o",  /* 0xf5 */
	"o",  /* 0xf6 */
	NULL, /* 0xf7 */
	"o",  /* 0xf8 */
	"u",  /* 0xf9 */
	"u",  /* 0xfa */
	"u",  /* 0xfb */
	"u",  /* 0xfc */
	"y",  /* 0xfd */
	"th", /* 0xfe */
	"y",  /* 0xff */
};

static int
cmp_accent(const void *key, const void *elem)
{
	const struct accent *k = key, *e = elem;

	return strcmp(k->from, e->from);
}

static const char *
accent_find(const char *s, size_t n, size_t len)
{
	char key[4];
	struct accent probe = {key, NULL};
	const struct accent *hit;

	if (n < len)
		return NULL;
	memcpy(key, s, len);
	key[len] = '\0';
	hit = bsearch(&probe, accents, sizeof(accents) / sizeof(accents[0]),
		      sizeof(accents[0]), cmp_accent);
	return hit != NULL ? hit->to : NULL;
}

/* remove_accents($s) with the default locale. */
static void
remove_accents(struct sb *o, const char *s, size_t n)
{
	size_t i, len;
	const char *to;
	unsigned char c;

	if (!seems_utf8(s, n)) {
		for (i = 0; i < n; i++) {
			c = (unsigned char)s[i];
			if (c >= 0x80 && latin1[c - 0x80] != NULL)
				sb_puts(o, latin1[c - 0x80]);
			else
				sb_putc(o, s[i]);
		}
		return;
	}
	for (i = 0; i < n; i += len) {
		for (len = 3, to = NULL; len >= 2 && to == NULL; len--)
			to = accent_find(s + i, n - i, len);
		if (to != NULL) {
			len++; /* undo the loop's last step */
			sb_puts(o, to);
		} else {
			len = 1;
			sb_putc(o, s[i]);
		}
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
		if (s[i] == '%' && i + 2 < n &&
		    is_xdigit((unsigned char)s[i + 1]) &&
		    is_xdigit((unsigned char)s[i + 2]))
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
			j = seek_next(&semi, s, n, i + 2);
			k = seek_next(&nl, s, n, i + 2);
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

/* |\s+| becomes one space. */
static void
collapse_spaces(struct sb *o, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (is_space((unsigned char)s[i])) {
			sb_putc(o, ' ');
			i = span(s, n, i, is_space);
		} else {
			sb_putc(o, s[i++]);
		}
	}
}

/* sanitize_user($s, true). */
static void
sanitize_user(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {
		wp_strip_all_tags, remove_accents,   kill_octets,
		kill_entities,	   keep_login_chars, stage_trim,
		collapse_spaces,
	};

	chain(o, s, n, fns, sizeof(fns) / sizeof(fns[0]));
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
		if (s[i] == '%' && i + 2 < n &&
		    is_xdigit((unsigned char)s[i + 1]) &&
		    is_xdigit((unsigned char)s[i + 2])) {
			sb_puts(&a, "---");
			sb_put(&a, s + i + 1, 2);
			sb_puts(&a, "---");
			i += 3;
		} else {
			sb_putc(&a, s[i++]);
		}
	}
	replace_all(&b, sb_ptr(&a), sb_len(&a), "%", "");
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
	size_t i;

	sb_init(&cur);
	sb_init(&nxt);
	sb_put(&cur, s, n);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		replace_list(&nxt, sb_ptr(&cur), sb_len(&cur), steps[i].from,
			     steps[i].n, steps[i].to);
		sb_move(&cur, &nxt);
	}
	sb_fail(o, cur.rc);
	sb_put(o, sb_ptr(&cur), sb_len(&cur));
	sb_free(&cur);
	sb_free(&nxt);
}

/* '.' to '-', then only [%a-z0-9 _-], then blanks and dash runs to one
 * '-', then trim '-'. */
static void
title_dashes(struct sb *o, const char *s, size_t n)
{
	struct sb t;
	const char *p;
	size_t i, len, b, e;
	unsigned char c;

	sb_init(&t);
	for (i = 0; i < n; i++) {
		c = (unsigned char)(s[i] == '.' ? '-' : s[i]);
		if (c == ' ' || c == '-')
			c = '-';
		else if (!(c == '%' || c == '_' || is_digit(c) ||
			   (c >= 'a' && c <= 'z')))
			continue;
		if (c == '-' && sb_len(&t) > 0 &&
		    sb_ptr(&t)[sb_len(&t) - 1] == '-')
			continue;
		sb_putc(&t, (char)c);
	}
	p = sb_ptr(&t);
	len = sb_len(&t);
	for (b = 0; b < len && p[b] == '-'; b++)
		;
	for (e = len; e > b && p[e - 1] == '-'; e--)
		;
	sb_fail(o, t.rc);
	sb_put(o, p + b, e - b);
	sb_free(&t);
}

/* sanitize_title($s) of an ASCII string: remove_accents() does nothing,
 * then sanitize_title_with_dashes($s, '', 'save'). */
static void
sanitize_title(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {php_strip_tags, title_octets,
					title_lower,	title_save,
					kill_entities,	title_dashes};

	chain(o, s, n, fns, sizeof(fns) / sizeof(fns[0]));
}

/* The (?=<) and strip_tags part of _sanitize_text_fields(). */
static void
text_tags(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {wp_pre_kses_less_than,
					wp_strip_all_tags};
	struct sb t;

	if (memchr(s, '<', n) == NULL) {
		sb_put(o, s, n);
		return;
	}
	sb_init(&t);
	chain(&t, s, n, fns, sizeof(fns) / sizeof(fns[0]));
	sb_fail(o, t.rc);
	replace_all(o, sb_ptr(&t), sb_len(&t), "<\n", "&lt;\n");
	sb_free(&t);
}

/* /[\r\n\t ]+/ becomes one space. */
static void
text_blanks(struct sb *o, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (in_set(s[i], "\r\n\t ")) {
			sb_putc(o, ' ');
			while (i < n && in_set(s[i], "\r\n\t "))
				i++;
		} else {
			sb_putc(o, s[i++]);
		}
	}
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
		found |= push_octet(&t, s[i], false);
	p = sb_ptr(&t);
	len = sb_len(&t);
	sb_fail(o, t.rc);
	if (found)
		php_trim(&p, &len);
	for (i = 0; i < len; i++)
		if (!found || p[i] != ' ' || i == 0 || p[i - 1] != ' ')
			sb_putc(o, p[i]);
	sb_free(&t);
}

/* sanitize_text_field($s): "" for invalid UTF-8. */
static void
sanitize_text_field(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {text_tags, text_blanks, stage_trim,
					text_octets};

	if (utf8_valid(s, n))
		chain(o, s, n, fns, sizeof(fns) / sizeof(fns[0]));
}

/* is_email($s): the whole check, without its filter. */
static bool
is_email(const char *s, size_t n)
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

/* ------------------------------------------------------------------ */
/* The API                                                             */
/* ------------------------------------------------------------------ */

static bool
input_ok(const char *in, char *out, size_t outsz)
{
	return in != NULL && out != NULL && outsz > 0 &&
	       strnlen(in, IN_MAX + 1) <= IN_MAX;
}

enum mw_err
wptext_sanitize_login(const char *in, bool lower, char *out, size_t outsz)
{
	struct sb w, t;
	char *p;
	size_t i, j, len;

	if (!input_ok(in, out, outsz))
		return MW_EINPUT;
	sb_init(&w);
	sb_init(&t);
	if (lower) {
		/* wpmu_create_user(): sanitized raw, blanks out, lower-cased */
		sanitize_user(&t, in, strlen(in));
	} else {
		/* wp_create_user() slashes; sanitize_user() drops slashes */
		php_addslashes(&w, in, strlen(in));
		sanitize_user(&t, sb_ptr(&w), sb_len(&w));
	}
	sb_move(&w, &t);
	p = w.b.p;
	len = sb_len(&w);
	for (i = j = 0; p != NULL && i < len; i++)
		if (!lower || p[i] != ' ')
			p[j++] = lower ? (char)to_lower((unsigned char)p[i])
				       : p[i];
	len = j < WPTEXT_LOGIN_MAX ? j : WPTEXT_LOGIN_MAX;
	while (len > 0 && p[len - 1] == ' ')
		len--;
	w.b.len = len;
	if (p != NULL)
		p[len] = '\0';
	if (len == 0 || (len == 1 && p[0] == '0'))
		sb_fail(&w, MW_EINPUT); /* empty($user_login) */
	sb_free(&t);
	return sb_finish(&w, out, outsz);
}

enum mw_err
wptext_nicename(const char *login, char *out, size_t outsz)
{
	struct sb w;
	size_t i, len;

	if (!input_ok(login, out, outsz))
		return MW_EINPUT;
	len = strlen(login);
	for (i = 0; i < len; i++)
		if ((unsigned char)login[i] >= 0x80)
			return MW_EINPUT;
	sb_init(&w);
	sanitize_title(&w, login,
		       len < WPTEXT_NICENAME_MAX ? len : WPTEXT_NICENAME_MAX);
	if (sb_len(&w) > WPTEXT_NICENAME_MAX)
		sb_fail(&w, MW_EINPUT);
	return sb_finish(&w, out, outsz);
}

enum mw_err
wptext_nicename_suffix(const char *nicename, unsigned suffix, char *out,
		       size_t outsz)
{
	struct sb w;
	char digits[16];
	size_t i, chars, keep;
	int nd;

	if (!input_ok(nicename, out, outsz))
		return MW_EINPUT;
	nd = snprintf(digits, sizeof(digits), "%u", suffix);
	keep = 49 - (size_t)nd;
	for (i = chars = 0; nicename[i] != '\0'; i++) {
		if (((unsigned char)nicename[i] & 0xc0) != 0x80 &&
		    chars++ == keep)
			break;
	}
	sb_init(&w);
	sb_put(&w, nicename, i);
	sb_putc(&w, '-');
	sb_puts(&w, digits);
	return sb_finish(&w, out, outsz);
}

enum mw_err
wptext_display(const char *in, char *out, size_t outsz)
{
	/* wp_slash(), then pre_user_display_name: sanitize_text_field,
	 * wp_filter_kses (stripslashes, wp_kses, addslashes) and
	 * _wp_specialchars at priority 30, then wp_unslash(). */
	static stage_fn *const fns[] = {
		php_addslashes,	  sanitize_text_field, php_stripslashes,
		kses_default,	  php_addslashes,      specialchars_noquotes,
		php_stripslashes,
	};
	struct sb w;

	if (!input_ok(in, out, outsz))
		return MW_EINPUT;
	sb_init(&w);
	chain(&w, in, strlen(in), fns, sizeof(fns) / sizeof(fns[0]));
	return sb_finish(&w, out, outsz);
}

enum mw_err
wptext_description(const char *in, char *out, size_t outsz)
{
	const struct kses k = {true, 0};
	struct sb w;

	if (!input_ok(in, out, outsz))
		return MW_EINPUT;
	sb_init(&w);
	/* empty($userdata['description']) stores ''; slashing and
	 * wp_filter_kses's stripslashes cancel out. */
	if (strcmp(in, "0") != 0)
		wp_kses(&w, in, strlen(in), &k);
	if (!utf8_valid(sb_ptr(&w), sb_len(&w)))
		sb_fail(&w, MW_EINPUT);
	return sb_finish(&w, out, outsz);
}

bool
wptext_is_email(const char *in)
{
	struct sb w;
	size_t n;
	bool same;

	if (in == NULL)
		return false;
	n = strnlen(in, WPTEXT_EMAIL_MAX + 1);
	if (n > WPTEXT_EMAIL_MAX || !is_email(in, n))
		return false;
	/* is_email() implies sanitize_email() keeps it; pre_user_email's
	 * wp_filter_kses must keep it too (an & would become &amp;). */
	sb_init(&w);
	kses_default(&w, in, n);
	same = w.rc == MW_OK && sb_len(&w) == n &&
	       memcmp(sb_ptr(&w), in, n) == 0;
	sb_free(&w);
	return same;
}

enum mw_err
wptext_url(const char *in, char *out, size_t outsz)
{
	/* wp_slash(), then pre_user_url: wp_strip_all_tags, sanitize_url,
	 * wp_filter_kses; no backslash survives sanitize_url, so slashes
	 * and wp_unslash() cancel out after it. */
	static stage_fn *const fns[] = {php_addslashes, wp_strip_all_tags,
					esc_url_raw, kses_default};
	struct sb w;

	if (!input_ok(in, out, outsz))
		return MW_EINPUT;
	sb_init(&w);
	/* empty($userdata['user_url']) stores '' */
	if (in[0] != '\0' && strcmp(in, "0") != 0)
		chain(&w, in, strlen(in), fns, sizeof(fns) / sizeof(fns[0]));
	if (!utf8_valid(sb_ptr(&w), sb_len(&w)) ||
	    utf8_chars(sb_ptr(&w), sb_len(&w)) > WPTEXT_URL_MAX)
		sb_fail(&w, MW_EINPUT);
	return sb_finish(&w, out, outsz);
}
