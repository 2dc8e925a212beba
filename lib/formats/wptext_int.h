/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wptext_int.h - what the files of wptext share: the work buffer, byte
 * classes, the ported WordPress and PHP functions one file calls in
 * another, and the tables of wptext_tables.c.  Included only by
 * formats/wptext*.c; not part of the library's interface.
 *
 * The ports work on (pointer, length) and append to a struct sb: a capped
 * buffer whose first error sticks, so that a chain of them reads like the
 * PHP it mirrors.  Each one carries the name of the WordPress function
 * (wp-includes/formatting.php, kses.php) or PHP built-in it ports.
 */
#ifndef MW_WPTEXT_INT_H
#define MW_WPTEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "base/utf8.h"
#include "base/buf.h"
#include "base/err.h"

#define IN_MAX 65536u		/* longest input accepted, bytes */
#define WORK_MAX (IN_MAX * 16u) /* cap of every intermediate string */

/* ------------------------------------------------------------------ */
/* Work buffers                                                        */
/* ------------------------------------------------------------------ */

struct sb {
	struct buf b;	/* the bytes, NUL-terminated; b.p NULL while empty */
	enum mw_err rc; /* first failure; later appends do nothing */
};

/* One step of a chain: append f(s[0..n)) to o. */
typedef void stage_fn(struct sb *o, const char *s, size_t n);

/* A port with two modes (decimal or hex references, say). */
typedef void flag_fn(struct sb *o, const char *s, size_t n, bool flag);

static inline void
sb_init(struct sb *o)
{
	buf_init(&o->b, WORK_MAX);
	o->rc = MW_OK;
}

static inline void
sb_free(struct sb *o)
{
	buf_free(&o->b);
}

static inline const char *
sb_ptr(const struct sb *o)
{
	return o->b.p != NULL ? o->b.p : "";
}

static inline size_t
sb_len(const struct sb *o)
{
	return o->b.len;
}

static inline void
sb_fail(struct sb *o, enum mw_err rc)
{
	if (o->rc == MW_OK)
		o->rc = rc;
}

static inline void
sb_put(struct sb *o, const char *p, size_t n)
{
	enum mw_err rc;

	if (o->rc != MW_OK || n == 0)
		return;
	rc = buf_add(&o->b, p, n);
	if (rc != MW_OK)
		sb_fail(o, rc == MW_ENOMEM ? MW_ENOMEM : MW_EINPUT);
}

static inline void
sb_putc(struct sb *o, char c)
{
	sb_put(o, &c, 1);
}

static inline void
sb_puts(struct sb *o, const char *z)
{
	sb_put(o, z, strlen(z));
}

/* dst takes src's bytes (src's error wins if dst has none); src empties. */
static inline void
sb_move(struct sb *dst, struct sb *src)
{
	enum mw_err rc = dst->rc != MW_OK ? dst->rc : src->rc;

	buf_free(&dst->b);
	dst->b = src->b;
	dst->rc = rc;
	sb_init(src);
}

/* Append src's bytes, or its error, to o; free src. */
static inline void
sb_emit(struct sb *o, struct sb *src)
{
	sb_fail(o, src->rc);
	sb_put(o, sb_ptr(src), sb_len(src));
	sb_free(src);
}

/* Run the stages in order over s[0..n), appending the last output to o. */
void wptext_chain(struct sb *o, const char *s, size_t n, stage_fn *const *fns,
		  size_t nfns);

/* f(s, false), then f() with true over that, appended to o. */
void wptext_twice(struct sb *o, const char *s, size_t n, flag_fn *f);

/* ------------------------------------------------------------------ */
/* Bytes                                                               */
/* ------------------------------------------------------------------ */

/* PCRE \s and C isspace() in the "C" locale: space \t \n \v \f \r. */
static inline bool
is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The bytes PHP's trim() removes by default: " \t\n\r\0\x0B". */
static inline bool
is_trim(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0' ||
	       c == '\v';
}

static inline bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_xdigit(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool
is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static inline unsigned char
to_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 'a' - 'A') : c;
}

/* c is one of the bytes of set (never NUL). */
static inline bool
in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static inline unsigned
hex_val(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	return to_lower(c) - 'a' + 10u;
}

/* ------------------------------------------------------------------ */
/* Searching (pointer, length) strings                                 */
/* ------------------------------------------------------------------ */

/* PCRE's $ without /m: at the end, or before a final newline. */
static inline bool
at_end(const char *s, size_t n, size_t i)
{
	return i == n || (i + 1 == n && s[i] == '\n');
}

static inline bool
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
static inline bool
has_at(const char *s, size_t n, size_t i, const char *word)
{
	size_t wn = strlen(word);

	return i <= n && n - i >= wn && memcmp(s + i, word, wn) == 0;
}

/* Offset of the first needle in s[from..n), or n. */
static inline size_t
find(const char *s, size_t n, size_t from, const char *needle, size_t nn)
{
	size_t i;

	for (i = from; nn > 0 && i < n && n - i >= nn; i++)
		if (memcmp(s + i, needle, nn) == 0)
			return i;
	return n;
}

/* Past the bytes of class cls from s[i]. */
static inline size_t
span(const char *s, size_t n, size_t i, bool (*cls)(unsigned char))
{
	while (i < n && cls((unsigned char)s[i]))
		i++;
	return i;
}

/* s[i..] starts with "%" and two hex digits (an escaped octet). */
static inline bool
is_octet_at(const char *s, size_t n, size_t i)
{
	return i + 2 < n && s[i] == '%' && is_xdigit((unsigned char)s[i + 1]) &&
	       is_xdigit((unsigned char)s[i + 2]);
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

/* Offset of k's needle in s[from..n), or n. */
size_t wptext_seek(struct seek *k, const char *s, size_t n, size_t from);

/* True when the space-separated words hold s[0..n), case ignored. */
bool wptext_has_word(const char *words, const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* Small PHP string functions (wptext_str.c)                           */
/* ------------------------------------------------------------------ */

/* trim(): narrow (*s, *n) past PHP's default whitespace at both ends. */
void wptext_trim(const char **s, size_t *n);

/* trim() as a stage. */
void wptext_stage_trim(struct sb *o, const char *s, size_t n);

/* str_replace($from, $to, $s) for one needle: every occurrence, left to
 * right, replacements not rescanned. */
void wptext_replace(struct sb *o, const char *s, size_t n, const char *from,
		    const char *to);

/* addslashes() / wp_slash(): backslash before ' " \ and NUL ("\0"). */
void wptext_addslashes(struct sb *o, const char *s, size_t n);

/* stripslashes() / wp_unslash(): "\0" becomes NUL, "\x" becomes x. */
void wptext_stripslashes(struct sb *o, const char *s, size_t n);

/* Valid UTF-8 as PCRE's /u checks it: no overlong forms, surrogates or
 * code points above U+10FFFF.  wp_check_invalid_utf8() and wpdb agree. */

/* Characters of valid UTF-8 (mb_strlen()). */
size_t wptext_utf8_chars(const char *s, size_t n);

/* WordPress's seems_utf8(): the old, lenient test (overlong forms and
 * 5- and 6-byte sequences pass). */
bool wptext_seems_utf8(const char *s, size_t n);

/* PHP's loose $a == $b for two strings. */
bool wptext_loose_eq(const char *a, size_t an, const char *b, size_t bn);

/* ------------------------------------------------------------------ */
/* Tags and entities (wptext_html.c)                                   */
/* ------------------------------------------------------------------ */

/* strip_tags($s) of PHP 8.2, no allowed tags. */
void wptext_strip_tags(struct sb *o, const char *s, size_t n);

/* wp_strip_all_tags($s): <script> and <style> elements go with their
 * content, then strip_tags(), then trim(). */
void wptext_strip_all_tags(struct sb *o, const char *s, size_t n);

/* wp_kses_normalize_entities($s): every & becomes &amp; unless it starts
 * an allowed named or a valid numeric reference. */
void wptext_normalize_entities(struct sb *o, const char *s, size_t n);

/* _wp_specialchars($s, ENT_NOQUOTES or, with quotes, ENT_QUOTES, false,
 * false) with blog_charset UTF-8.  Invalid UTF-8 comes out empty. */
void wptext_specialchars(struct sb *o, const char *s, size_t n, bool quotes);

/* wp_pre_kses_less_than(): a '<' without its '>' is escaped. */
void wptext_pre_kses_less_than(struct sb *o, const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* kses (wptext_kses.c) and URLs (wptext_url.c)                        */
/* ------------------------------------------------------------------ */

/* The contexts wp_filter_kses() runs in for the user fields: the name of
 * the filter decides what wp_kses_allowed_html() allows. */
enum kses_ctx {
	KSES_FIELD,	  /* pre_user_display_name, _email, _url, ... */
	KSES_DESCRIPTION, /* pre_user_description */
	KSES__MAX
};

/* wp_kses($s, $context) with the default filters on pre_kses. */
void wptext_kses(struct sb *o, const char *s, size_t n, enum kses_ctx ctx);

/* wp_kses_no_null(): C0 controls but \t \n \r go; with slash_zero
 * "remove", also \\+0+ runs. */
void wptext_kses_no_null(struct sb *o, const char *s, size_t n,
			 bool drop_slash_zero);

/* wp_kses_bad_protocol($s, wp_allowed_protocols()). */
void wptext_kses_bad_protocol(struct sb *o, const char *s, size_t n);

/* esc_url($url, null, 'db'), i.e. esc_url_raw() / sanitize_url(). */
void wptext_esc_url_raw(struct sb *o, const char *s, size_t n);

/* Append c; true when that leaves "%" hex hex (any case) on top, which
 * is then dropped; with crlf only %0d %0a %0D %0A count. */
bool wptext_push_octet(struct sb *o, char c, bool crlf);

/* ------------------------------------------------------------------ */
/* The sanitize_*() filters (wptext_sanitize.c)                        */
/* ------------------------------------------------------------------ */

/* sanitize_user($s, true). */
void wptext_sanitize_user(struct sb *o, const char *s, size_t n);

/* sanitize_title($s) of an ASCII string. */
void wptext_sanitize_title(struct sb *o, const char *s, size_t n);

/* sanitize_text_field($s): "" for invalid UTF-8. */
void wptext_sanitize_text_field(struct sb *o, const char *s, size_t n);

/* is_email($s): the whole check, without its filter. */
bool wptext_email_valid(const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* Tables generated from WordPress (wptext_tables.c)                   */
/* ------------------------------------------------------------------ */

/* An element kses may keep. */
struct ktag {
	const char *name; /* lower-case element name */
	/* per context, the attributes allowed (space-separated), or NULL
	 * where the element is not allowed */
	const char *attrs[KSES__MAX];
};

/* A character remove_accents() replaces. */
struct accent {
	const char *from; /* one UTF-8 character */
	const char *to;	  /* ASCII replacement, maybe "" */
};

extern const char *const wptext_entity_names[]; /* sorted by strcmp() */
extern const size_t wptext_nentity_names;
extern const struct ktag wptext_ktags[];
extern const size_t wptext_nktags;
extern const char wptext_uri_attrs[];	     /* space-separated */
extern const char wptext_protocols[];	     /* space-separated */
extern const struct accent wptext_accents[]; /* sorted by from */
extern const size_t wptext_naccents;
extern const char *const wptext_latin1[128]; /* bytes 0x80..0xff */

#endif
