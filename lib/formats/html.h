/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html.h - escaping text for HTML, as PHP's htmlspecialchars() does.
 */
#ifndef MW_HTML_H
#define MW_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* The entity htmlspecialchars() writes for the byte c: "&amp;", "&lt;",
 * "&gt;", and with quotes (ENT_QUOTES) "&quot;" and "&#039;".  NULL for
 * every other byte, which goes out as it is.  Static storage. */
const char *html_entity(char c, bool quotes);

/* Append s[0..len) to out with & < > " ' replaced by their entities
 * (htmlspecialchars($s, ENT_QUOTES): an & that already starts an entity
 * is escaped again).  Returns the buffer's error, as buf_add(). */
enum mw_err html_escape(struct buf *out, const char *s, size_t len);

#endif
