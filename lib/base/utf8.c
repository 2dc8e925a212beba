/* SPDX-License-Identifier: GPL-2.0-or-later */
/* utf8.c - strict UTF-8 validation. */
#include "base/utf8.h"

size_t
utf8_seqlen(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (len == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		lo = p[0] == 0xe0 ? 0xa0 : 0x80; /* overlong */
		hi = p[0] == 0xed ? 0x9f : 0xbf; /* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		lo = p[0] == 0xf0 ? 0x90 : 0x80; /* overlong */
		hi = p[0] == 0xf4 ? 0x8f : 0xbf; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < need || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return need;
}

/* True when ctrl refuses the ASCII byte c. */
static bool
refused(unsigned char c, enum utf8_ctrl ctrl)
{
	if (c >= 0x20 && c != 0x7f)
		return false;
	switch (ctrl) {
	case UTF8_ANY:
		return false;
	case UTF8_NO_NUL:
		return c == '\0';
	case UTF8_TAB:
		return c != '\t';
	case UTF8_NO_CTRL:
	case UTF8__MAX:
		break;
	}
	return true;
}

bool
utf8_is_valid(const char *s, size_t len, enum utf8_ctrl ctrl)
{
	size_t i = 0, n;

	while (i < len) {
		if (refused((unsigned char)s[i], ctrl))
			return false;
		n = utf8_seqlen(s + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}
