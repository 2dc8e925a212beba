/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * buf.h - a growable byte buffer with a hard cap (after curl's dynbuf).
 *
 * The contents are always NUL-terminated, so b->p can be used as a string
 * when the data holds no NUL.  A zeroed struct buf is not usable: call
 * buf_init() first.  buf_free() wipes the memory before releasing it, so a
 * buffer may carry secrets.
 *
 * Errors are sticky: after the first failed append every later append
 * fails with the same code and changes nothing, so a run of appends can be
 * written without a check after each one and judged once with buf_error()
 * (or by the result of the last append).  buf_reset() clears the error.
 */
#ifndef MW_BUF_H
#define MW_BUF_H

#include <stddef.h>

#include "base/err.h"

struct buf {
	char *p;	 /* owned; NULL until the first add */
	size_t len;	 /* bytes used, excluding the terminating NUL */
	size_t cap;	 /* bytes allocated */
	size_t max;	 /* hard cap on len */
	enum mw_err err; /* first failed append, MW_OK if none (sticky) */
};

/* Prepare an empty buffer that refuses to grow beyond max bytes. */
void buf_init(struct buf *b, size_t max);

/* Append n bytes.  MW_ETOOBIG past the cap, MW_ENOMEM, or the sticky
 * error of an earlier append; b's contents are unchanged then. */
enum mw_err buf_add(struct buf *b, const void *data, size_t n);

/* Append a NUL-terminated string. */
enum mw_err buf_addstr(struct buf *b, const char *s);

/* Append formatted text. */
enum mw_err buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The first error of the appends since buf_init() or buf_reset(), or
 * MW_OK: check it once after a run of appends. */
enum mw_err buf_error(const struct buf *b) MW_MUST_CHECK;

/* Forget the contents and the sticky error but keep the allocation
 * (wiped). */
void buf_reset(struct buf *b);

/* Hand the contents to the caller (caller frees; never NULL on MW_OK) and
 * leave b empty.  Returns NULL only when allocation fails. */
char *buf_detach(struct buf *b, size_t *len) MW_MUST_CHECK;

/* Wipe and release.  Accepts a buffer that was never used. */
void buf_free(struct buf *b);

#endif
