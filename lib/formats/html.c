/* SPDX-License-Identifier: GPL-2.0-or-later */
/* html.c - htmlspecialchars(). */
#include "formats/html.h"

const char *
html_entity(char c, bool quotes)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return quotes ? "&quot;" : NULL;
	case '\'':
		return quotes ? "&#039;" : NULL;
	default:
		return NULL;
	}
}

enum mw_err
html_escape(struct buf *out, const char *s, size_t len)
{
	size_t i, start = 0;
	const char *ent;

	for (i = 0; i < len; i++) {
		if ((ent = html_entity(s[i], true)) == NULL)
			continue;
		buf_add(out, s + start, i - start);
		buf_addstr(out, ent);
		start = i + 1;
	}
	return buf_add(out, s + start, len - start);
}
