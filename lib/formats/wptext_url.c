/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wptext_url.c - URLs: kses's protocol check (wp_kses_bad_protocol() and
 * the wp_kses_no_null() and wp_kses_decode_entities() it uses), PHP's
 * parse_url() as far as esc_url() reads it, and esc_url_raw().
 */
#include "formats/wptext_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROTO_ROUNDS_MAX 6 /* wp_kses_bad_protocol() iterations */

/* ------------------------------------------------------------------ */
/* wp_kses_bad_protocol()                                              */
/* ------------------------------------------------------------------ */

void
wptext_kses_no_null(struct sb *o, const char *s, size_t n, bool drop_slash_zero)
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

/* One pass of wp_kses_decode_entities(): &#N; (with hex, &#xH;) becomes
 * chr(). */
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

/* wp_kses_decode_entities(): decimal references, then hex ones. */
static void
kses_decode_entities(struct sb *o, const char *s, size_t n)
{
	wptext_twice(o, s, n, kses_decode);
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
	wptext_kses_no_null(o, s, n, true);
}

/* wp_kses_bad_protocol_once2(): "proto:" when allowed, else "". */
static void
bad_protocol_once2(struct sb *o, const char *s, size_t n)
{
	static stage_fn *const fns[] = {kses_decode_entities, drop_spaces,
					no_null_remove};
	struct sb t;
	char *p;
	size_t i;

	sb_init(&t);
	wptext_chain(&t, s, n, fns, sizeof(fns) / sizeof(fns[0]));
	sb_fail(o, t.rc);
	p = t.b.p;
	for (i = 0; p != NULL && i < sb_len(&t); i++)
		p[i] = (char)to_lower((unsigned char)p[i]);
	if (wptext_has_word(wptext_protocols, sb_ptr(&t), sb_len(&t))) {
		sb_put(o, sb_ptr(&t), sb_len(&t));
		sb_putc(o, ':');
	}
	sb_free(&t);
}

/* A colon reference without its ';', &#0*58 or &#x0*3a (case ignored),
 * at s[i]: the offset past it, or 0.  *hex tells which form. */
static size_t
colon_ref(const char *s, size_t n, size_t i, bool *hex)
{
	size_t j;

	if (!has_at(s, n, i, "&#"))
		return 0;
	*hex = i + 2 < n && in_set(s[i + 2], "xX");
	for (j = i + 2 + *hex; j < n && s[j] == '0'; j++)
		;
	if (j + 1 < n && s[j] == (*hex ? '3' : '5') &&
	    (s[j + 1] | (*hex ? 0x20 : 0)) == (*hex ? 'a' : '8'))
		return j + 2;
	return 0;
}

/* (&#0*58(?![;0-9])|&#x0*3a(?![;a-f0-9]))/i gets its ';'. */
static void
colon_semicolon(struct sb *o, const char *s, size_t n)
{
	size_t i = 0, e;
	bool hex = false;

	while (i < n) {
		e = colon_ref(s, n, i, &hex);
		if (e != 0 &&
		    (e == n || (s[e] != ';' && !(hex ? is_xdigit : is_digit)(
						       (unsigned char)s[e])))) {
			sb_put(o, s + i, e - i);
			sb_putc(o, ';');
			i = e;
			continue;
		}
		sb_putc(o, s[i++]);
	}
}

/* Length of a :|&#0*58;|&#x0*3a;|&colon; (case ignored) at s[i], or 0. */
static size_t
colon_at(const char *s, size_t n, size_t i)
{
	size_t e;
	bool hex = false;

	if (s[i] == ':')
		return 1;
	if (n - i >= 7 && ci_eq(s + i, "&colon;", 7))
		return 7;
	e = colon_ref(s, n, i, &hex);
	return e != 0 && e < n && s[e] == ';' ? e + 1 - i : 0;
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
	wptext_trim(&r, &rn);
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

/* once() until stable, "" after six changes. */
void
wptext_kses_bad_protocol(struct sb *o, const char *s, size_t n)
{
	struct sb cur, nxt;
	int i;
	bool stable = false;

	sb_init(&cur);
	sb_init(&nxt);
	wptext_kses_no_null(&cur, s, n, true);
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
		wptext_replace(&dirty, url, n, sb_ptr(&front), "");
	else
		sb_put(&dirty, url, n);
	wptext_replace(&t, sb_ptr(&dirty), sb_len(&dirty), "[", "%5B");
	wptext_replace(&clean, sb_ptr(&t), sb_len(&t), "]", "%5D");
	if (sb_len(&dirty) > 0)
		wptext_replace(o, url, n, sb_ptr(&dirty), sb_ptr(&clean));
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

bool
wptext_push_octet(struct sb *o, char c, bool crlf)
{
	const char *t;

	sb_putc(o, c);
	if (o->rc != MW_OK || sb_len(o) < 3)
		return false;
	t = sb_ptr(o) + sb_len(o) - 3;
	if (!is_octet_at(t, 3, 0) ||
	    (crlf && !(t[1] == '0' && in_set(t[2], "daDA"))))
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
		wptext_push_octet(o, s[i], true);
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

void
wptext_esc_url_raw(struct sb *o, const char *s, size_t n)
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
	wptext_replace(&b, sb_ptr(&a), sb_len(&a), ";//", "://");
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
		wptext_kses_bad_protocol(&b, sb_ptr(&a), sb_len(&a));
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
