/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * phpser.c - PHP serialize()/unserialize() for scalars and arrays.
 *
 * The reader is a cursor over (pointer, bytes left).  Every length and count
 * is checked against what is left before it is used, and the limits of
 * phpser.h bound depth, element count and input size.  It accepts what PHP's
 * serialize() writes and is stricter than PHP's unserialize() on the rest:
 * no '+' sign, no leading zeros in lengths, counts or integers, no "S:",
 * and an integer out of range is an error where PHP saturates.
 *
 * The writer prints doubles as PHP >= 7.1 does with serialize_precision=-1:
 * the shortest digits that read back to the same value, laid out by PHP's
 * php_gcvt() rules (1.0E+25, 0.0001, 1.0E-5, 100).  Both sides rely on
 * strtod() and snprintf() in the "C" locale: nothing here calls setlocale().
 */
#include "formats/phpser.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strparse.h"

#define DBL_TOKEN_MAX 64 /* longest d: number accepted (PHP writes <= 24) */
#define DBL_TEXT_MAX 40	 /* room for a double as PHP prints it, with NUL */
#define DBL_FIXED_MAX 17 /* php_gcvt: E-style above this decimal exponent */
#define DBL_FIXED_MIN -3 /* php_gcvt: E-style below this one */
#define MIN_ELEM_BYTES 6 /* "i:0;N;": the shortest key and value */
#define INT_TEXT_MAX 24	 /* room for an int64_t in decimal, with NUL */

/* A read cursor over untrusted bytes. */
struct cur {
	const char *p; /* next unread byte; borrowed from the caller */
	size_t left;   /* bytes from p to the end of the input */
	size_t count;  /* array elements announced so far, all arrays */
	int depth;     /* arrays currently open */
};

static enum mw_err read_value(struct cur *c, struct phps_value *v);
static enum mw_err put_value(struct buf *out, const struct phps_value *v,
			     int depth);

/* Advance the cursor by n bytes (n <= c->left). */
static void
skip(struct cur *c, size_t n)
{
	c->p += n;
	c->left -= n;
}

/* Consume the literal lit if the input continues with it. */
static bool
eat(struct cur *c, const char *lit)
{
	size_t n = strlen(lit);

	if (n > c->left || memcmp(c->p, lit, n) != 0)
		return false;
	skip(c, n);
	return true;
}

/* Number of ASCII digits at c->p[from], stopping at the end of input. */
static size_t
digit_run(const struct cur *c, size_t from)
{
	size_t i = from;

	while (i < c->left && c->p[i] >= '0' && c->p[i] <= '9')
		i++;
	return i - from;
}

/* Parse p[0..len) as PHP writes an integer: -?[1-9][0-9]* or 0, within
 * int64_t.  This is also PHP's test for a string key that is really an
 * integer ("-0" and "07" stay strings).  Writes *out only on success. */
static bool
canon_int(const char *p, size_t len, int64_t *out)
{
	bool neg = len > 0 && p[0] == '-';
	uint64_t max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t v;

	if (neg) {
		p++;
		len--;
	}
	if (str_u64(p, len, 0, max, &v) != MW_OK || (neg && v == 0))
		return false;
	if (!neg)
		*out = (int64_t)v;
	else if (v == max)
		*out = INT64_MIN;
	else
		*out = -(int64_t)v;
	return true;
}

/* Read a canonical unsigned decimal not above max, then the byte term. */
static enum mw_err
read_uint(struct cur *c, uint64_t max, char term, uint64_t *out /* OUT */)
{
	size_t n = digit_run(c, 0);

	if (n >= c->left || c->p[n] != term ||
	    str_u64(c->p, n, 0, max, out) != MW_OK)
		return MW_EINPUT;
	skip(c, n + 1);
	return MW_OK;
}

/* Read the rest of "i:N;" after the "i:". */
static enum mw_err
read_int(struct cur *c, struct phps_value *v)
{
	size_t n = c->left > 0 && c->p[0] == '-';

	n += digit_run(c, n);
	if (n >= c->left || c->p[n] != ';' || !canon_int(c->p, n, &v->i))
		return MW_EINPUT;
	v->type = PHPS_INT;
	skip(c, n + 1);
	return MW_OK;
}

/* Length of a PHP float literal at the cursor, 0 if there is none:
 * -?(D+|D*.D+|D+.D*)([eE][+-]?D+)?  (PHP's nv/nvexp without a '+'). */
static size_t
float_span(const struct cur *c)
{
	size_t i = c->left > 0 && c->p[0] == '-';
	size_t mant, frac, exp;

	mant = digit_run(c, i);
	i += mant;
	if (i < c->left && c->p[i] == '.') {
		frac = digit_run(c, i + 1);
		mant += frac;
		i += 1 + frac;
	}
	if (mant == 0)
		return 0;
	if (i >= c->left || (c->p[i] != 'e' && c->p[i] != 'E'))
		return i;
	i++;
	if (i < c->left && (c->p[i] == '+' || c->p[i] == '-'))
		i++;
	exp = digit_run(c, i);
	return exp == 0 ? 0 : i + exp;
}

/* Read the rest of "d:X;" after the "d:" (X a number, INF, -INF or NAN). */
static enum mw_err
read_double(struct cur *c, struct phps_value *v)
{
	char tok[DBL_TOKEN_MAX + 1];
	size_t n;

	v->type = PHPS_DOUBLE;
	if (eat(c, "NAN;")) {
		v->d = NAN;
	} else if (eat(c, "INF;")) {
		v->d = INFINITY;
	} else if (eat(c, "-INF;")) {
		v->d = -INFINITY;
	} else {
		n = float_span(c);
		if (n == 0 || n > DBL_TOKEN_MAX || n >= c->left ||
		    c->p[n] != ';')
			return MW_EINPUT;
		memcpy(tok, c->p, n);
		tok[n] = '\0';
		v->d = strtod(tok, NULL);
		skip(c, n + 1);
	}
	return MW_OK;
}

/* Read the rest of s:N:"...";  after the "s:".  On MW_OK v->s is an
 * allocated copy of the N bytes, NUL-terminated (owned by v). */
static enum mw_err
read_string(struct cur *c, struct phps_value *v)
{
	uint64_t n;
	char *s;

	if (read_uint(c, c->left, ':', &n) != MW_OK || !eat(c, "\""))
		return MW_EINPUT;
	if (n > c->left || c->left - n < 2 || c->p[n] != '"' ||
	    c->p[n + 1] != ';')
		return MW_EINPUT;
	s = malloc(n + 1);
	if (s == NULL)
		return MW_ENOMEM;
	memcpy(s, c->p, n);
	s[n] = '\0';
	skip(c, n + 2);
	v->type = PHPS_STRING;
	v->s = s;
	v->slen = n;
	return MW_OK;
}

/* Read an array key: i:N; or s:N:"..."; as PHP stores it, so a string
 * that is a canonical integer ("42") becomes an integer key. */
static enum mw_err
read_key(struct cur *c, struct phps_value *k)
{
	enum mw_err rc;
	int64_t i;

	if (eat(c, "i:"))
		return read_int(c, k);
	if (!eat(c, "s:"))
		return MW_EINPUT;
	rc = read_string(c, k);
	if (rc == MW_OK && canon_int(k->s, k->slen, &i)) {
		phps_free(k);
		k->type = PHPS_INT;
		k->i = i;
	}
	return rc;
}

/* Read the rest of a:N:{...} after the "a:".  On error v may hold part of
 * the array; the caller releases it with phps_free(). */
static enum mw_err
read_array(struct cur *c, struct phps_value *v)
{
	uint64_t n;
	size_t i;
	enum mw_err rc;

	if (c->depth >= PHPS_MAX_DEPTH)
		return MW_EINPUT;
	if (read_uint(c, PHPS_MAX_COUNT - c->count, ':', &n) != MW_OK ||
	    !eat(c, "{"))
		return MW_EINPUT;
	if (n > c->left / MIN_ELEM_BYTES)
		return MW_EINPUT;
	c->count += n;
	v->type = PHPS_ARRAY;
	if (n > 0) {
		v->items = calloc(n, sizeof(*v->items));
		if (v->items == NULL)
			return MW_ENOMEM;
		v->n = n;
	}
	c->depth++;
	for (i = 0; i < n; i++) {
		rc = read_key(c, &v->items[i].key);
		if (rc != MW_OK)
			return rc;
		rc = read_value(c, &v->items[i].val);
		if (rc != MW_OK)
			return rc;
	}
	c->depth--;
	return eat(c, "}") ? MW_OK : MW_EINPUT;
}

/* Read one value of any supported type into the zeroed *v.  Objects,
 * references, enums and everything else are MW_EINPUT.  On error v may
 * hold a partial tree for the caller to release. */
static enum mw_err
read_value(struct cur *c, struct phps_value *v)
{
	if (eat(c, "N;")) {
		v->type = PHPS_NULL;
		return MW_OK;
	}
	if (eat(c, "b:1;")) {
		v->type = PHPS_BOOL;
		v->b = true;
		return MW_OK;
	}
	if (eat(c, "b:0;")) {
		v->type = PHPS_BOOL;
		return MW_OK;
	}
	if (eat(c, "i:"))
		return read_int(c, v);
	if (eat(c, "d:"))
		return read_double(c, v);
	if (eat(c, "s:"))
		return read_string(c, v);
	if (eat(c, "a:"))
		return read_array(c, v);
	return MW_EINPUT;
}

enum mw_err
phps_unserialize(const char *s, size_t len, struct phps_value *out)
{
	struct cur c = {s, len, 0, 0};
	struct phps_value v;
	enum mw_err rc;

	memset(&v, 0, sizeof(v));
	rc = MW_EINPUT;
	if (s == NULL || len == 0 || len > PHPS_MAX_INPUT)
		goto out;
	rc = read_value(&c, &v);
	if (rc != MW_OK)
		goto out;
	rc = MW_EINPUT;
	if (c.left != 0)
		goto out;
	*out = v;
	memset(&v, 0, sizeof(v));
	rc = MW_OK;
out:
	phps_free(&v);
	return rc;
}

void
phps_free(struct phps_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		phps_free(&v->items[i].key);
		phps_free(&v->items[i].val);
	}
	free(v->items);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

/* Split the "%e" text t into its digits (NUL-terminated), sign and
 * decimal exponent: t = DIG[0].DIG[1..] * 10^e10. */
static void
split_e(const char *t, char dig[DBL_TEXT_MAX], int *e10, bool *neg)
{
	int n = 0;

	*neg = *t == '-';
	if (*neg)
		t++;
	for (; *t != 'e' && *t != '\0'; t++)
		if (*t >= '0' && *t <= '9')
			dig[n++] = *t;
	dig[n] = '\0';
	*e10 = *t == 'e' ? (int)strtol(t + 1, NULL, 10) : 0;
}

/* Read DIG[0].DIG[1..] * 10^e10 back as a double. */
static double
join_e(const char *dig, int e10, bool neg)
{
	char t[DBL_TEXT_MAX + 8];

	snprintf(t, sizeof(t), "%s%c.%.16se%d", neg ? "-" : "", dig[0], dig + 1,
		 e10);
	return strtod(t, NULL);
}

/* Add one unit in the last place of DIG * 10^e10, keeping the length. */
static void
bump(char *dig, int *e10)
{
	size_t i = strlen(dig);

	while (i > 0 && dig[i - 1] == '9')
		dig[--i] = '0';
	if (i > 0) {
		dig[i - 1]++;
		return;
	}
	dig[0] = '1';
	(*e10)++;
}

/* The shortest significant digits that read back as the finite d, as
 * zend_dtoa() mode 0 gives them: dig (no trailing zeros, NUL-terminated),
 * *neg for the sign bit and *decpt with d = 0.DIG * 10^decpt. */
static void
shortest_digits(double d, char dig[DBL_TEXT_MAX], int *decpt, bool *neg)
{
	char tmp[DBL_TEXT_MAX];
	int prec, e10;
	size_t n;

	for (prec = 1;; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		split_e(tmp, dig, &e10, neg);
		if (prec == 17 || strtod(tmp, NULL) == d)
			break;
		/* At a power of two the gap above is twice the gap below, so
		 * the string one unit up may read back when the nearest does
		 * not (elsewhere it never does: it is farther than the
		 * nearest). */
		bump(dig, &e10);
		if (join_e(dig, e10, *neg) == d)
			break;
	}
	n = strlen(dig);
	while (n > 1 && dig[n - 1] == '0')
		dig[--n] = '\0';
	*decpt = e10 + 1;
}

/* Write d into out as PHP's php_gcvt() does with serialize_precision=-1:
 * "0.5", "100", "1.0E+25", "1.0E-5", "-0", "INF", "-INF", "NAN". */
static void
fmt_double(double d, char out[DBL_TEXT_MAX])
{
	char dig[DBL_TEXT_MAX];
	int decpt, i, len, n = 0, e;
	bool neg;

	if (isnan(d) || isinf(d)) {
		snprintf(out, DBL_TEXT_MAX, "%s",
			 isnan(d) ? "NAN" : (d < 0 ? "-INF" : "INF"));
		return;
	}
	shortest_digits(d, dig, &decpt, &neg);
	if (neg)
		out[n++] = '-';
	if (decpt > DBL_FIXED_MAX || decpt < DBL_FIXED_MIN) {
		e = decpt - 1;
		snprintf(out + n, DBL_TEXT_MAX - (size_t)n, "%c.%.16sE%c%d",
			 dig[0], dig[1] != '\0' ? dig + 1 : "0",
			 e < 0 ? '-' : '+', e < 0 ? -e : e);
		return;
	}
	len = (int)strlen(dig);
	if (decpt <= 0) {
		out[n++] = '0';
		out[n++] = '.';
		for (i = decpt; i < 0; i++)
			out[n++] = '0';
		decpt = 0;
	} else {
		for (i = 0; i < decpt; i++)
			out[n++] = i < len ? dig[i] : '0';
		if (len > decpt)
			out[n++] = '.';
	}
	for (i = decpt; i < len; i++)
		out[n++] = dig[i];
	out[n] = '\0';
}

enum mw_err
phps_serialize_str(const char *s, size_t len, struct buf *out)
{
	if (s == NULL && len > 0)
		return MW_EINTERNAL;
	buf_printf(out, "s:%zu:\"", len);
	buf_add(out, s, len);
	return buf_add(out, "\";", 2);
}

/* Append a string key as PHP would store it: an integer when it reads as
 * one ("42" is written i:42;), else the string. */
static enum mw_err
put_strkey(struct buf *out, const char *s, size_t len)
{
	int64_t i;

	if (s != NULL && canon_int(s, len, &i))
		return buf_printf(out, "i:%" PRId64 ";", i);
	return phps_serialize_str(s, len, out);
}

/* Append an array key as PHP would store it. */
static enum mw_err
put_key(struct buf *out, const struct phps_value *k)
{
	if (k->type == PHPS_INT)
		return buf_printf(out, "i:%" PRId64 ";", k->i);
	if (k->type != PHPS_STRING)
		return MW_EINTERNAL;
	return put_strkey(out, k->s, k->slen);
}

/* Append a:N:{key;value...}; depth counts this array. */
static enum mw_err
put_array(struct buf *out, const struct phps_value *v, int depth)
{
	enum mw_err rc;
	size_t i;

	if (depth > PHPS_MAX_DEPTH || (v->items == NULL && v->n > 0))
		return MW_EINTERNAL;
	rc = buf_printf(out, "a:%zu:{", v->n);
	for (i = 0; i < v->n && rc == MW_OK; i++) {
		rc = put_key(out, &v->items[i].key);
		if (rc == MW_OK)
			rc = put_value(out, &v->items[i].val, depth);
	}
	if (rc == MW_OK)
		rc = buf_add(out, "}", 1);
	return rc;
}

/* Append one value; depth is the number of arrays around it. */
static enum mw_err
put_value(struct buf *out, const struct phps_value *v, int depth)
{
	char num[DBL_TEXT_MAX];

	switch (v->type) {
	case PHPS_NULL:
		return buf_addstr(out, "N;");
	case PHPS_BOOL:
		return buf_addstr(out, v->b ? "b:1;" : "b:0;");
	case PHPS_INT:
		return buf_printf(out, "i:%" PRId64 ";", v->i);
	case PHPS_DOUBLE:
		fmt_double(v->d, num);
		return buf_printf(out, "d:%s;", num);
	case PHPS_STRING:
		return phps_serialize_str(v->s, v->slen, out);
	case PHPS_ARRAY:
		return put_array(out, v, depth + 1);
	case PHPS__MAX:
		break;
	}
	return MW_EINTERNAL;
}

/* Undo a failed append: cut out back to len bytes. */
static void
truncate_to(struct buf *out, size_t len)
{
	if (out->p != NULL && out->len > len) {
		memset(out->p + len, 0, out->len - len);
		out->len = len;
	}
}

enum mw_err
phps_serialize(const struct phps_value *v, struct buf *out)
{
	size_t mark = out->len;
	enum mw_err rc;

	rc = put_value(out, v, 0);
	if (rc != MW_OK)
		truncate_to(out, mark);
	return rc;
}

/* a:N:{key;value;...} of n strings, keyed 0..n-1 when keys is NULL, else
 * by keys[i] as PHP stores them; out is left as it was on failure. */
static enum mw_err
put_strs(struct buf *out, const char *const *keys, const char *const *vals,
	 size_t n)
{
	size_t mark = out->len, i;
	enum mw_err rc;

	if (vals == NULL && n > 0)
		return MW_EINTERNAL;
	rc = buf_printf(out, "a:%zu:{", n);
	for (i = 0; i < n && rc == MW_OK; i++) {
		if (vals[i] == NULL || (keys != NULL && keys[i] == NULL))
			rc = MW_EINTERNAL;
		else if (keys == NULL)
			rc = buf_printf(out, "i:%zu;", i);
		else
			rc = put_strkey(out, keys[i], strlen(keys[i]));
		if (rc == MW_OK)
			rc = phps_serialize_str(vals[i], strlen(vals[i]), out);
	}
	if (rc == MW_OK)
		rc = buf_add(out, "}", 1);
	if (rc != MW_OK)
		truncate_to(out, mark);
	return rc;
}

enum mw_err
phps_serialize_strlist(const char *const *strs, size_t n, struct buf *out)
{
	return put_strs(out, NULL, strs, n);
}

enum mw_err
phps_serialize_strmap(const char *const *keys, const char *const *vals,
		      size_t n, struct buf *out)
{
	if (keys == NULL && n > 0)
		return MW_EINTERNAL;
	return put_strs(out, keys, vals, n);
}

/*
 * The list is NULL-terminated as well as counted, and never NULL on MW_OK
 * (an empty list is a one-slot array).  The strings are taken from the
 * parse tree rather than copied.  Members holding a NUL byte cannot be
 * C strings and are skipped like non-string members.
 */
enum mw_err
phps_unserialize_strlist(const char *s, size_t len, char ***strs, size_t *n)
{
	struct phps_value v;
	struct phps_value *e;
	char **list = NULL;
	size_t i, k = 0, have = 0;
	enum mw_err rc;

	memset(&v, 0, sizeof(v));
	rc = phps_unserialize(s, len, &v);
	if (rc != MW_OK)
		goto out;
	if (v.type == PHPS_ARRAY)
		have = v.n;
	rc = MW_ENOMEM;
	list = calloc(have + 1, sizeof(*list));
	if (list == NULL)
		goto out;
	for (i = 0; i < have; i++) {
		e = &v.items[i].val;
		if (e->type != PHPS_STRING || strlen(e->s) != e->slen)
			continue;
		list[k++] = e->s;
		e->s = NULL;
	}
	*strs = list;
	*n = k;
	list = NULL;
	rc = MW_OK;
out:
	free(list);
	phps_free(&v);
	return rc;
}

/* True when the array key k equals the C string key of length klen, with
 * an integer key compared by its decimal form as PHP's $a["5"] does. */
static bool
key_is(const struct phps_value *k, const char *key, size_t klen)
{
	char num[INT_TEXT_MAX];
	int m;

	if (k->type == PHPS_STRING)
		return k->slen == klen &&
		       (klen == 0 || memcmp(k->s, key, klen) == 0);
	if (k->type != PHPS_INT)
		return false;
	m = snprintf(num, sizeof(num), "%" PRId64, k->i);
	return m > 0 && (size_t)m == klen && memcmp(num, key, klen) == 0;
}

/* With duplicate keys the last one wins, as it does in PHP. */
const struct phps_value *
phps_get(const struct phps_value *v, const char *key)
{
	const struct phps_value *hit = NULL;
	size_t i, klen;

	if (v == NULL || key == NULL || v->type != PHPS_ARRAY)
		return NULL;
	klen = strlen(key);
	for (i = 0; i < v->n; i++)
		if (key_is(&v->items[i].key, key, klen))
			hit = &v->items[i].val;
	return hit;
}

/* "^T:[digits...]" followed by what WordPress's regexes want. */
static bool
token_digits(const char *s, size_t len, const char *allowed, char after,
	     bool to_end)
{
	size_t i = 2;

	while (i < len && strchr(allowed, s[i]) != NULL && s[i] != '\0')
		i++;
	if (i == 2 || i >= len || s[i] != after)
		return false;
	return !to_end || i + 1 == len;
}

bool
phps_looks_serialized(const char *s, size_t len, bool strict)
{
	const char *semi, *brace;

	str_php_trim(&s, &len);
	if (len == 2 && s[0] == 'N' && s[1] == ';')
		return true;
	if (len < 4 || s[1] != ':')
		return false;
	semi = memchr(s, ';', len);
	brace = memchr(s, '}', len);
	if (strict) {
		if (s[len - 1] != ';' && s[len - 1] != '}')
			return false;
	} else {
		if (semi == NULL && brace == NULL)
			return false;
		if ((semi != NULL && semi - s < 3) ||
		    (brace != NULL && brace - s < 4))
			return false;
	}
	switch (s[0]) {
	case 's':
		if (strict ? s[len - 2] != '"' : memchr(s, '"', len) == NULL)
			return false;
		/* FALLTHROUGH */
	case 'a':
	case 'O':
	case 'E':
		return token_digits(s, len, "0123456789", ':', false);
	case 'b':
	case 'i':
	case 'd':
		return token_digits(s, len, "0123456789.E+-", ';', strict);
	default:
		return false;
	}
}

enum mw_err
phps_maybe_serialize(const char *s, size_t len, struct buf *out)
{
	if (!phps_looks_serialized(s, len, false))
		return buf_add(out, s, len);
	return phps_serialize_str(s, len, out);
}

bool
phps_truthy(const struct phps_value *v)
{
	if (v == NULL)
		return false;
	switch (v->type) {
	case PHPS_BOOL:
		return v->b;
	case PHPS_INT:
		return v->i != 0;
	case PHPS_DOUBLE:
		return v->d != 0;
	case PHPS_STRING:
		return v->slen > 0 && !(v->slen == 1 && v->s[0] == '0');
	case PHPS_ARRAY:
		return v->n > 0;
	case PHPS_NULL:
	case PHPS__MAX:
		break;
	}
	return false;
}
