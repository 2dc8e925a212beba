/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf.c - growable, capped byte buffer. */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = MW_OK;
}

/* Record the first failure: later appends refuse with it. */
static enum mw_err
stick(struct buf *b, enum mw_err rc)
{
	if (rc != MW_OK && b->err == MW_OK)
		b->err = rc;
	return rc;
}

enum mw_err
buf_error(const struct buf *b)
{
	return b->err;
}

static enum mw_err
grow(struct buf *b, size_t need)
{
	size_t ncap;
	char *np;

	if (need > b->max)
		return MW_ETOOBIG;
	if (need + 1 <= b->cap)
		return MW_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need + 1)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	np = malloc(ncap);
	if (np == NULL)
		return MW_ENOMEM;
	if (b->p != NULL) {
		memcpy(np, b->p, b->len + 1);
		explicit_bzero(b->p, b->cap);
		free(b->p);
	} else {
		np[0] = '\0'; /* buf_detach() of a buffer never added to */
	}
	b->p = np;
	b->cap = ncap;
	return MW_OK;
}

enum mw_err
buf_add(struct buf *b, const void *data, size_t n)
{
	enum mw_err rc;

	if (b->err != MW_OK)
		return b->err;
	if (n > b->max - b->len)
		return stick(b, MW_ETOOBIG);
	rc = grow(b, b->len + n);
	if (rc != MW_OK)
		return stick(b, rc);
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return MW_OK;
}

enum mw_err
buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum mw_err
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;
	enum mw_err rc;

	if (b->err != MW_OK)
		return b->err;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return stick(b, MW_EINTERNAL);
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	if ((size_t)n > b->max - b->len)
		return stick(b, MW_ETOOBIG);
	rc = grow(b, b->len + (size_t)n);
	if (rc != MW_OK)
		return stick(b, rc);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return MW_OK;
}

void
buf_reset(struct buf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		b->p[0] = '\0';
	}
	b->len = 0;
	b->err = MW_OK;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->p == NULL && grow(b, 0) != MW_OK)
		return NULL;
	p = b->p;
	if (len != NULL)
		*len = b->len;
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = MW_OK;
	return p;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}
